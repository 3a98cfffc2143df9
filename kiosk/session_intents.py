"""The citizen session's reactions to the UI: one method per ``kiosk.view`` intent.

Part of ``kiosk.session.Session`` (a mixin, kept apart so that each file stays readable). Each
handler checks that the intent fits the current phase and otherwise ignores it, then moves the
session on through the steps defined in ``kiosk.session``, where the flow is documented. Any
intent during a screen that waits for the citizen restarts the idle timer first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from kiosk import view
from kiosk.session_effects import EndReason, PublishEvent, Requote
from kiosk.session_service import KioskCondition
from kiosk.session_settings import VOLUME_MAX, SessionSettings
from kiosk.session_snapshot import SnapshotBuilder
from kiosk.session_timers import IdleTimer
from kiosk.session_visit import CANCEL_THROUGH_CORE, INTERACTIVE, Phase, Visit
from kiosk.view import Cue

#: Ratings the thanks screen offers (five faces, issue 5).
RATING_SCORES = range(1, 6)


class IntentHandlers:
    """Intent handlers of ``Session``; the attributes below are set by ``Session``."""

    _phase: Phase
    _visit: Visit | None
    _condition: KioskCondition
    _headset: bool
    _settings: SessionSettings
    _now: float
    _emit: Callable[..., None]
    _enter: Callable[[Phase], None]
    _play: Callable[..., None]
    _end: Callable[[EndReason], None]
    _fail: Callable[..., None]
    _can_start: Callable[[], bool]
    _begin_visit: Callable[[str, Phase], None]
    _abort_transaction: Callable[[EndReason], None]
    _confirm_options: Callable[[Visit], None]
    _submit_rrn: Callable[[Visit], None]
    _verify: Callable[[Visit], None]
    _after_identity: Callable[[Visit], None]
    _request_payment: Callable[[Visit], None]
    _start_issuing: Callable[[Visit], None]
    _leave_failure: Callable[[Visit], None]
    _snapshots: SnapshotBuilder
    _idle: IdleTimer
    _wall: Callable[[], datetime]

    def _intent_table(self) -> dict[type, Callable[[Any], None]]:
        return {
            view.Start: self._on_start, view.ChooseLanguage: self._on_language,
            view.ChooseDocument: self._on_document, view.SetOption: self._on_option,
            view.SetCopies: self._on_copies, view.RrnDigit: self._on_rrn_digit,
            view.RrnBackspace: self._on_rrn_backspace, view.RrnClear: self._on_rrn_clear,
            view.Confirm: self._on_confirm, view.Back: self._on_back,
            view.Cancel: self._on_cancel, view.ExtendTime: _ignore, view.Activity: _ignore,
            view.RateSatisfaction: self._on_rate, view.SkipRating: self._on_skip_rating,
            view.ChangeVolume: self._on_volume, view.RepeatGuidance: self._on_repeat,
        }

    def _dispatch_intent(self, intent: object) -> None:
        handler = self._intent_handlers.get(type(intent))
        if handler is None:
            return
        if self._visit is not None and self._phase in INTERACTIVE:
            self._idle.restart(self._now)
        handler(intent)

    def _in(self, *phases: Phase) -> Visit | None:
        """The visit, if the session is in one of ``phases``."""
        return self._visit if self._phase in phases else None

    def _for_visit(self, number: int, *phases: Phase) -> Visit | None:
        visit = self._in(*phases)
        return visit if visit is not None and visit.number == number else None

    def _for_txn(self, txn: int, *phases: Phase) -> Visit | None:
        visit = self._in(*phases)
        return visit if visit is not None and visit.txn == txn else None

    # ------------------------------------------------------------------ intents

    def _on_start(self, _: view.Start) -> None:
        self._begin_visit(self._settings.default_language, Phase.LANGUAGE)

    def _on_language(self, intent: view.ChooseLanguage) -> None:
        if intent.language not in self._settings.languages:
            return
        if self._phase is Phase.IDLE:
            self._begin_visit(intent.language, Phase.CATALOGUE)
        elif (visit := self._in(*INTERACTIVE)) is not None:
            visit.language = intent.language
            if self._phase is Phase.LANGUAGE:
                self._enter(Phase.CATALOGUE)

    def _on_document(self, intent: view.ChooseDocument) -> None:
        visit = self._in(Phase.CATALOGUE)
        if visit is None or intent.code not in self._snapshots.codes:
            return
        if self._snapshots.reason(intent.code, self._condition, self._wall(),
                                  visit.language) is not None:
            return
        visit.document = intent.code
        visit.options = self._snapshots.default_options(intent.code)
        visit.copies = 1
        self._enter(Phase.OPTIONS)

    def _on_option(self, intent: view.SetOption) -> None:
        visit = self._in(Phase.OPTIONS)
        if visit is None or visit.document is None:
            return
        option = self._snapshots.option(visit.document, intent.key)
        if option is None or not option.accepts(intent.value):
            return
        value = intent.value.strip() if option.is_text else intent.value
        if value:
            visit.options[intent.key] = value
        else:
            visit.options.pop(intent.key, None)
        visit.option_hint, visit.option_missing = None, None

    def _on_copies(self, intent: view.SetCopies) -> None:
        if not 1 <= intent.copies <= view.MAX_COPIES:
            return
        visit = self._in(Phase.OPTIONS)
        if visit is not None:
            visit.copies = intent.copies
            return
        visit = self._in(Phase.FEE)
        if visit is not None and visit.txn is not None and not visit.paid:
            unit_fee = visit.fee_won // visit.copies
            visit.copies = intent.copies
            visit.fee_won = unit_fee * visit.copies
            self._emit(Requote(visit.txn, visit.copies, visit.fee_won))

    def _on_rrn_digit(self, intent: view.RrnDigit) -> None:
        visit = self._in(Phase.IDENTITY)
        if visit is not None and visit.rrn.push(intent.digit):
            visit.rrn_hint, visit.check_digit_warned = None, False

    def _on_rrn_backspace(self, _: view.RrnBackspace) -> None:
        visit = self._in(Phase.IDENTITY)
        if visit is not None and visit.rrn.pop():
            visit.rrn_hint, visit.check_digit_warned = None, False

    def _on_rrn_clear(self, _: view.RrnClear) -> None:
        visit = self._in(Phase.IDENTITY)
        if visit is not None:
            visit.rrn.wipe()
            visit.rrn_hint, visit.check_digit_warned = None, False

    def _on_confirm(self, _: view.Confirm) -> None:
        visit = self._visit
        if visit is None:
            return
        phase = self._phase
        if phase is Phase.LANGUAGE:
            self._enter(Phase.CATALOGUE)
        elif phase is Phase.OPTIONS:
            self._confirm_options(visit)
        elif phase is Phase.IDENTITY:
            self._submit_rrn(visit)
        elif phase in (Phase.FEE, Phase.PAYMENT_RETRY):
            self._request_payment(visit)
        elif phase is Phase.COLLECT:
            if visit.document_taken:
                self._enter(Phase.THANKS)
            else:
                self._play(Cue.COLLECT_REMINDER)
        elif phase is Phase.THANKS:
            self._end(EndReason.COMPLETED)
        elif phase is Phase.FAILURE:
            self._leave_failure(visit)

    def _on_back(self, _: view.Back) -> None:
        visit = self._visit
        phase = self._phase
        if visit is None:
            return
        if phase is Phase.LANGUAGE:
            self._end(EndReason.CANCELLED)
        elif phase is Phase.CATALOGUE:
            self._enter(Phase.LANGUAGE)
        elif phase is Phase.OPTIONS:
            visit.forget_document()
            self._enter(Phase.CATALOGUE)
        elif phase in (Phase.IDENTITY, Phase.FEE):
            self._abort_transaction(EndReason.CANCELLED)
            visit.rrn.wipe()
            visit.rrn_hint = None
            self._enter(Phase.OPTIONS)
        elif phase is Phase.CAPTURE:
            visit.fingerprint_hint = None
            self._enter(Phase.IDENTITY)
        elif phase is Phase.PAYMENT_RETRY:
            self._enter(Phase.FEE)
        elif phase is Phase.FAILURE:
            self._leave_failure(visit)

    def _on_cancel(self, _: view.Cancel) -> None:
        visit = self._visit
        if visit is None or self._phase in (Phase.ABORTING, Phase.RETRACTING):
            return
        if self._phase in CANCEL_THROUGH_CORE:
            self._abort_transaction(EndReason.CANCELLED)
            self._enter(Phase.ABORTING)
        elif self._phase is Phase.COLLECT and not visit.document_taken:
            self._play(Cue.COLLECT_REMINDER)
        elif self._phase in (Phase.COLLECT, Phase.THANKS):
            self._end(EndReason.COMPLETED)
        elif self._phase is Phase.FAILURE:
            self._end(visit.end_reason)
        else:
            self._end(EndReason.CANCELLED)

    def _on_rate(self, intent: view.RateSatisfaction) -> None:
        visit = self._in(Phase.THANKS)
        if visit is not None and intent.score in RATING_SCORES:
            self._emit(PublishEvent("satisfaction", {
                "score": intent.score, "document": visit.document or "",
                "language": visit.language}))
            self._end(EndReason.COMPLETED)

    def _on_skip_rating(self, _: view.SkipRating) -> None:
        if self._in(Phase.THANKS) is not None:
            self._end(EndReason.COMPLETED)

    def _on_volume(self, intent: view.ChangeVolume) -> None:
        if self._visit is not None:
            self._visit.volume = min(VOLUME_MAX, max(0, self._visit.volume + intent.delta))

    def _on_repeat(self, _: view.RepeatGuidance) -> None:
        self._play(Cue.GUIDANCE_REPEAT, to_core=False)

def _ignore(_: object) -> None:
    """ExtendTime and Activity: the dispatcher already restarted the idle timer."""
