"""In-memory stand-ins for the saga's ports, with a card ledger and scripted faults.

The saga depends only on the ports (R10), so these test its logic; the real drivers against
the emulators are tested in tests/e2e.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.errors import BackendUnavailable, DeviceOperationError, DeviceTimeout
from kiosk.issuance.ports import LedgerEntry, PaymentOutcome, PaymentResult, Ports, Receipt


@dataclass
class Faults:
    """Which step fails, and how."""

    active: set[str] = field(default_factory=set)

    def hit(self, name: str) -> bool:
        return name in self.active


class FakePayment:
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.ledger: dict[str, LedgerEntry] = {}
        self.captures: list[str] = []
        self.approvals: list[str] = []
        self.settles_to: dict[str, LedgerEntry] = {}

    def approve(self, amount_won: int, key: str) -> PaymentResult:
        self.approvals.append(key)
        if self.faults.hit("declined"):
            return PaymentResult(PaymentOutcome.DECLINED, reason="insufficient funds")
        if key not in self.ledger:
            self.ledger[key] = LedgerEntry(authorised=True, captured=False, voided=False,
                                           approval_code="A1234567")
        if self.faults.hit("no_reply_after_charge"):
            raise DeviceTimeout("card_reader", "no reply")
        return PaymentResult(PaymentOutcome.APPROVED, approval_code="A1234567",
                             masked_card="5409-12**-****-1234")

    def capture(self, key: str) -> None:
        entry = self.ledger[key]
        assert not entry.voided, "capture after void"
        if not entry.captured:
            self.captures.append(key)
        self.ledger[key] = LedgerEntry(True, True, False, approval_code=entry.approval_code)

    def void(self, key: str) -> None:
        entry = self.ledger[key]
        assert not entry.captured, "void after capture"
        self.ledger[key] = LedgerEntry(True, False, True, approval_code=entry.approval_code)

    def refund(self, key: str) -> None:
        entry = self.ledger[key]
        self.ledger[key] = LedgerEntry(True, True, False, refunded=True,
                                       approval_code=entry.approval_code)

    def query(self, key: str) -> LedgerEntry | None:
        return self.ledger.get(key)

    def settle(self, key: str) -> LedgerEntry | None:
        """The reader finishes what was pending: the scripted outcome in ``settles_to``."""
        entry = self.ledger.get(key)
        if entry is not None and entry.pending:
            self.ledger[key] = self.settles_to.get(key, LedgerEntry(False, False, False))
        return self.ledger.get(key)


class FakePrinter:
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.jobs: list[tuple[str, int]] = []
        self.purges = 0

    def print_pdf(self, job_name: str, pdf: bytes, pages: int,
                  on_page: Callable[[int], None]) -> int:
        done = 0
        for page in range(1, pages + 1):
            if self.faults.hit("jam") and page == pages:
                error = DeviceOperationError("printer", "jam", code="device.jam")
                error.pages_done = done  # type: ignore[attr-defined]
                raise error
            done = page
            on_page(page)
        self.jobs.append((job_name, done))
        return done

    def purge(self) -> None:
        self.purges += 1

    def finish_previous_job(self) -> bool:
        return False


class FakeFinisher:
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.bound: list[int] = []
        self.presented = 0
        self.retracted = 0
        self.in_slot = False

    def bind(self, sheets: int) -> None:
        if self.faults.hit("binder_jam"):
            raise DeviceOperationError("binder", "jam", code="device.jam")
        self.bound.append(sheets)

    def present(self) -> None:
        self.presented += 1
        self.in_slot = True

    def wait_taken(self, timeout_s: float) -> bool:
        if self.faults.hit("not_taken"):
            return False
        self.in_slot = False
        return True

    def retract(self) -> None:
        self.retracted += 1
        self.in_slot = False

    def document_in_slot(self) -> bool | None:
        return self.in_slot


class FakeReceipt:
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.receipts: list[Receipt] = []

    def print_receipt(self, receipt: Receipt) -> None:
        if self.faults.hit("receipt_out"):
            raise DeviceOperationError("receipt", "paper out", code="device.paper_out")
        self.receipts.append(receipt)


@dataclass(frozen=True)
class FakeContent:
    number: str
    pages: int
    issued_at: str
    transaction_id: str


@dataclass(frozen=True)
class FakeSigned:
    content: FakeContent


class FakeSource:
    def __init__(self, faults: Faults, pages: int = 1) -> None:
        self.faults = faults
        self.pages = pages
        self.wrong_transaction = False

    def fetch(self, txn_id: str, document_code: str, options: Mapping[str, str],
              identity_token: str | None) -> Any:
        if self.faults.hit("backend_down"):
            raise BackendUnavailable("503", step="fetch")
        owner = "someone-else" if self.wrong_transaction else txn_id
        return FakeSigned(FakeContent("123456789012", self.pages, "2026-11-23T02:14:05+09:00",
                                      owner))


class FakeMaker:
    def make_pdf(self, signed: Any) -> bytes:
        return b"%PDF-1.7 fake"


def fake_ports(faults: Faults, pages: int = 1) -> Ports:
    return Ports(payment=FakePayment(faults), printer=FakePrinter(faults),
                 finisher=FakeFinisher(faults), receipt=FakeReceipt(faults),
                 source=FakeSource(faults, pages), maker=FakeMaker())
