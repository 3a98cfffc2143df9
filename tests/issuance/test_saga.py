"""The saga's logic against fake ports: every failure at every step ends in a defined outcome,
money is captured only with a document in hand, and the journal tells the whole story."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kiosk.errors import IssuanceError, PaymentDeclined
from kiosk.issuance.journal import Journal, JournalError, TxnState
from kiosk.issuance.saga import IssuanceSaga, IssueRequest, Outcome
from kiosk.telemetry.wire_events import EventKind, check_payload
from tests.issuance.fakes import FakePayment, FakeSource, Faults, fake_ports

REQUEST = IssueRequest("resident-copy", "주민등록표 등본", {"history": "recent"}, "token")


@pytest.fixture
def journal(tmp_path: Path):
    journal = Journal(tmp_path / "journal.sqlite")
    yield journal
    journal.close()


def make_saga(journal: Journal, faults: Faults, pages: int = 1, guard=lambda txn: True):
    ports = fake_ports(faults, pages)
    events: list[tuple[str, dict]] = []

    def record(kind: str, payload: dict) -> None:
        check_payload(EventKind(kind), payload)  # every event keeps the telemetry contract
        events.append((kind, dict(payload)))

    saga = IssuanceSaga(journal, ports, "jongno-0001", guard=guard, on_event=record)
    return saga, ports, events


def run_all(saga: IssuanceSaga, fee: int = 200, timeout_s: float = 1.0) -> tuple[str, Outcome]:
    txn = saga.begin("resident-copy", fee)
    if fee:
        saga.pay(txn)
    saga.issue(txn, REQUEST, lambda step, done, total: None)
    return txn, saga.collect(txn, timeout_s)


def test_happy_path_captures_once_after_taken(journal: Journal) -> None:
    saga, ports, events = make_saga(journal, Faults(), pages=3)
    txn, outcome = run_all(saga)
    assert outcome is Outcome.COMPLETED
    payment: FakePayment = ports.payment  # type: ignore[assignment]
    assert payment.captures == [txn]
    assert ports.finisher.bound == [3]  # type: ignore[attr-defined]
    row = journal.get(txn)
    assert (row.state, row.pages_printed, row.captured) == (TxnState.COMPLETED, 3, True)
    assert [to for _, to in journal.history(txn)] == [
        "quoted", "payment_pending", "paid", "fetched", "printing", "printed", "bound",
        "presented", "taken", "completed"]
    [receipt] = ports.receipt.receipts  # type: ignore[attr-defined]
    assert receipt.masked_card == "5409-12**-****-1234" and receipt.fee_won == 200
    kind, payload = events[-1]
    assert kind == "issuance"
    assert {k: v for k, v in payload.items() if k != "session_s"} == {
        "document": "resident-copy", "pages": 3, "copies": 1, "fee_won": 200,
        "outcome": "completed"}


def test_single_page_is_not_bound_and_free_document_skips_payment(journal: Journal) -> None:
    saga, ports, _ = make_saga(journal, Faults(), pages=1)
    txn, outcome = run_all(saga, fee=0)
    assert outcome is Outcome.COMPLETED
    assert ports.finisher.bound == [] and ports.payment.approvals == []  # type: ignore[attr-defined]
    assert ports.receipt.receipts == []  # type: ignore[attr-defined]
    assert journal.get(txn).captured is False


def test_progress_reports_every_page(journal: Journal) -> None:
    saga, _, _ = make_saga(journal, Faults(), pages=2)
    seen: list[tuple[str, int, int]] = []
    txn = saga.begin("resident-copy", 0)
    saga.issue(txn, REQUEST, lambda step, done, total: seen.append((step.value, done, total)))
    assert seen == [("fetching", 0, 0), ("printing", 0, 2), ("printing", 1, 2),
                    ("printing", 2, 2), ("binding", 0, 1), ("presenting", 2, 2)]


@pytest.mark.parametrize(("fault", "expected_state", "voided"), [
    ("backend_down", TxnState.VOIDED, True),
    ("jam", TxnState.VOIDED, True),
    ("binder_jam", TxnState.VOIDED, True),
])
def test_failure_after_payment_voids(journal: Journal, fault: str, expected_state: TxnState,
                                     voided: bool) -> None:
    saga, ports, events = make_saga(journal, Faults({fault}), pages=2)
    txn = saga.begin("resident-copy", 200)
    saga.pay(txn)
    with pytest.raises(IssuanceError):
        saga.issue(txn, REQUEST, lambda *a: None)
    row = journal.get(txn)
    assert row.state is expected_state
    assert ports.payment.ledger[txn].voided is voided  # type: ignore[attr-defined]
    assert ports.payment.captures == []  # type: ignore[attr-defined]
    assert events[-1][0] == "issuance"
    assert events[-1][1]["outcome"] == "voided" and events[-1][1]["fee_won"] == 0


def test_jam_records_pages_done_and_retracts_paper(journal: Journal) -> None:
    saga, ports, _ = make_saga(journal, Faults({"jam"}), pages=3)
    txn = saga.begin("resident-copy", 200)
    saga.pay(txn)
    with pytest.raises(IssuanceError):
        saga.issue(txn, REQUEST, lambda *a: None)
    assert journal.get(txn).pages_printed == 2
    assert ports.finisher.retracted == 1  # type: ignore[attr-defined]


def test_declined_payment_fails_without_charge(journal: Journal) -> None:
    saga, ports, events = make_saga(journal, Faults({"declined"}))
    txn = saga.begin("resident-copy", 200)
    with pytest.raises(PaymentDeclined):
        saga.pay(txn)
    assert journal.get(txn).state is TxnState.FAILED
    assert txn not in ports.payment.ledger  # type: ignore[attr-defined]
    assert events[-1][1]["outcome"] == "failed"
    assert events[-1][1]["failure"] == "payment.declined"


def test_lost_approval_reply_is_resolved_by_query(journal: Journal) -> None:
    saga, ports, _ = make_saga(journal, Faults({"no_reply_after_charge"}))
    txn = saga.begin("resident-copy", 200)
    with pytest.raises(PaymentDeclined):
        saga.pay(txn)
    assert journal.get(txn).state is TxnState.VOIDED
    assert ports.payment.ledger[txn].voided  # type: ignore[attr-defined]


def test_not_taken_is_retracted_and_paid(journal: Journal) -> None:
    saga, ports, events = make_saga(journal, Faults({"not_taken"}))
    txn, outcome = run_all(saga)
    assert outcome is Outcome.RETRACTED
    assert ports.finisher.retracted == 1  # type: ignore[attr-defined]
    assert ports.payment.captures == [txn]  # type: ignore[attr-defined]
    assert events[-1][1]["outcome"] == "retracted" and events[-1][1]["fee_won"] == 200


def test_receipt_failure_does_not_fail_the_document(journal: Journal) -> None:
    saga, _, events = make_saga(journal, Faults({"receipt_out"}))
    _, outcome = run_all(saga)
    assert outcome is Outcome.COMPLETED
    assert ("device_fault", {"device": "receipt", "state": "userError",
                             "fault": "device.paper_out"}) in events


def test_job_of_another_session_is_refused(journal: Journal) -> None:
    saga, ports, events = make_saga(journal, Faults(), guard=lambda txn: False)
    txn = saga.begin("resident-copy", 200)
    saga.pay(txn)
    with pytest.raises(IssuanceError) as caught:
        saga.issue(txn, REQUEST, lambda *a: None)
    assert caught.value.code == "issuance.job_mismatch"
    assert ports.printer.jobs == []  # type: ignore[attr-defined]
    assert journal.get(txn).state is TxnState.VOIDED
    assert ("job_mismatch",
            {"reason": "not_current_session", "document": "resident-copy"}) in events


def test_document_for_another_transaction_is_refused(journal: Journal) -> None:
    saga, ports, _ = make_saga(journal, Faults())
    source: FakeSource = ports.source  # type: ignore[assignment]
    source.wrong_transaction = True
    txn = saga.begin("resident-copy", 0)
    with pytest.raises(IssuanceError, match="current session"):
        saga.issue(txn, REQUEST, lambda *a: None)
    assert ports.printer.jobs == []  # type: ignore[attr-defined]
    assert journal.get(txn).state is TxnState.FAILED


def test_cancel_before_printing_voids(journal: Journal) -> None:
    saga, ports, _ = make_saga(journal, Faults())
    cancelled = threading.Event()
    cancelled.set()
    txn = saga.begin("resident-copy", 200)
    saga.pay(txn)
    with pytest.raises(IssuanceError, match="cancelled"):
        saga.issue(txn, REQUEST, lambda *a: None, cancelled)
    assert ports.printer.jobs == []  # type: ignore[attr-defined]
    assert journal.get(txn).state is TxnState.VOIDED


def test_journal_refuses_forbidden_transitions(journal: Journal) -> None:
    journal.begin("t1", "k", "resident-copy", 200)
    with pytest.raises(JournalError, match="quoted -> completed is not allowed"):
        journal.advance("t1", TxnState.COMPLETED)
    with pytest.raises(JournalError, match="cannot update"):
        journal.advance("t1", TxnState.PAYMENT_PENDING, rrn="x")
    with pytest.raises(JournalError, match="unknown transaction"):
        journal.advance("t2", TxnState.FAILED)


def test_requote_only_before_payment(journal: Journal) -> None:
    journal.begin("t1", "k", "resident-copy", 200)
    assert journal.requote("t1", 600).fee_won == 600
    journal.advance("t1", TxnState.PAYMENT_PENDING)
    with pytest.raises(JournalError, match="only a quoted transaction"):
        journal.requote("t1", 200)
    assert journal.get("t1").fee_won == 600


def test_journal_pragmas(journal: Journal) -> None:
    assert journal.pragma("journal_mode") == "wal"
    assert journal.pragma("synchronous") == 2  # FULL
    assert journal.integrity_check() == "ok"
