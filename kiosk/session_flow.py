"""The citizen session's reactions to the core: one method per ``kiosk.session_events`` event.

Part of ``kiosk.session.Session`` (a mixin, kept apart so that each file stays readable). Each
handler checks that the event fits the current phase and, for visit and transaction events,
the current visit or transaction; anything else is stale and ignored. The flow is documented
in ``kiosk.session``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kiosk import session_events as ev
from kiosk import view
from kiosk.session_effects import CaptureFingerprint, EndReason
from kiosk.session_intents import IntentHandlers
from kiosk.session_settings import CAPTURE_FAILURES_MAX, PAYMENT_ATTEMPTS
from kiosk.session_visit import ENDED_BY_SERVICE_KEY, Phase, Visit
from kiosk.view import Cue, FailureKey, FingerprintHint, NextStep, PaymentHint

#: Failed-match hints that cost an identity attempt.
MATCH_FAILURES = frozenset({FingerprintHint.NO_MATCH, FingerprintHint.NOT_LIVE})


class EventHandlers(IntentHandlers):
    """Event handlers of ``Session``."""

    def _init_handlers(self) -> None:
        self._intent_handlers = self._intent_table()
        self._event_handlers: dict[type, Callable[[Any], None]] = {
            ev.DevicesChanged: self._on_devices, ev.BackendReachability: self._on_backend,
            ev.ServiceModeChanged: self._on_service_mode, ev.HeadsetChanged: self._on_headset,
            ev.CardRemoved: self._on_card_removed, ev.FingerprintCaptured: self._on_captured,
            ev.FingerprintFailed: self._on_capture_failed,
            ev.IdentityVerified: self._on_verified, ev.IdentityRejected: self._on_rejected,
            ev.PaymentApproved: self._on_approved, ev.PaymentFailed: self._on_payment_failed,
            ev.IssuingProgress: self._on_progress, ev.DocumentPresented: self._on_presented,
            ev.DocumentTaken: self._on_taken, ev.DocumentRetracted: self._on_retracted,
            ev.ReceiptPrinted: self._on_receipt, ev.TransactionFailed: self._on_txn_failed,
            ev.TransactionAborted: self._on_txn_aborted,
        }

    def _dispatch_event(self, event: object) -> None:
        handler = self._event_handlers.get(type(event))
        if handler is not None:
            handler(event)

    # ------------------------------------------------------------------ kiosk events

    def _on_devices(self, event: ev.DevicesChanged) -> None:
        self._condition = replace(self._condition, usable=frozenset(event.usable),
                                  device_reasons=tuple(event.reasons))

    def _on_backend(self, event: ev.BackendReachability) -> None:
        self._condition = replace(self._condition, backend_reachable=event.reachable)

    def _on_service_mode(self, event: ev.ServiceModeChanged) -> None:
        self._condition = replace(self._condition, service_mode=event.on)
        if event.on and self._in(*ENDED_BY_SERVICE_KEY) is not None:
            self._end(EndReason.SERVICE_MODE)

    def _on_headset(self, event: ev.HeadsetChanged) -> None:
        self._headset = event.plugged
        if event.plugged and self._phase is Phase.IDLE:
            self._begin_visit(self._settings.default_language, Phase.LANGUAGE)

    def _on_card_removed(self, _: ev.CardRemoved) -> None:
        visit = self._visit
        if visit is not None:
            visit.card_present = False
            if self._phase is Phase.COLLECT and visit.document_taken:
                self._enter(Phase.THANKS)

    # ------------------------------------------------------------------ identity

    def _on_captured(self, event: ev.FingerprintCaptured) -> None:
        visit = self._for_visit(event.session, Phase.CAPTURE)
        if visit is not None:
            self._verify(visit)

    def _on_capture_failed(self, event: ev.FingerprintFailed) -> None:
        visit = self._for_visit(event.session, Phase.CAPTURE)
        if visit is None:
            return
        hint = FingerprintHint(event.hint)
        if hint in MATCH_FAILURES:
            self._failed_match(visit, hint)
            return
        visit.fingerprint_hint = hint.value
        if hint is not FingerprintHint.NO_FINGER:
            visit.capture_failures += 1
            self._idle.restart(self._now)
        if visit.capture_failures >= CAPTURE_FAILURES_MAX:
            self._fail(FailureKey.CAPTURE_ATTEMPTS, NextStep.VISIT_COUNTER,
                       EndReason.IDENTITY_FAILED)
        else:
            self._emit(CaptureFingerprint(visit.number))

    def _on_verified(self, event: ev.IdentityVerified) -> None:
        visit = self._for_txn(event.txn, Phase.VERIFY)
        if visit is not None:
            visit.identity_verified = True
            visit.rrn.wipe()
            visit.fingerprint_hint = None
            self._after_identity(visit)

    def _on_rejected(self, event: ev.IdentityRejected) -> None:
        visit = self._for_txn(event.txn, Phase.VERIFY)
        if visit is None:
            return
        if event.reason == ev.IdentityRejection.NOT_ENTITLED:
            self._fail(FailureKey.NOT_ENTITLED, NextStep.VISIT_COUNTER,
                       EndReason.IDENTITY_FAILED)
        else:
            self._failed_match(visit, FingerprintHint(event.reason.value))

    def _failed_match(self, visit: Visit, hint: FingerprintHint) -> None:
        visit.identity_attempts_left -= 1
        visit.fingerprint_hint = hint.value
        if visit.identity_attempts_left <= 0:
            self._fail(FailureKey.IDENTITY_ATTEMPTS, NextStep.VISIT_COUNTER,
                       EndReason.IDENTITY_FAILED)
        else:
            self._enter(Phase.CAPTURE)
            self._emit(CaptureFingerprint(visit.number))

    # ------------------------------------------------------------------ payment and issuing

    def _on_approved(self, event: ev.PaymentApproved) -> None:
        visit = self._for_txn(event.txn, Phase.PAYMENT)
        if visit is not None:
            visit.paid = True
            visit.card_present = event.card_present
            self._start_issuing(visit)

    def _on_payment_failed(self, event: ev.PaymentFailed) -> None:
        visit = self._for_txn(event.txn, Phase.PAYMENT)
        if visit is None:
            return
        visit.txn_open = False
        visit.payment_hint = PaymentHint(f"payment.{event.reason.value}").value
        if visit.payment_attempts >= PAYMENT_ATTEMPTS:
            self._fail(FailureKey.PAYMENT_ATTEMPTS, NextStep.TRY_LATER,
                       EndReason.PAYMENT_FAILED)
        else:
            self._enter(Phase.PAYMENT_RETRY)

    def _on_progress(self, event: ev.IssuingProgress) -> None:
        visit = self._for_txn(event.txn, Phase.ISSUING)
        if visit is not None:
            visit.progress = view.Progress(view.IssuingStep(event.step), event.done, event.total)
            self._enter(Phase.ISSUING)

    def _on_presented(self, event: ev.DocumentPresented) -> None:
        if self._for_txn(event.txn, Phase.ISSUING) is not None:
            self._enter(Phase.COLLECT)
            self._play(Cue.COLLECT_CHIME)

    def _on_taken(self, event: ev.DocumentTaken) -> None:
        visit = self._for_txn(event.txn, Phase.ISSUING, Phase.COLLECT, Phase.RETRACTING)
        if visit is None:
            return
        visit.document_taken = True
        visit.txn_open = False
        if not visit.card_present:
            self._enter(Phase.THANKS)
        elif self._phase is not Phase.COLLECT:
            self._enter(Phase.COLLECT)

    def _on_retracted(self, event: ev.DocumentRetracted) -> None:
        visit = self._for_txn(event.txn, Phase.COLLECT, Phase.RETRACTING)
        if visit is not None and not visit.document_taken:
            visit.txn_open = False
            self._fail(FailureKey.RETRACTED, NextStep.ASK_STAFF, EndReason.RETRACTED)

    def _on_receipt(self, event: ev.ReceiptPrinted) -> None:
        visit = self._for_txn(event.txn, Phase.ISSUING, Phase.COLLECT, Phase.RETRACTING)
        if visit is not None:
            visit.receipt_printed = True

    def _on_txn_failed(self, event: ev.TransactionFailed) -> None:
        visit = self._visit
        if visit is None or visit.txn != event.txn:
            return
        if self._phase is Phase.ABORTING:
            self._aborted(event.refunded)
        elif visit.txn_open and not visit.document_taken:
            visit.txn_open = False
            self._fail(event.message_key,
                       NextStep.REFUNDED if event.refunded else NextStep.TRY_LATER,
                       EndReason.FAILED, refunded=event.refunded)

    def _on_txn_aborted(self, event: ev.TransactionAborted) -> None:
        if self._for_txn(event.txn, Phase.ABORTING) is not None:
            self._aborted(event.refunded)

    def _aborted(self, refunded: bool) -> None:
        self._fail(FailureKey.CANCELLED, NextStep.REFUNDED if refunded else NextStep.NONE,
                   EndReason.CANCELLED, refunded=refunded)
