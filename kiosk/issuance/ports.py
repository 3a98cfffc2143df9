"""What the issuance saga needs from the outside world, as narrow protocols (R10).

The saga depends only on these and on the journal, so its tests use fakes and the core plugs
in adapters over the real drivers, the backend client and the renderer. Every method blocks;
the core runs the saga in a worker thread. Failures are ``kiosk.errors`` exceptions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class PaymentOutcome(StrEnum):
    """How an approval request ended at the card reader."""

    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    REMOVED = "removed"


@dataclass(frozen=True)
class PaymentResult:
    """The reader's answer; only a masked card number ever reaches the kiosk."""

    outcome: PaymentOutcome
    approval_code: str | None = None
    masked_card: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class LedgerEntry:
    """What the reader knows about one idempotency key (for recovery after a crash)."""

    authorised: bool
    captured: bool
    voided: bool
    refunded: bool = False
    approval_code: str | None = None
    pending: bool = False


class PaymentTerminal(Protocol):
    def approve(self, amount_won: int, key: str) -> PaymentResult:
        """Authorise; the same key never charges twice."""

    def capture(self, key: str) -> None:
        """Confirm (capture) an authorisation."""

    def void(self, key: str) -> None:
        """Cancel an authorisation that was not captured."""

    def refund(self, key: str) -> None:
        """Give back a captured payment."""

    def query(self, key: str) -> LedgerEntry | None:
        """What happened to this key, or None if the reader never saw it."""

    def settle(self, key: str) -> LedgerEntry | None:
        """Make a payment still in progress at the reader final (cancel it if it still waits
        for a card, else wait for its result) and return what it ended as."""


class DocumentPrinter(Protocol):
    def print_pdf(self, job_name: str, pdf: bytes, pages: int,
                  on_page: Callable[[int], None]) -> int:
        """Print and return the pages that came out (fewer on a jam, with an error raised).

        Raises:
            DeviceOperationError: with ``pages_done`` set when some pages came out.
        """

    def purge(self) -> None:
        """Drop every job the printer still holds."""

    def finish_previous_job(self) -> bool:
        """Wait until no earlier job is printing; True if one was (its pages just came out)."""


class Finisher(Protocol):
    """The binder-stapler and the presenter at the exit slot."""

    def bind(self, sheets: int) -> None: ...

    def present(self) -> None: ...

    def wait_taken(self, timeout_s: float) -> bool:
        """True once the citizen took the document; False after ``timeout_s``."""

    def retract(self) -> None:
        """Pull whatever is in the path or the slot into the retract bin."""

    def document_in_slot(self) -> bool | None:
        """Is a document waiting at the exit slot (None if the device cannot tell)?"""


@dataclass(frozen=True)
class Receipt:
    """What the receipt shows; no personal data beyond the masked card number."""

    document_name: str
    pages: int
    fee_won: int
    approval_code: str
    masked_card: str
    kiosk_id: str
    issued_at: str
    document_number: str


class ReceiptPrinter(Protocol):
    def print_receipt(self, receipt: Receipt) -> None: ...


class DocumentSource(Protocol):
    """The city backend: a signed document for an identified citizen."""

    def fetch(self, txn_id: str, document_code: str, options: Mapping[str, str],
              identity_token: str | None) -> Any:
        """Return the verified ``SignedDocument``."""


class DocumentMaker(Protocol):
    """Render and sign: a ``SignedDocument`` to a signed PDF."""

    def make_pdf(self, signed: Any) -> bytes: ...


@dataclass
class Ports:
    """The saga's collaborators (adapters over drivers, backend and renderer)."""

    payment: PaymentTerminal
    printer: DocumentPrinter
    finisher: Finisher
    receipt: ReceiptPrinter
    source: DocumentSource
    maker: DocumentMaker
