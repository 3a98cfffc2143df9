"""Resolve every unfinished transaction after a crash or power cut: never guessed, never
charged twice, never left paid without a document or a refund.

For each transaction the journal left open, the card reader is asked what really happened to
its idempotency key (``query``), the printer's queue is purged, and the presenter is asked
whether a document waits at the slot:

| journal state                         | reader says          | action                | ends |
|---------------------------------------|----------------------|-----------------------|------|
| quoted                                | -                    | -                     | failed |
| payment_pending                       | nothing / voided     | -                     | failed |
| payment_pending                       | authorised           | void                  | voided |
| payment_pending                       | still in progress    | cancel, then as above | ...    |
| paid .. bound (paper may be in path)  | authorised           | retract, void         | voided |
| paid .. bound                         | captured             | retract, refund       | refunded |
| presented, document still in the slot | authorised/captured  | retract, capture      | retracted |
| presented, slot empty (taken)         | authorised/captured  | capture               | completed |
| taken                                 | authorised/captured  | capture               | completed |

A capture is skipped when the reader already captured, and a void when it already voided, so
running recovery twice changes nothing. If a device needed for the resolution is down, the
transaction stays open and the next run (at the next start or on the core's timer) resolves it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from kiosk.errors import DeviceError, DeviceTimeout, KioskError
from kiosk.issuance.journal import Journal, Transaction, TxnState
from kiosk.issuance.ports import LedgerEntry, Ports
from kiosk.issuance.saga import Outcome

log = logging.getLogger(__name__)

_PAPER_IN_PATH = frozenset({TxnState.PAID, TxnState.FETCHED, TxnState.PRINTING,
                            TxnState.PRINTED, TxnState.BOUND})


@dataclass(frozen=True)
class Resolution:
    """How recovery ended one transaction (``outcome`` None: still open, retry later)."""

    txn_id: str
    from_state: TxnState
    outcome: Outcome | None
    reason: str = ""


class Recovery:
    """Resolves the journal's open transactions against the real devices."""

    def __init__(self, journal: Journal, ports: Ports) -> None:
        self.journal = journal
        self.ports = ports

    def run(self) -> list[Resolution]:
        """Resolve every unfinished transaction, oldest first (at start, before any session)."""
        return self._run(self.journal.unfinished(), purge=True)

    def run_for(self, txn_ids: Collection[str]) -> list[Resolution]:
        """Resolve only these transactions (those no live session owns any more)."""
        return self._run([t for t in self.journal.unfinished() if t.txn_id in txn_ids],
                         purge=False)

    def _run(self, open_transactions: list[Transaction], *, purge: bool) -> list[Resolution]:
        if open_transactions and purge:
            try:
                self.ports.printer.purge()
            except KioskError as exc:
                log.warning("could not purge the printer queue: %s", exc.code)
        resolutions = []
        for txn in open_transactions:
            try:
                outcome = self._resolve(txn)
            except KioskError as exc:
                log.warning("transaction %s stays open: %s", txn.txn_id, exc.code)
                resolutions.append(Resolution(txn.txn_id, txn.state, None, exc.code))
                continue
            resolutions.append(Resolution(txn.txn_id, txn.state, outcome))
        return resolutions

    def _resolve(self, txn: Transaction) -> Outcome:
        entry = self.ports.payment.query(txn.txn_id) if txn.fee_won else None
        if entry is not None and entry.pending:
            entry = self.ports.payment.settle(txn.txn_id)
            if entry is not None and entry.pending:
                raise DeviceTimeout("card_reader", "payment still in progress at the reader")
        if txn.state is TxnState.QUOTED:
            return self._end(txn, TxnState.FAILED, "recovery.never_paid")
        if txn.state is TxnState.PAYMENT_PENDING:
            if _held(entry):
                return self._void(txn, entry)
            if entry is not None and entry.captured:
                return self._refund(txn)
            return self._end(txn, TxnState.FAILED, "recovery.no_authorisation")
        if txn.state in _PAPER_IN_PATH:
            self._clear_paper_path(txn)
            if entry is not None and entry.captured and not entry.refunded:
                return self._refund(txn)
            if _held(entry):
                return self._void(txn, entry)
            return self._end(txn, TxnState.VOIDED if txn.fee_won else TxnState.FAILED,
                             "recovery.interrupted")
        if txn.state is TxnState.PRESENTED:
            in_slot = self.ports.finisher.document_in_slot()
            if in_slot is False:
                self.journal.advance(txn.txn_id, TxnState.TAKEN, detail="recovery")
                return self._capture(txn, entry, TxnState.COMPLETED)
            self._clear_paper_path(txn)
            return self._capture(txn, entry, TxnState.RETRACTED)
        if txn.state is TxnState.TAKEN:
            return self._capture(txn, entry, TxnState.COMPLETED)
        raise AssertionError(f"unexpected open state {txn.state}")

    def _clear_paper_path(self, txn: Transaction) -> None:
        """Pull whatever is in the paper path into the bin; an empty path is not a failure, and a
        binder that cannot do it leaves a job for the technician, not a reason to keep money."""
        try:
            self.ports.finisher.retract()
        except DeviceError as exc:
            log.warning("transaction %s: paper path not cleared (%s)", txn.txn_id, exc.code)

    def _capture(self, txn: Transaction, entry: LedgerEntry | None,
                 state: TxnState) -> Outcome:
        if txn.fee_won and not (entry is not None and entry.captured):
            self.ports.payment.capture(txn.txn_id)
        self.journal.advance(txn.txn_id, state, detail="recovery", captured=bool(txn.fee_won))
        return Outcome(state.value)

    def _void(self, txn: Transaction, entry: LedgerEntry | None) -> Outcome:
        if entry is None or not entry.voided:
            self.ports.payment.void(txn.txn_id)
        return self._end(txn, TxnState.VOIDED, "recovery.voided")

    def _refund(self, txn: Transaction) -> Outcome:
        self.ports.payment.refund(txn.txn_id)
        return self._end(txn, TxnState.REFUNDED, "recovery.refunded")

    def _end(self, txn: Transaction, state: TxnState, code: str) -> Outcome:
        self.journal.advance(txn.txn_id, state, detail="recovery", error_code=code)
        return Outcome(state.value)


def _held(entry: LedgerEntry | None) -> bool:
    return entry is not None and entry.authorised and not entry.voided and not entry.captured
