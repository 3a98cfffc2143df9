"""The payment-and-issuance saga: every step journaled before it touches the world.

``quoted -> payment_pending -> paid -> fetched -> printing -> printed -> [bound] -> presented
-> taken -> completed``; compensation on failure (R10):

| failure during            | money                       | paper                     | ends   |
|---------------------------|-----------------------------|---------------------------|--------|
| approval (declined, ...)  | nothing authorised          | none                      | failed |
| approval, reply lost      | query the key; void if held | none                      | voided |
| fetch / render / guard    | void the authorisation      | none                      | voided |
| print, bind, present      | void the authorisation      | retract what is in path   | voided |
| not taken before timeout  | captured: it was issued     | retracted into the bin    | retracted |
| after capture             | refund                      | -                         | refunded |

Capture happens only once the citizen has the document (the presenter sensed 'taken'). A
fee of 0 skips payment entirely and ends in ``failed`` instead of ``voided``. The saga runs in a
worker thread; it never holds personal data beyond the identity token the backend returned.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kiosk.errors import (
    DeviceError,
    DeviceOperationError,
    IssuanceError,
    JobMismatch,
    KioskError,
    PaymentDeclined,
)
from kiosk.issuance.journal import Journal, Transaction, TxnState
from kiosk.issuance.ports import PaymentOutcome, PaymentResult, Ports, Receipt

log = logging.getLogger(__name__)

#: How often the wait for 'taken' checks whether it should stop.
COLLECT_POLL_S = 0.25


class Outcome(StrEnum):
    """How a transaction ended, as telemetry and the citizen see it."""

    COMPLETED = "completed"
    VOIDED = "voided"
    REFUNDED = "refunded"
    RETRACTED = "retracted"
    FAILED = "failed"


class IssueStep(StrEnum):
    FETCHING = "fetching"
    PRINTING = "printing"
    BINDING = "binding"
    PRESENTING = "presenting"


ProgressCallback = Callable[[IssueStep, int, int], None]
EventCallback = Callable[[str, Mapping[str, Any]], None]


@dataclass(frozen=True)
class IssueRequest:
    """What to issue; the identity token is the backend's, never the RRN itself."""

    document_code: str
    document_name: str
    options: Mapping[str, str] = field(default_factory=dict)
    identity_token: str | None = None
    copies: int = 1


@dataclass
class IssueContext:
    """Per-transaction working state that is never journaled (masked card stays in memory)."""

    txn: Transaction
    payment: PaymentResult | None = None
    issued_at: str = ""
    copies: int = 1


class IssuanceSaga:
    """Runs transactions against the ports and the journal.

    ``guard(txn_id)`` is asked just before a job goes to the printer: it must say whether
    that transaction is still the current session's; if not, the job is refused.
    """

    def __init__(self, journal: Journal, ports: Ports, kiosk_id: str, *,
                 guard: Callable[[str], bool],
                 on_event: EventCallback | None = None) -> None:
        self.journal = journal
        self.ports = ports
        self.kiosk_id = kiosk_id
        self.guard = guard
        self.on_event = on_event or (lambda kind, payload: None)
        self._contexts: dict[str, IssueContext] = {}
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- steps

    def begin(self, document_code: str, fee_won: int,
              session_started_at: float | None = None) -> str:
        """Record a new transaction (``quoted``); returns its id (= the idempotency key)."""
        txn_id = uuid.uuid4().hex
        txn = self.journal.begin(txn_id, self.kiosk_id, document_code, fee_won,
                                 session_started_at)
        with self._lock:
            self._contexts[txn_id] = IssueContext(txn)
        return txn_id

    def pay(self, txn_id: str) -> PaymentResult:
        """Authorise the fee with the transaction id as idempotency key.

        Raises:
            PaymentDeclined: declined, cancelled, timed out or card removed (nothing charged).
        """
        txn = self.journal.get(txn_id)
        self.journal.advance(txn_id, TxnState.PAYMENT_PENDING)
        try:
            result = self.ports.payment.approve(txn.fee_won, txn_id)
        except DeviceError as exc:
            self._resolve_lost_approval(txn_id, exc)
            raise PaymentDeclined("the card reader did not answer", step="payment",
                                  code="issuance.payment_unknown") from exc
        if result.outcome is not PaymentOutcome.APPROVED:
            self.journal.advance(txn_id, TxnState.FAILED, detail=result.outcome.value,
                                 error_code=f"payment.{result.outcome.value}")
            self._emit_outcome(txn_id, Outcome.FAILED)
            raise PaymentDeclined(result.reason or result.outcome.value, step="payment",
                                  code=f"issuance.payment_{result.outcome.value}")
        self.journal.advance(txn_id, TxnState.PAID, approval_code=result.approval_code)
        self._context(txn_id).payment = result
        return result

    def issue(self, txn_id: str, request: IssueRequest, progress: ProgressCallback,
              cancelled: threading.Event | None = None) -> int:
        """Fetch, render, print, bind and present; returns the pages presented.

        Raises:
            IssuanceError: the transaction was compensated (voided/failed) and ended.
        """
        cancelled = cancelled or threading.Event()
        try:
            return self._issue(txn_id, request, progress, cancelled)
        except KioskError as exc:
            try:
                self.compensate(txn_id, exc.code)
            except KioskError as compensation_error:
                log.error("compensation failed (%s); recovery will finish it",
                          compensation_error.code)
            if isinstance(exc, IssuanceError):
                raise
            raise IssuanceError(str(exc), step="issue", code=exc.code,
                                message_key=exc.message_key) from exc

    def _issue(self, txn_id: str, request: IssueRequest, progress: ProgressCallback,
               cancelled: threading.Event) -> int:
        progress(IssueStep.FETCHING, 0, 0)
        signed = self.ports.source.fetch(txn_id, request.document_code, request.options,
                                         request.identity_token)
        content = signed.content
        pages = int(content.pages)
        self.journal.advance(txn_id, TxnState.FETCHED, document_number=content.number,
                             pages_expected=pages)
        context = self._context(txn_id)
        context.issued_at = content.issued_at
        context.copies = request.copies
        pdf = self.ports.maker.make_pdf(signed)
        _check_cancel(cancelled)
        if content.transaction_id != txn_id or not self.guard(txn_id):
            self.on_event("job_mismatch", {"reason": "not_current_session",
                                           "document": request.document_code})
            raise JobMismatch("print job does not belong to the current session",
                              step="print")
        if self.ports.printer.finish_previous_job():
            self._clear_paper_path(txn_id)
        total = pages * request.copies
        self.journal.advance(txn_id, TxnState.PRINTING, pages_expected=total)
        progress(IssueStep.PRINTING, 0, total)
        printed = 0
        for copy in range(request.copies):
            printed += self._print_copy(txn_id, pdf, pages, copy, printed, total, progress)
            _check_cancel(cancelled)
            if pages > 1:
                progress(IssueStep.BINDING, copy, request.copies)
                self.ports.finisher.bind(pages)
        del pdf
        self.journal.advance(txn_id, TxnState.PRINTED, pages_printed=printed)
        if pages > 1:
            self.journal.advance(txn_id, TxnState.BOUND)
        progress(IssueStep.PRESENTING, total, total)
        self.ports.finisher.present()
        self.journal.advance(txn_id, TxnState.PRESENTED)
        self._print_receipt(txn_id, request, total)
        return total

    def _print_copy(self, txn_id: str, pdf: bytes, pages: int, copy: int, before: int,
                    total: int, progress: ProgressCallback) -> int:
        job_name = txn_id if copy == 0 else f"{txn_id}-{copy + 1}"
        try:
            printed = self.ports.printer.print_pdf(
                job_name, pdf, pages,
                lambda done: progress(IssueStep.PRINTING, before + done, total))
        except DeviceOperationError as exc:
            done = int(getattr(exc, "pages_done", 0) or 0)
            self.journal.advance(txn_id, TxnState.PRINTING, pages_printed=before + done)
            raise
        if printed != pages:
            self.journal.advance(txn_id, TxnState.PRINTING, pages_printed=before + printed)
            raise DeviceOperationError("printer", f"{printed} of {pages} pages came out",
                                       code="device.page_count")
        return printed

    def _clear_paper_path(self, txn_id: str) -> None:
        """An abandoned job's pages came out just now: into the bin, before this document."""
        try:
            self.ports.finisher.retract()
        except DeviceError as exc:
            log.info("nothing retracted before %s: %s", txn_id, exc.code)

    def collect(self, txn_id: str, timeout_s: float) -> Outcome:
        """Wait for the citizen to take the document; capture, or retract after the timeout."""
        if self.await_collection(txn_id, threading.Event(), timeout_s):
            return self.taken(txn_id)
        return self.retract(txn_id)

    def await_collection(self, txn_id: str, stop: threading.Event, max_wait_s: float) -> bool:
        """True once the presenter senses 'taken'; False when ``stop`` is set or time runs out."""
        deadline = time.monotonic() + max_wait_s
        while not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                if self.ports.finisher.wait_taken(min(COLLECT_POLL_S, remaining)):
                    return True
            except DeviceError as exc:
                log.warning("presenter failed while waiting for %s: %s", txn_id, exc.code)
                stop.wait(min(COLLECT_POLL_S, max(0.0, remaining)))
        return False

    def taken(self, txn_id: str) -> Outcome:
        """The citizen has the document: capture the payment and complete."""
        self.journal.advance(txn_id, TxnState.TAKEN)
        return self._capture(txn_id, Outcome.COMPLETED)

    def retract(self, txn_id: str) -> Outcome:
        """Not taken in time: pull it into the retract bin; it was issued, so it stays paid."""
        try:
            self.ports.finisher.retract()
        except DeviceError as exc:
            log.warning("retract failed: %s", exc.code)
        return self._capture(txn_id, Outcome.RETRACTED)

    def compensate(self, txn_id: str, error_code: str) -> Outcome:
        """Undo what an unfinished transaction did: retract paper, void money; end it."""
        txn = self.journal.get(txn_id)
        if txn.finished:
            return Outcome(txn.state.value)
        if txn.state in (TxnState.PRINTING, TxnState.PRINTED, TxnState.BOUND,
                         TxnState.PRESENTED):
            try:
                self.ports.finisher.retract()
            except DeviceError as exc:
                log.warning("retract during compensation failed: %s", exc.code)
        if txn.state is TxnState.PAYMENT_PENDING:
            self._resolve_lost_approval(txn_id, None)
            return Outcome(self.journal.get(txn_id).state.value)
        if txn.fee_won and txn.state is not TxnState.QUOTED:
            return self._void(txn_id, error_code)
        self.journal.advance(txn_id, TxnState.FAILED, error_code=error_code)
        self._emit_outcome(txn_id, Outcome.FAILED)
        return Outcome.FAILED

    def forget(self, txn_id: str) -> None:
        """Drop the in-memory context (end of session)."""
        with self._lock:
            self._contexts.pop(txn_id, None)

    # -------------------------------------------------------------- helpers

    def _context(self, txn_id: str) -> IssueContext:
        with self._lock:
            context = self._contexts.get(txn_id)
            if context is None:
                context = self._contexts[txn_id] = IssueContext(self.journal.get(txn_id))
            return context

    def _capture(self, txn_id: str, outcome: Outcome) -> Outcome:
        txn = self.journal.get(txn_id)
        if txn.fee_won:
            self.ports.payment.capture(txn_id)
        state = TxnState.COMPLETED if outcome is Outcome.COMPLETED else TxnState.RETRACTED
        self.journal.advance(txn_id, state, captured=bool(txn.fee_won))
        self._emit_outcome(txn_id, outcome)
        return outcome

    def _void(self, txn_id: str, error_code: str) -> Outcome:
        self.ports.payment.void(txn_id)
        self.journal.advance(txn_id, TxnState.VOIDED, error_code=error_code)
        self._emit_outcome(txn_id, Outcome.VOIDED)
        return Outcome.VOIDED

    def _resolve_lost_approval(self, txn_id: str, cause: Exception | None) -> None:
        """The approval's reply was lost: ask the reader what really happened."""
        entry = self.ports.payment.query(txn_id)
        if entry is not None and entry.pending:
            entry = self.ports.payment.settle(txn_id)
            if entry is not None and entry.pending:
                log.warning("payment %s still in progress at the reader; recovery will end it",
                            txn_id)
                return
        if entry is not None and entry.authorised and not entry.voided:
            self._void(txn_id, "payment.reply_lost")
        else:
            self.journal.advance(txn_id, TxnState.FAILED, error_code="payment.no_reply")
            self._emit_outcome(txn_id, Outcome.FAILED)
        if cause is not None:
            log.warning("approval reply lost; resolved by query: %s", type(cause).__name__)

    def _print_receipt(self, txn_id: str, request: IssueRequest, pages: int) -> None:
        context = self._context(txn_id)
        txn = self.journal.get(txn_id)
        if not txn.fee_won or context.payment is None:
            return
        receipt = Receipt(document_name=request.document_name, pages=pages,
                          fee_won=txn.fee_won, approval_code=context.payment.approval_code or "",
                          masked_card=context.payment.masked_card or "",
                          kiosk_id=self.kiosk_id, issued_at=context.issued_at,
                          document_number=txn.document_number or "")
        try:
            self.ports.receipt.print_receipt(receipt)
        except DeviceError as exc:
            self.on_event("device_fault", {"device": "receipt", "state": "userError",
                                           "fault": exc.code})

    def _emit_outcome(self, txn_id: str, outcome: Outcome) -> None:
        """The ``issuance`` event of the telemetry contract (no personal data)."""
        txn = self.journal.get(txn_id)
        started = txn.session_started_at or txn.created_at
        payload: dict[str, Any] = {
            "document": txn.document_code, "outcome": outcome.value,
            "pages": txn.pages_printed, "copies": self._context(txn_id).copies,
            "fee_won": txn.fee_won if txn.captured else 0,
            "session_s": round(max(0.0, txn.updated_at - started), 3)}
        if txn.error_code:
            payload["failure"] = txn.error_code
        self.on_event("issuance", payload)


def _check_cancel(cancelled: threading.Event) -> None:
    if cancelled.is_set():
        raise IssuanceError("cancelled by the citizen", step="issue",
                            code="issuance.cancelled", message_key="error.cancelled")
