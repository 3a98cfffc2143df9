"""Hypothesis stateful testing of the citizen session against a fake core and a fake clock.

Random intents, core answers (right, wrong, late or stale), device changes and the passing of
time, mixed with a 'go forward' rule that plays a cooperative citizen and core so that deep
states (payment, issuing, collecting) are reached often. Invariants checked after every step:

- the masked RRN never shows more than six digits, and only in the masked format;
- ``seq`` never goes back and grows whenever the snapshot changes;
- payment is requested at most once per transaction, only for an open transaction, and for a
  document that needs identity only after this visit's identity was verified;
- nothing is issued for money that was not approved;
- a transaction never silently disappears: the session closes one only by ``AbortTransaction``
  or because the core reported its end; every visit ends (``EndSession``) with none open, so a
  cancel after payment approval always yields an abort before attract;
- the 'need more time?' warning shows at least ``idle_warning_s`` before a timeout;
- after every ``EndSession`` nothing of the citizen remains in the session object;
- every visit, however left, gets back to the attract screen by the passing of time alone.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from kiosk import session_events as ev
from kiosk import view
from kiosk.config import DEVICE_NAMES, LANGUAGES
from kiosk.session import Session
from kiosk.session_effects import (
    AbortTransaction,
    BeginTransaction,
    CaptureFingerprint,
    Effect,
    EndReason,
    EndSession,
    PublishEvent,
    RequestPayment,
    RetractDocument,
    StartIssuing,
    VerifyIdentity,
)
from kiosk.session_settings import SessionSettings
from kiosk.session_visit import Phase
from tests.session.harness import (
    ALL_DEVICES,
    PLACE,
    RRN,
    RRN_BAD_CHECK,
    SEOUL,
    FakeClock,
    personal_leftovers,
    shipped_catalogue,
)

CATALOGUE = shipped_catalogue()
CODES = list(CATALOGUE.codes)
OPTION_PAIRS = sorted({(o.key, v) for d in CATALOGUE.documents for o in d.options
                       for v in o.codes})
TEXT_KEYS = sorted({o.key for d in CATALOGUE.documents for o in d.options if o.is_text})
TEXTS = [PLACE, "", "   ", "101동 1203호", "x" * 101, "line\nbreak"]
#: Monday 17:30 in Seoul: some runs cross the 18:00 end of the family documents' hours.
START = datetime(2025, 11, 3, 17, 30, tzinfo=SEOUL).timestamp()
WARNING_S = 20.0
RRNS = [RRN, RRN_BAD_CHECK, "0001013123458", "8512312345678"]
#: Events after which the core has closed the transaction itself.
CLOSING_EVENTS = (ev.PaymentFailed, ev.DocumentTaken, ev.DocumentRetracted,
                  ev.TransactionFailed, ev.TransactionAborted)
#: What a mostly cooperative core answers (success twice as likely as each failure).
IDENTITY_OUTCOMES = [None, None, *ev.IdentityRejection]
PAYMENT_OUTCOMES = [None, None, *ev.PaymentFailure]
#: Phases in which money or paper is moving: a cancel there must go through the core.
BUSY = frozenset({Phase.PAYMENT, Phase.ISSUING, Phase.COLLECT})
MASK = re.compile(r"^\d{0,6}(-\*{1,7})?$")

INTENTS = st.one_of(
    st.just(view.Start()), st.just(view.Confirm()), st.just(view.Confirm()),
    st.just(view.Back()), st.just(view.Cancel()), st.just(view.ExtendTime()),
    st.just(view.Activity()), st.just(view.RrnBackspace()), st.just(view.RrnClear()),
    st.just(view.SkipRating()), st.just(view.RepeatGuidance()),
    st.builds(view.ChooseLanguage, st.sampled_from([*LANGUAGES, "th"])),
    st.builds(view.ChooseDocument, st.sampled_from([*CODES, "passport"])),
    st.sampled_from(OPTION_PAIRS).map(lambda pair: view.SetOption(*pair)),
    st.builds(view.SetOption, st.sampled_from(TEXT_KEYS), st.sampled_from(TEXTS)),
    st.builds(view.SetCopies, st.integers(0, 6)),
    st.builds(view.RrnDigit, st.sampled_from("0123456789x")),
    st.builds(view.RateSatisfaction, st.integers(0, 6)),
    st.builds(view.ChangeVolume, st.integers(-3, 3)),
)
IDS = st.integers(1, 6)
STRAY_EVENTS = st.one_of(
    st.builds(ev.FingerprintCaptured, IDS),
    st.builds(ev.FingerprintFailed, IDS, st.sampled_from(list(view.FingerprintHint))),
    st.builds(ev.IdentityVerified, IDS),
    st.builds(ev.IdentityRejected, IDS, st.sampled_from(list(ev.IdentityRejection))),
    st.builds(ev.PaymentApproved, IDS, st.booleans()),
    st.builds(ev.PaymentFailed, IDS, st.sampled_from(list(ev.PaymentFailure))),
    st.builds(ev.IssuingProgress, IDS, st.sampled_from(list(view.IssuingStep)),
              st.integers(0, 5), st.integers(0, 5)),
    st.builds(ev.DocumentPresented, IDS), st.builds(ev.DocumentTaken, IDS),
    st.builds(ev.DocumentRetracted, IDS), st.builds(ev.ReceiptPrinted, IDS),
    st.builds(ev.TransactionFailed, IDS, st.just("error.issuance"), st.booleans()),
    st.builds(ev.TransactionAborted, IDS, st.booleans()),
    st.just(ev.CardRemoved()),
)


class SessionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock(START)
        self.session: Session | None = None
        self.open_txns: set[int] = set()
        self.paid_requested: set[int] = set()
        self.approved: set[int] = set()
        self.txn_fee: dict[int, int] = {}
        self.txn_needs_identity: dict[int, bool] = {}
        self.txn_visit: dict[int, int] = {}
        self.verified_visits: set[int] = set()
        self.pending: dict[str, int | None] = dict.fromkeys(
            ("capture", "verify", "payment", "issuing", "retract", "abort"))
        self.last_seq = 0
        self.last_body: view.Snapshot | None = None
        self.warning_since: float | None = None
        self.secrets: set[str] = set()

    # ------------------------------------------------------------------ plumbing

    @initialize(site=st.sampled_from(["seoul-jongno", "seoul-junggu"]))
    def start(self, site: str) -> None:
        self.session = Session(CATALOGUE, SessionSettings(site=site), clock=self.clock)
        self.feed(ev.DevicesChanged(ALL_DEVICES))

    @property
    def s(self) -> Session:
        assert self.session is not None
        return self.session

    def feed(self, event: ev.SessionEvent) -> list[Effect]:
        txn = getattr(event, "txn", None)
        was_open, was_phase = self.s.open_transaction, self.s.phase
        if isinstance(event, ev.PaymentApproved) and self.s.phase is Phase.PAYMENT \
                and was_open == txn:
            self.approved.add(txn)
        effects = self.s.on_event(event)
        if isinstance(event, CLOSING_EVENTS) and was_open == txn \
                and self.s.open_transaction != txn:
            self.open_txns.discard(txn)
        if isinstance(event, ev.IdentityVerified) and was_phase is Phase.VERIFY \
                and self.s.phase is not Phase.VERIFY and was_open == txn:
            self.verified_visits.add(self.txn_visit[txn])
        self.check(effects)
        return effects

    def act(self, intent: view.Intent) -> list[Effect]:
        effects = self.s.handle(intent)
        self.check(effects)
        return effects

    def check(self, effects: list[Effect]) -> None:
        for effect in effects:
            self.check_effect(effect)
        assert self.open_txns <= {self.s.open_transaction}, (self.open_txns, effects)
        self.check_snapshot(effects)

    def check_effect(self, effect: Effect) -> None:
        if isinstance(effect, BeginTransaction):
            assert effect.txn not in self.txn_fee
            self.open_txns.add(effect.txn)
            self.txn_fee[effect.txn] = effect.fee_won
            self.txn_visit[effect.txn] = effect.session
            self.txn_needs_identity[effect.txn] = CATALOGUE.get(effect.document) \
                .identity_required
        elif isinstance(effect, RequestPayment):
            assert effect.txn not in self.paid_requested, "payment requested twice"
            assert effect.txn in self.open_txns and effect.amount_won > 0
            assert effect.amount_won == self.txn_fee[effect.txn]
            if self.txn_needs_identity[effect.txn]:
                assert self.txn_visit[effect.txn] in self.verified_visits
            self.paid_requested.add(effect.txn)
            self.pending["payment"] = effect.txn
        elif isinstance(effect, StartIssuing):
            assert effect.txn in self.open_txns
            assert self.txn_fee[effect.txn] == 0 or effect.txn in self.approved
            if self.txn_needs_identity[effect.txn]:
                assert self.txn_visit[effect.txn] in self.verified_visits
            self.pending["issuing"] = effect.txn
        elif isinstance(effect, AbortTransaction):
            assert effect.txn in self.open_txns, "abort of a transaction not open"
            self.open_txns.discard(effect.txn)
            self.pending["abort"] = effect.txn
        elif isinstance(effect, VerifyIdentity):
            digits = bytes(effect.rrn).decode()
            assert len(digits) == 13 and digits not in repr(effect) + str(effect)
            self.pending["verify"] = effect.txn
        elif isinstance(effect, CaptureFingerprint):
            self.pending["capture"] = effect.session
        elif isinstance(effect, RetractDocument):
            self.pending["retract"] = effect.txn
        elif isinstance(effect, PublishEvent):
            assert set(effect.fields) <= {"score", "document", "language"}
            assert 1 <= int(effect.fields["score"]) <= 5
        elif isinstance(effect, EndSession):
            assert not self.open_txns, f"visit ended with {self.open_txns} open"
            if effect.reason is EndReason.TIMEOUT:
                assert self.warning_since is not None
                assert self.clock.now - self.warning_since >= WARNING_S
            self.check_privacy(effect.session)

    def check_privacy(self, ended: int) -> None:
        secrets = self.secrets | {s[6:] for s in self.secrets} | {s[:6] for s in self.secrets}
        leftovers = personal_leftovers(self.s, secrets)
        current = self.s.visit_number
        if current is not None and current > ended:
            leftovers = [item for item in leftovers if item != "a Visit object"]
        assert leftovers == [], leftovers

    def check_snapshot(self, effects: list[Effect]) -> None:
        snap = self.s.snapshot()
        assert snap.seq >= self.last_seq
        body = replace(snap, seq=0)
        if body != self.last_body:
            assert snap.seq > self.last_seq
        self.last_seq, self.last_body = snap.seq, body
        assert MASK.match(snap.rrn_masked), snap.rrn_masked
        assert len(re.findall(r"\d", snap.rrn_masked)) <= 6
        if snap.idle_seconds_left is None:
            self.warning_since = None
        else:
            assert 0 <= snap.idle_seconds_left <= WARNING_S
            if self.warning_since is None:
                self.warning_since = self.clock.now
        if self.s.phase is Phase.IDLE:
            assert snap.screen in (view.Screen.ATTRACT, view.Screen.OUT_OF_SERVICE,
                                   view.Screen.SERVICE)
            assert snap.rrn_masked == "" and snap.selected_document is None

    # ------------------------------------------------------------------ rules

    @rule(intent=INTENTS)
    def citizen_acts(self, intent: view.Intent) -> None:
        before_txn, before_phase = self.s.open_transaction, self.s.phase
        effects = self.act(intent)
        if isinstance(intent, view.Cancel) and before_txn in self.approved \
                and before_phase is Phase.ISSUING:
            assert AbortTransaction(before_txn, EndReason.CANCELLED) in effects

    @rule()
    def citizen_cancels(self) -> None:
        self.citizen_acts(view.Cancel())

    @precondition(lambda self: self.session is not None and self.s.phase in BUSY)
    @rule()
    def citizen_cancels_while_busy(self) -> None:
        self.citizen_acts(view.Cancel())

    @rule(rrn=st.sampled_from(RRNS), confirm=st.booleans())
    def citizen_types_rrn(self, rrn: str, confirm: bool) -> None:
        self.secrets.add(rrn)
        self.act(view.RrnClear())
        for digit in rrn:
            self.act(view.RrnDigit(digit))
        if confirm:
            self.act(view.Confirm())

    @rule(data=st.data(), steps=st.integers(1, 12))
    def go_forward(self, data: st.DataObject, steps: int) -> None:
        """A cooperative citizen and core take the natural next few steps."""
        for _ in range(steps):
            self.forward_once(data)

    def forward_once(self, data: st.DataObject) -> None:
        phase, snap = self.s.phase, self.s.snapshot()
        if phase is Phase.IDLE:
            self.act(view.Start())
        elif phase is Phase.LANGUAGE:
            self.act(view.ChooseLanguage(data.draw(st.sampled_from(LANGUAGES))))
        elif phase is Phase.CATALOGUE:
            available = [c.code for c in snap.documents if c.available]
            if available:
                self.act(view.ChooseDocument(data.draw(st.sampled_from(available))))
        elif phase is Phase.OPTIONS and any(o.required and not o.selected for o in snap.options):
            missing = next(o for o in snap.options if o.required and not o.selected)
            self.act(view.SetOption(missing.key, PLACE))
        elif phase is Phase.IDENTITY:
            self.citizen_types_rrn(RRN, True)
        elif phase is Phase.CAPTURE and self.pending["capture"] is not None:
            self.sensor_answers(data.draw(st.sampled_from(list(view.FingerprintHint))),
                                captured=data.draw(st.booleans()))
        elif phase is Phase.VERIFY and self.pending["verify"] is not None:
            self.backend_answers(data.draw(st.sampled_from(IDENTITY_OUTCOMES)))
        elif phase is Phase.PAYMENT and self.pending["payment"] is not None:
            self.reader_answers(data.draw(st.sampled_from(PAYMENT_OUTCOMES)),
                                card=data.draw(st.booleans()))
        elif phase is Phase.ISSUING and self.pending["issuing"] is not None:
            self.feed(ev.DocumentPresented(self.pending["issuing"]))
        elif phase in (Phase.COLLECT, Phase.RETRACTING) and self.pending["issuing"]:
            if snap.collect_items and snap.collect_items[0] == "document":
                self.feed(ev.DocumentTaken(self.pending["issuing"]))
            else:
                self.feed(ev.CardRemoved())
        elif phase is Phase.ABORTING and self.pending["abort"] is not None:
            self.feed(ev.TransactionAborted(self.pending["abort"], data.draw(st.booleans())))
        elif phase is Phase.THANKS:
            self.act(view.RateSatisfaction(data.draw(st.integers(1, 5))))
        else:
            self.act(view.Confirm())

    @rule(hint=st.sampled_from(list(view.FingerprintHint)), captured=st.booleans())
    def sensor_answers(self, hint: view.FingerprintHint, captured: bool) -> None:
        visit = self.pending["capture"]
        if visit is not None:
            self.feed(ev.FingerprintCaptured(visit) if captured
                      else ev.FingerprintFailed(visit, hint))

    @rule(reason=st.sampled_from([None, *ev.IdentityRejection]))
    def backend_answers(self, reason: ev.IdentityRejection | None) -> None:
        txn = self.pending["verify"]
        if txn is not None:
            self.feed(ev.IdentityVerified(txn) if reason is None
                      else ev.IdentityRejected(txn, reason))

    @rule(reason=st.sampled_from([None, *ev.PaymentFailure]), card=st.booleans())
    def reader_answers(self, reason: ev.PaymentFailure | None, card: bool) -> None:
        txn = self.pending["payment"]
        if txn is not None:
            self.feed(ev.PaymentApproved(txn, card) if reason is None
                      else ev.PaymentFailed(txn, reason))

    @rule(which=st.sampled_from(["progress", "presented", "taken", "receipt", "failed",
                                 "retracted", "aborted"]), refunded=st.booleans())
    def pipeline_answers(self, which: str, refunded: bool) -> None:
        txn = self.pending["abort" if which == "aborted" else "issuing"]
        if txn is None:
            return
        self.feed({"progress": ev.IssuingProgress(txn, view.IssuingStep.PRINTING, 1, 2),
                   "presented": ev.DocumentPresented(txn), "taken": ev.DocumentTaken(txn),
                   "receipt": ev.ReceiptPrinted(txn),
                   "failed": ev.TransactionFailed(txn, "error.device", refunded),
                   "retracted": ev.DocumentRetracted(txn),
                   "aborted": ev.TransactionAborted(txn, refunded)}[which])

    @rule(event=STRAY_EVENTS)
    def stray_event(self, event: ev.SessionEvent) -> None:
        self.feed(event)

    @rule(usable=st.sets(st.sampled_from(DEVICE_NAMES)), backend=st.booleans(),
          service=st.booleans(), headset=st.booleans(),
          which=st.sampled_from(["devices", "backend", "service", "headset"]))
    def kiosk_changes(self, usable: set[str], backend: bool, service: bool, headset: bool,
                      which: str) -> None:
        self.feed({"devices": ev.DevicesChanged(usable),
                   "backend": ev.BackendReachability(backend),
                   "service": ev.ServiceModeChanged(service),
                   "headset": ev.HeadsetChanged(headset)}[which])

    @rule()
    def devices_recover(self) -> None:
        self.feed(ev.DevicesChanged(ALL_DEVICES))
        self.feed(ev.BackendReachability(True))
        self.feed(ev.ServiceModeChanged(False))

    @rule(seconds=st.one_of(st.floats(0.05, 10), st.floats(10, 400)))
    def time_passes(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.check(self.s.tick())

    @rule()
    def core_ticks_on_time(self) -> None:
        deadline = self.s.next_deadline()
        if deadline is not None:
            self.clock.now = max(self.clock.now, deadline)
            self.check(self.s.tick())

    @invariant()
    def counts_are_sane(self) -> None:
        if self.session is not None:
            snap = self.s.snapshot()
            assert 0 <= snap.identity_attempts_left <= 3
            assert 0 <= snap.volume <= 10 and 1 <= snap.copies <= view.MAX_COPIES

    def teardown(self) -> None:
        if self.session is None:
            return
        for _ in range(5000):
            if self.s.phase is Phase.IDLE:
                break
            deadline = self.s.next_deadline()
            assert deadline is not None, self.s.phase
            self.clock.now = max(self.clock.now, deadline)
            self.check(self.s.tick())
        assert self.s.phase is Phase.IDLE
        assert not self.open_txns


SessionMachine.TestCase.settings = settings(
    max_examples=200, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestSession = SessionMachine.TestCase
