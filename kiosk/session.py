"""The citizen session: a pure state machine from the attract screen back to the attract screen.

No I/O, no asyncio, no pygame, no logging: the core feeds it intents (``kiosk.view``), events
(``kiosk.session_events``) and the passing of time, and carries out the effects it returns
(``kiosk.session_effects``). Issue 4 and ``shared/reference/kiosk-domain.md`` §1, §2.5, §6.9.

Flow::

    attract -> language -> catalogue -> options -> [identity -> fingerprint] -> [fee -> payment]
            -> issuing -> collect -> thanks -> attract

- Options confirmed (free-text ones the document requires, such as a parcel's address,
  filled in; else ``Snapshot.option_hint``): ``BeginTransaction`` (document, options,
  copies, total fee).
- Identity (only for documents that need it, once per visit): the RRN is typed (13 digits;
  format, birth date and, where it applies, the check digit, see ``session_rrn``), shown only
  masked; then ``CaptureFingerprint`` until an image is usable (hint per failure: no finger,
  wet, dry, messy), then ``VerifyIdentity``. A failed match or a fake finger costs one of 3
  attempts; after the third, or after ``CAPTURE_FAILURES_MAX`` unreadable images, or when the
  backend says the citizen is not entitled, the visit ends politely on the failure screen.
- Fee 0 skips fee and payment. Otherwise ``RequestPayment`` once per transaction; after a
  decline, cancel on the reader or timeout the citizen may retry (a new transaction) up to
  ``PAYMENT_ATTEMPTS`` times.
- ``StartIssuing``; progress events drive the issuing screen; ``DocumentPresented`` opens the
  collect screen (chime, then a reminder every ``REMINDER_INTERVAL_S``) until the document is
  taken and the card removed; a document not taken within ``ui.collect_timeout_s`` is
  retracted (``RetractDocument``). The thanks screen offers a 1-5 rating, published as an
  anonymous ``PublishEvent('satisfaction', ...)``, skippable.

Time: every screen that waits for the citizen has the idle timeout (``ui.idle_timeout_s``) with
the 'need more time?' warning (``Snapshot.idle_seconds_left``) ``ui.idle_warning_s`` (>= 20 s)
before, always shown in full (``session_timers``); any intent restarts it, ``ExtendTime``
included. Waits for a device or the backend have a guard instead (``session_settings``).

Cancel works everywhere: before money is involved the visit ends at once (aborting any open
transaction); during payment or issuing it goes through the core (``AbortTransaction``, then the
session waits for ``TransactionAborted``: void or refund); once the document is presented it
can no longer be undone, so cancel only repeats the reminder until it is taken.

Every visit ends with ``EndSession`` after the visit's data (RRN digits, masked text, options,
hints) has been overwritten and dropped: nothing of a citizen stays in this object.

Service: the printer and the backend are essential (out of service without them, and when no
document can be issued at all); other devices down only make documents unavailable. A visit in
progress is not ended by such a change, but a chosen document that became unavailable sends the
citizen back to choose another. The service key ends a visit that has nothing paid or printed;
otherwise the visit finishes first.

Core contract::

    session = Session(catalogue, SessionSettings.from_config(config), clock=time.monotonic,
                      wall_clock=time.time)
    effects = session.handle(intent)      # a kiosk.view.Intent from the UI
    effects = session.on_event(event)     # a kiosk.session_events event
    effects = session.tick()              # at (or after) session.next_deadline()
    snapshot = session.snapshot()         # publish it when its seq changed

Carry out the effects in order. Identity holds for the whole visit: a later transaction of the
same visit (a payment retry, another document) is not identified again, so the core keeps the
backend's identity token per visit (``session``) until ``EndSession``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import MappingProxyType

from kiosk.issuance.catalogue import Catalogue
from kiosk.session_effects import (
    AbortTransaction,
    BeginTransaction,
    CaptureFingerprint,
    Effect,
    EndReason,
    EndSession,
    PlayCue,
    RequestPayment,
    RetractDocument,
    StartIssuing,
    VerifyIdentity,
)
from kiosk.session_flow import EventHandlers
from kiosk.session_service import KioskCondition
from kiosk.session_settings import (
    ABORT_GUARD_S,
    FAILURE_TIMEOUT_S,
    ISSUING_STEP_GUARD_S,
    PAYMENT_GUARD_S,
    REMINDER_INTERVAL_S,
    RETRACT_GUARD_S,
    THANKS_TIMEOUT_S,
    VERIFY_GUARD_S,
    SessionSettings,
)
from kiosk.session_snapshot import SnapshotBuilder
from kiosk.session_timers import IdleStatus, IdleTimer
from kiosk.session_visit import BEFORE_PAYMENT, INTERACTIVE, Phase, Visit
from kiosk.view import (
    Cue,
    Failure,
    FailureKey,
    IssuingStep,
    NextStep,
    OptionHint,
    Progress,
    Snapshot,
    UnavailableReason,
)

#: How long each waiting phase may last before the session gives up on it.
PHASE_LIMITS_S: dict[Phase, float] = {
    Phase.VERIFY: VERIFY_GUARD_S, Phase.PAYMENT: PAYMENT_GUARD_S,
    Phase.ISSUING: ISSUING_STEP_GUARD_S, Phase.RETRACTING: RETRACT_GUARD_S,
    Phase.ABORTING: ABORT_GUARD_S, Phase.THANKS: THANKS_TIMEOUT_S,
    Phase.FAILURE: FAILURE_TIMEOUT_S,
}


class Session(EventHandlers):
    """One kiosk's citizen session, visit after visit.

    Args:
        catalogue: the document catalogue.
        settings: from the kiosk config (``SessionSettings.from_config``).
        clock: seconds, for timeouts (``time.monotonic`` in the core; a fake in tests).
        wall_clock: Unix seconds, for document hours and birth dates (default: ``clock``).

    Raises:
        ConfigError: the config's fee overrides name documents the catalogue lacks.
    """

    def __init__(self, catalogue: Catalogue, settings: SessionSettings,
                 clock: Callable[[], float],
                 wall_clock: Callable[[], float] | None = None) -> None:
        catalogue.check_fee_overrides(settings.fee_overrides)
        self._catalogue = catalogue
        self._settings = settings
        self._clock = clock
        self._wall_clock = wall_clock or clock
        self._idle = IdleTimer(settings.idle_timeout_s, settings.idle_warning_s)
        self._condition = KioskCondition()
        self._headset = False
        self._phase = Phase.IDLE
        self._visit: Visit | None = None
        self._visits = 0
        self._txns = 0
        self._deadline: float | None = None
        self._reminder_at: float | None = None
        self._cue: str | None = None
        self._cue_seq = 0
        self._now = clock()
        self._wall_now = self._wall_clock()
        self._out: list[Effect] = []
        self._snapshots = SnapshotBuilder(catalogue, settings)
        self._init_handlers()

    # ------------------------------------------------------------------ public API

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def visit_number(self) -> int | None:
        """The current visit's number (``session`` in effects and events), if any."""
        return None if self._visit is None else self._visit.number

    @property
    def open_transaction(self) -> int | None:
        """The transaction the session still considers open, if any."""
        visit = self._visit
        return visit.txn if visit is not None and visit.txn_open else None

    def handle(self, intent: object) -> list[Effect]:
        """Apply a UI intent (``kiosk.view.Intent``); unknown or out-of-place ones are ignored."""
        return self._run(lambda: self._dispatch_intent(intent))

    def on_event(self, event: object) -> list[Effect]:
        """Apply a core event (``kiosk.session_events``); stale ones are ignored."""
        return self._run(lambda: self._dispatch_event(event))

    def tick(self) -> list[Effect]:
        """Let time pass: warnings, timeouts, guards, reminders."""
        return self._run(lambda: None)

    def next_deadline(self) -> float | None:
        """The ``clock`` time at which ``tick`` has something to do (or a snapshot changes)."""
        now, wall = self._clock(), self._wall_clock()
        candidates = [self._deadline, self._reminder_at]
        if self._visit is not None and self._phase in INTERACTIVE:
            candidates.append(self._idle.next_deadline(now))
        change = self._catalogue.next_change(datetime.fromtimestamp(wall, UTC))
        if change is not None:
            candidates.append(now + max(0.0, change.timestamp() - wall))
        present = [moment for moment in candidates if moment is not None]
        return min(present) if present else None

    def snapshot(self) -> Snapshot:
        """What the UI shows now; ``seq`` grows whenever the content differs from the last."""
        now = self._clock()
        wall = datetime.fromtimestamp(self._wall_clock(), UTC)
        idle_left = (self._idle.seconds_left(now)
                     if self._visit is not None and self._phase in INTERACTIVE else None)
        return self._snapshots.build(
            phase=self._phase, visit=self._visit, condition=self._condition, at=wall,
            idle_seconds_left=idle_left, headset=self._headset, cue=self._cue,
            cue_seq=self._cue_seq)

    # ------------------------------------------------------------------ machinery

    def _run(self, action: Callable[[], None]) -> list[Effect]:
        self._now = self._clock()
        self._wall_now = self._wall_clock()
        self._out = []
        self._advance()
        action()
        self._check_document_still_available()
        effects, self._out = self._out, []
        return effects

    def _emit(self, effect: Effect) -> None:
        self._out.append(effect)

    def _play(self, cue: Cue, *, to_core: bool = True) -> None:
        self._cue = cue.value
        self._cue_seq += 1
        if to_core:
            self._emit(PlayCue(cue.value))

    def _wall(self) -> datetime:
        return datetime.fromtimestamp(self._wall_now, UTC)

    def _can_start(self) -> bool:
        return self._snapshots.accepts_citizens(self._condition, self._wall())

    def _enter(self, phase: Phase) -> None:
        self._phase = phase
        if phase in INTERACTIVE:
            self._idle.restart(self._now)
        else:
            self._idle.stop()
        limit = (self._settings.collect_timeout_s if phase is Phase.COLLECT
                 else PHASE_LIMITS_S.get(phase))
        self._deadline = None if limit is None else self._now + limit
        self._reminder_at = self._now + REMINDER_INTERVAL_S if phase is Phase.COLLECT else None

    def _advance(self) -> None:
        if self._visit is None:
            return
        if self._deadline is not None and self._now >= self._deadline:
            self._deadline = None
            self._on_deadline(self._visit)
        elif self._phase in INTERACTIVE:
            status = self._idle.poll(self._now)
            if status is IdleStatus.WARNING_STARTED:
                self._play(Cue.IDLE_WARNING)
            elif status is IdleStatus.TIMED_OUT:
                self._end(EndReason.TIMEOUT)
        elif self._reminder_at is not None and self._now >= self._reminder_at:
            self._reminder_at = self._now + REMINDER_INTERVAL_S
            self._play(Cue.COLLECT_REMINDER)

    def _on_deadline(self, visit: Visit) -> None:
        if self._phase is Phase.COLLECT:
            if visit.document_taken:
                self._enter(Phase.THANKS)
            else:
                assert visit.txn is not None
                self._emit(RetractDocument(visit.txn))
                self._enter(Phase.RETRACTING)
        elif self._phase is Phase.THANKS:
            self._end(EndReason.COMPLETED)
        elif self._phase is Phase.FAILURE:
            self._end(visit.end_reason)
        else:
            self._fail(FailureKey.NO_RESPONSE, NextStep.ASK_STAFF, EndReason.FAILED)

    def _check_document_still_available(self) -> None:
        visit = self._visit
        if visit is None or visit.document is None or self._phase not in BEFORE_PAYMENT:
            return
        reason = self._snapshots.reason(visit.document, self._condition, self._wall(), None)
        if reason == UnavailableReason.FINGERPRINT and visit.identity_verified:
            return  # the sensor's work for this visit is done
        if reason is not None:
            self._fail(reason, NextStep.CHOOSE_OTHER, EndReason.UNAVAILABLE, resumable=True)

    # ------------------------------------------------------------------ steps

    def _begin_visit(self, language: str, phase: Phase) -> None:
        if self._phase is not Phase.IDLE or not self._can_start():
            return
        self._visits += 1
        self._visit = Visit(number=self._visits, language=language)
        self._enter(phase)

    def _begin_transaction(self, visit: Visit) -> None:
        assert visit.document is not None
        self._txns += 1
        visit.txn, visit.txn_open, visit.paid = self._txns, True, False
        self._emit(BeginTransaction(
            session=visit.number, txn=self._txns, document=visit.document,
            options=MappingProxyType(dict(visit.options)), copies=visit.copies,
            fee_won=visit.fee_won, language=visit.language))

    def _confirm_options(self, visit: Visit) -> None:
        assert visit.document is not None
        reason = self._snapshots.reason(visit.document, self._condition, self._wall(), None)
        if reason is not None:
            self._fail(reason, NextStep.CHOOSE_OTHER, EndReason.UNAVAILABLE, resumable=True)
            return
        document = self._catalogue.get(visit.document)
        missing = document.missing_options(visit.options)
        if missing:
            visit.option_hint, visit.option_missing = OptionHint.REQUIRED.value, missing[0]
            return
        unit_fee = self._catalogue.fee(document.code, self._settings.site,
                                       self._settings.fee_overrides)
        visit.fee_won = unit_fee * visit.copies
        self._begin_transaction(visit)
        if document.identity_required and not visit.identity_verified:
            visit.rrn.wipe()
            visit.rrn_hint = None
            self._enter(Phase.IDENTITY)
        else:
            self._after_identity(visit)

    def _submit_rrn(self, visit: Visit) -> None:
        today = self._catalogue.local_time(self._wall()).date()
        problem = visit.rrn.problem(today)
        if problem is not None and (problem != problem.CHECK_DIGIT
                                    or not visit.check_digit_warned):
            visit.rrn_hint = problem.value
            visit.check_digit_warned = problem == problem.CHECK_DIGIT
            return
        visit.rrn_hint = None
        visit.fingerprint_hint = None
        self._enter(Phase.CAPTURE)
        self._emit(CaptureFingerprint(visit.number))

    def _verify(self, visit: Visit) -> None:
        assert visit.txn is not None
        self._enter(Phase.VERIFY)
        self._emit(VerifyIdentity(visit.number, visit.txn, visit.rrn.copy_out()))

    def _after_identity(self, visit: Visit) -> None:
        if visit.fee_won > 0:
            self._enter(Phase.FEE)
        else:
            self._start_issuing(visit)

    def _request_payment(self, visit: Visit) -> None:
        if not visit.txn_open:
            self._begin_transaction(visit)
        assert visit.txn is not None
        visit.payment_attempts += 1
        visit.payment_hint = None
        self._enter(Phase.PAYMENT)
        self._emit(RequestPayment(visit.txn, visit.fee_won))

    def _start_issuing(self, visit: Visit) -> None:
        assert visit.txn is not None
        visit.progress = Progress(IssuingStep.FETCHING)
        self._enter(Phase.ISSUING)
        self._emit(StartIssuing(visit.txn))

    def _abort_transaction(self, reason: EndReason) -> None:
        visit = self._visit
        if visit is not None and visit.txn_open and visit.txn is not None:
            visit.txn_open = False
            self._emit(AbortTransaction(visit.txn, reason))

    def _fail(self, message_key: str, next_step: NextStep, reason: EndReason, *,
              refunded: bool = False, resumable: bool = False) -> None:
        visit = self._visit
        if visit is None:
            return
        self._abort_transaction(reason)
        visit.failure = Failure(message_key=str(message_key), next_step_key=next_step.value,
                                refunded=refunded)
        visit.failure_resumable = resumable
        visit.end_reason = reason
        self._enter(Phase.FAILURE)

    def _leave_failure(self, visit: Visit) -> None:
        if visit.failure_resumable and self._can_start():
            visit.forget_document()
            self._enter(Phase.CATALOGUE)
        else:
            self._end(visit.end_reason)

    def _end(self, reason: EndReason) -> None:
        visit = self._visit
        if visit is None:
            return
        self._abort_transaction(reason)
        self._emit(EndSession(visit.number, reason))
        visit.wipe()
        self._visit = None
        self._cue = None
        self._snapshots.forget()
        self._enter(Phase.IDLE)
