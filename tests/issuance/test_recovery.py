"""Recovery after a crash at each saga state, against fake ports with a card ledger: every
transaction ends, nothing is captured twice or without a document, and a second run is a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.errors import DeviceUnavailable
from kiosk.issuance.journal import Journal, TxnState
from kiosk.issuance.ports import LedgerEntry
from kiosk.issuance.recovery import Recovery
from kiosk.issuance.saga import Outcome
from tests.issuance.fakes import Faults, fake_ports

PATH = ["quoted", "payment_pending", "paid", "fetched", "printing", "printed", "bound",
        "presented", "taken"]


def journal_at(journal: Journal, state: str, fee: int = 200) -> str:
    """A transaction walked along the happy path up to ``state``, as a crash would leave it."""
    txn = f"txn-{state}"
    journal.begin(txn, "k", "resident-copy", fee)
    for step in PATH[1:PATH.index(state) + 1]:
        journal.advance(txn, TxnState(step))
    return txn


@pytest.fixture
def journal(tmp_path: Path):
    journal = Journal(tmp_path / "journal.sqlite")
    yield journal
    journal.close()


@pytest.mark.parametrize(("state", "authorised", "in_slot", "expected", "captured"), [
    ("quoted", False, False, Outcome.FAILED, False),
    ("payment_pending", False, False, Outcome.FAILED, False),
    ("payment_pending", True, False, Outcome.VOIDED, False),
    ("paid", True, False, Outcome.VOIDED, False),
    ("fetched", True, False, Outcome.VOIDED, False),
    ("printing", True, False, Outcome.VOIDED, False),
    ("printed", True, False, Outcome.VOIDED, False),
    ("bound", True, False, Outcome.VOIDED, False),
    ("presented", True, True, Outcome.RETRACTED, True),
    ("presented", True, False, Outcome.COMPLETED, True),
    ("taken", True, False, Outcome.COMPLETED, True),
])
def test_each_state_is_resolved(journal: Journal, state: str, authorised: bool, in_slot: bool,
                                expected: Outcome, captured: bool) -> None:
    ports = fake_ports(Faults())
    txn = journal_at(journal, state)
    if authorised:
        ports.payment.ledger[txn] = LedgerEntry(True, False, False, approval_code="A1")  # type: ignore[attr-defined]
    ports.finisher.in_slot = in_slot  # type: ignore[attr-defined]
    [resolution] = Recovery(journal, ports).run()
    assert resolution.outcome is expected
    assert journal.get(txn).state.value == expected.value
    entry = ports.payment.query(txn)
    assert (entry is not None and entry.captured) is captured
    if entry is not None and not captured:
        assert entry.voided
    assert journal.unfinished() == []
    assert Recovery(journal, ports).run() == []
    assert ports.payment.captures == ([txn] if captured else [])  # type: ignore[attr-defined]


def test_paper_in_path_is_retracted_and_queue_purged(journal: Journal) -> None:
    ports = fake_ports(Faults())
    txn = journal_at(journal, "printing")
    ports.payment.ledger[txn] = LedgerEntry(True, False, False)  # type: ignore[attr-defined]
    Recovery(journal, ports).run()
    assert ports.finisher.retracted == 1  # type: ignore[attr-defined]
    assert ports.printer.purges == 1  # type: ignore[attr-defined]


def test_already_captured_is_not_captured_again(journal: Journal) -> None:
    ports = fake_ports(Faults())
    txn = journal_at(journal, "taken")
    ports.payment.ledger[txn] = LedgerEntry(True, True, False)  # type: ignore[attr-defined]
    Recovery(journal, ports).run()
    assert ports.payment.captures == []  # type: ignore[attr-defined]
    assert journal.get(txn).state is TxnState.COMPLETED


def test_captured_before_the_document_came_out_is_refunded(journal: Journal) -> None:
    ports = fake_ports(Faults())
    txn = journal_at(journal, "printed")
    ports.payment.ledger[txn] = LedgerEntry(True, True, False)  # type: ignore[attr-defined]
    [resolution] = Recovery(journal, ports).run()
    assert resolution.outcome is Outcome.REFUNDED
    assert ports.payment.ledger[txn].refunded  # type: ignore[attr-defined]


def test_device_down_leaves_transaction_open_for_the_next_run(journal: Journal) -> None:
    ports = fake_ports(Faults())
    txn = journal_at(journal, "paid")
    ports.payment.ledger[txn] = LedgerEntry(True, False, False)  # type: ignore[attr-defined]

    def reader_down(key: str) -> LedgerEntry:
        raise DeviceUnavailable("card_reader", "not connected")

    real_query = ports.payment.query
    ports.payment.query = reader_down  # type: ignore[method-assign]
    [resolution] = Recovery(journal, ports).run()
    assert resolution.outcome is None and resolution.reason == "device.unavailable"
    assert journal.get(txn).state is TxnState.PAID
    ports.payment.query = real_query  # type: ignore[method-assign]
    [resolution] = Recovery(journal, ports).run()
    assert resolution.outcome is Outcome.VOIDED


def test_free_document_interrupted_fails_without_money(journal: Journal) -> None:
    ports = fake_ports(Faults())
    txn = journal_at(journal, "printed", fee=0)
    [resolution] = Recovery(journal, ports).run()
    assert resolution.outcome is Outcome.FAILED
    assert ports.payment.ledger == {}  # type: ignore[attr-defined]
    assert journal.get(txn).state is TxnState.FAILED


def test_payment_still_pending_at_the_reader_is_settled_first(journal: Journal) -> None:
    ports = fake_ports(Faults())
    txn = journal_at(journal, "payment_pending")
    ports.payment.ledger[txn] = LedgerEntry(False, False, False, pending=True)  # type: ignore[attr-defined]
    ports.payment.settles_to[txn] = LedgerEntry(True, False, False, approval_code="A9")  # type: ignore[attr-defined]
    [resolution] = Recovery(journal, ports).run()
    assert resolution.outcome is Outcome.VOIDED
    assert ports.payment.ledger[txn].voided  # type: ignore[attr-defined]


def test_payment_that_stays_pending_keeps_the_transaction_open(journal: Journal) -> None:
    ports = fake_ports(Faults())
    txn = journal_at(journal, "payment_pending")
    stuck = LedgerEntry(False, False, False, pending=True)
    ports.payment.ledger[txn] = stuck  # type: ignore[attr-defined]
    ports.payment.settles_to[txn] = stuck  # type: ignore[attr-defined]
    [resolution] = Recovery(journal, ports).run()
    assert resolution.outcome is None and journal.get(txn).state is TxnState.PAYMENT_PENDING
