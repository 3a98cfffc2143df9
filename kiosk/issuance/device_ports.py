"""Adapters from the real drivers to the saga's ports (``kiosk.issuance.ports``).

The A4 printer driver and the receipt driver already speak the ports' language; the card
reader and the binder-presenter need translating:

- card reader: ``approve`` results become ``PaymentResult``; ``confirm`` is the capture;
  ``void`` reverses an approval before or after capture (card-reader.md: VOID of a captured
  transaction is the refund); ``query`` records become ``LedgerEntry``.
- binder: the presenter is told to wait the longest it can (255 s) before retracting by
  itself, because the session decides when a document was not taken; 'taken' is the presenter's
  MEDIA_TAKEN event for the job that was presented.
"""

from __future__ import annotations

import time

from kiosk.devices.binder.codec import ExitState
from kiosk.devices.binder.driver import Binder, MediaOutcome
from kiosk.devices.card_reader.codec import Outcome, Settlement, TxnRecord
from kiosk.devices.card_reader.driver import CardReader
from kiosk.devices.card_reader.results import (
    Approved,
    CancelledByUser,
    CardRemoved,
    Declined,
    PaymentOutcome,
)
from kiosk.errors import DeviceTimeout
from kiosk.issuance.ports import LedgerEntry, PaymentResult
from kiosk.issuance.ports import PaymentOutcome as Outcomes

#: How often a payment being settled after a crash is asked about again.
SETTLE_POLL_S = 0.2
#: The presenter's own take timeout: its maximum, so the session's timeout governs.
PRESENTER_TAKE_TIMEOUT_S = 255


class CardPayment:
    """``PaymentTerminal`` over the card reader driver."""

    def __init__(self, reader: CardReader) -> None:
        self.reader = reader

    def approve(self, amount_won: int, key: str) -> PaymentResult:
        return _result(self.reader.approve(amount_won, key))

    def capture(self, key: str) -> None:
        self.reader.confirm(key)

    def void(self, key: str) -> None:
        self.reader.void(key)

    def refund(self, key: str) -> None:
        self.reader.void(key)

    def query(self, key: str) -> LedgerEntry | None:
        record = self.reader.query(key)
        return None if record is None else _ledger(record)

    def settle(self, key: str) -> LedgerEntry | None:
        self.reader.cancel(key)
        deadline = time.monotonic() + self.reader.config.timeout_s
        while True:
            entry = self.query(key)
            if entry is None or not entry.pending or time.monotonic() >= deadline:
                return entry
            time.sleep(SETTLE_POLL_S)


def _result(outcome: PaymentOutcome) -> PaymentResult:
    if isinstance(outcome, Approved):
        return PaymentResult(Outcomes.APPROVED, outcome.approval_code, outcome.masked_card)
    if isinstance(outcome, Declined):
        return PaymentResult(Outcomes.DECLINED, reason=outcome.reason)
    if isinstance(outcome, CancelledByUser):
        return PaymentResult(Outcomes.CANCELLED, reason="cancelled")
    if isinstance(outcome, CardRemoved):
        return PaymentResult(Outcomes.REMOVED, reason="card_removed")
    return PaymentResult(Outcomes.TIMEOUT, reason="timeout")


def _ledger(record: TxnRecord) -> LedgerEntry:
    approved = record.outcome is Outcome.APPROVED
    return LedgerEntry(authorised=approved,
                       captured=approved and record.settlement is Settlement.CAPTURED,
                       voided=approved and record.settlement is Settlement.VOIDED,
                       approval_code=record.approval_code or None,
                       pending=record.outcome is Outcome.PENDING)


class BinderFinisher:
    """``Finisher`` over the binder-stapler and presenter driver."""

    def __init__(self, binder: Binder) -> None:
        self.binder = binder
        self._job: int | None = None

    def bind(self, sheets: int) -> None:
        self.binder.bind(sheets)

    def present(self) -> None:
        self._job = self.binder.present(take_timeout_s=PRESENTER_TAKE_TIMEOUT_S)

    def wait_taken(self, timeout_s: float) -> bool:
        if self._job is None:
            return False
        try:
            outcome = self.binder.wait_removed(self._job, timeout_s)
        except DeviceTimeout:
            return False
        return outcome is MediaOutcome.TAKEN

    def retract(self) -> None:
        self.binder.retract(0)
        self._job = None

    def document_in_slot(self) -> bool | None:
        status = self.binder.refresh_status()
        return bool(status.exit_state is ExitState.PRESENTED)
