"""A tiny stand-in for the core's session, for driving the real UI through whole visits.

It reacts to intents the way kiosk.session does (Start -> language -> catalogue -> options ->
identity -> fingerprint -> fee -> payment -> issuing -> collect -> thanks), and the test
plays the devices' part (fingerprint matched, card approved, pages printed, items taken).
The RRN digits stay in this object, as they would in the session; snapshots carry them only
masked.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk import view
from kiosk.screens.samples import SAMPLE_DOCUMENTS, SAMPLE_OPTIONS

FEES = {d.code: d.fee_won for d in SAMPLE_DOCUMENTS}


class FakeCore:
    def __init__(self, channel: view.SnapshotChannel, intents: view.IntentQueue) -> None:
        self.channel = channel
        self.intents = intents
        self.snap = channel.latest()
        self.digits = ""
        self.received: list[view.Intent] = []
        self.ratings: list[int] = []

    def _publish(self, **changes: object) -> None:
        self.snap = replace(self.snap, seq=self.snap.seq + 1, **changes)  # type: ignore[arg-type]
        self.channel.publish(self.snap)

    def cue(self, name: str, **changes: object) -> None:
        self._publish(cue=name, cue_seq=self.snap.cue_seq + 1, **changes)

    def handle(self) -> list[view.Intent]:
        """Apply every queued intent; returns them."""
        handled = self.intents.drain()
        for intent in handled:
            self.received.append(intent)
            self._apply(intent)
        return handled

    def _apply(self, intent: view.Intent) -> None:
        snap = self.snap
        screen = snap.screen
        if isinstance(intent, view.Cancel) or (isinstance(intent, view.Back)
                                               and screen is view.Screen.LANGUAGE):
            self.end()
        elif isinstance(intent, view.Start) and screen is view.Screen.ATTRACT:
            self._publish(screen=view.Screen.LANGUAGE)
        elif isinstance(intent, view.ChooseLanguage):
            self._publish(screen=view.Screen.CATALOGUE if screen in (
                view.Screen.ATTRACT, view.Screen.LANGUAGE) else screen,
                language=intent.language)
        elif isinstance(intent, view.ChooseDocument) and screen is view.Screen.CATALOGUE:
            options = SAMPLE_OPTIONS if intent.code == "resident-abstract" else ()
            self._publish(screen=view.Screen.OPTIONS, selected_document=intent.code,
                          options=options, fee_won=FEES[intent.code], copies=1)
        elif isinstance(intent, view.SetOption) and screen is view.Screen.OPTIONS:
            self._publish(options=tuple(replace(o, selected=intent.value)
                                        if o.key == intent.key else o for o in snap.options))
        elif isinstance(intent, view.RrnDigit) and screen is view.Screen.IDENTITY:
            if len(self.digits) < view.RRN_DIGITS:
                self.digits += intent.digit
                self._rrn()
        elif isinstance(intent, view.RrnBackspace) and screen is view.Screen.IDENTITY:
            self.digits = self.digits[:-1]
            self._rrn()
        elif isinstance(intent, view.RrnClear) and screen is view.Screen.IDENTITY:
            self.digits = ""
            self._rrn()
        elif isinstance(intent, view.SetCopies) and screen is view.Screen.FEE:
            copies = max(1, min(snap.max_copies, intent.copies))
            unit = FEES[snap.selected_document or ""]
            self._publish(copies=copies, fee_won=unit * copies)
        elif isinstance(intent, view.Confirm):
            self._confirm()
        elif isinstance(intent, view.Back):
            back = {view.Screen.CATALOGUE: view.Screen.LANGUAGE,
                    view.Screen.OPTIONS: view.Screen.CATALOGUE,
                    view.Screen.IDENTITY: view.Screen.OPTIONS,
                    view.Screen.FINGERPRINT: view.Screen.IDENTITY,
                    view.Screen.FEE: view.Screen.OPTIONS}
            if screen in back:
                self._publish(screen=back[screen])
        elif isinstance(intent, view.ExtendTime):
            self._publish(idle_seconds_left=None)
        elif isinstance(intent, view.ChangeVolume):
            self._publish(volume=max(0, min(10, snap.volume + intent.delta)))
        elif isinstance(intent, view.RepeatGuidance):
            self.cue(view.Cue.GUIDANCE_REPEAT.value)
        elif isinstance(intent, view.RateSatisfaction) and screen is view.Screen.THANKS:
            self.ratings.append(intent.score)
            self.end()
        elif isinstance(intent, view.SkipRating) and screen is view.Screen.THANKS:
            self.end()

    def _rrn(self) -> None:
        self._publish(rrn_masked=view.mask_rrn(self.digits),
                      rrn_complete=len(self.digits) == view.RRN_DIGITS)

    def _confirm(self) -> None:
        snap = self.snap
        screen = snap.screen
        if screen is view.Screen.OPTIONS:
            document = next(d for d in snap.documents if d.code == snap.selected_document)
            self._publish(screen=view.Screen.IDENTITY if document.identity_required
                          else view.Screen.FEE)
        elif screen is view.Screen.IDENTITY and snap.rrn_complete:
            self._publish(screen=view.Screen.FINGERPRINT)
        elif screen is view.Screen.FEE:
            self._publish(screen=view.Screen.PAYMENT if snap.fee_won else
                          view.Screen.ISSUING, progress=view.Progress(view.IssuingStep.FETCHING))
        elif screen in (view.Screen.THANKS, view.Screen.FAILURE):
            self.end()

    # the devices' part -----------------------------------------------------------------
    def fingerprint(self, hint: str | None = None) -> None:
        if hint is None:
            self.digits = ""
            self._publish(screen=view.Screen.FEE, rrn_masked="", rrn_complete=False,
                          fingerprint_hint=None)
        else:
            self._publish(fingerprint_hint=hint,
                          identity_attempts_left=self.snap.identity_attempts_left - 1)

    def pay(self, approved: bool) -> None:
        if approved:
            self._publish(screen=view.Screen.ISSUING,
                          progress=view.Progress(view.IssuingStep.FETCHING))
        else:
            self._publish(screen=view.Screen.FAILURE, failure=view.Failure(
                view.FailureKey.PAYMENT_ATTEMPTS.value, view.NextStep.TRY_LATER.value,
                code="issuance.payment_declined"))

    def print_pages(self, total: int) -> None:
        for done in range(total + 1):
            self._publish(progress=view.Progress(view.IssuingStep.PRINTING, done, total))

    def present(self, items: tuple[str, ...]) -> None:
        self.cue(view.Cue.COLLECT_CHIME.value, screen=view.Screen.COLLECT, progress=None,
                 collect_items=items)

    def take(self, item: str) -> None:
        left = tuple(i for i in self.snap.collect_items if i != item)
        if left:
            self._publish(collect_items=left)
        else:
            self._publish(screen=view.Screen.THANKS, collect_items=(), rating_offered=True)

    def idle_warning(self, seconds: float) -> None:
        self.cue(view.Cue.IDLE_WARNING.value, idle_seconds_left=seconds)

    def end(self) -> None:
        self.digits = ""
        self._publish(screen=view.Screen.ATTRACT, language="ko", selected_document=None,
                      options=(), rrn_masked="", rrn_complete=False, fingerprint_hint=None,
                      identity_attempts_left=3, fee_won=0, copies=1, payment_hint=None,
                      progress=None, failure=None, collect_items=(), idle_seconds_left=None,
                      volume=5, rating_offered=False)
