"""The fee receipt's content: a ``Receipt`` record and its Korean lines for an 80 mm roll.

Pure (standard library and ``kiosk.errors``). The fields match the issuance pipeline's
``Receipt`` (kiosk/issuance/ports.py), so the driver prints either; devices never import the
pipeline. The receipt carries no personal data: the card number must arrive masked (at most
10 digits visible, as VAN terminals print it) and is refused otherwise.

Widths: 42 columns of Font A (12 x 24 dots on a 512-dot line); a KS X 1001 character is a
24 x 24 cell, so it takes two columns.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Protocol

from kiosk.errors import DeviceError

COLUMNS = 42  # Font A on 80 mm paper (512 printable dots / 12)
MAX_VISIBLE_CARD_DIGITS = 10  # first 6 + last 4 (PCI DSS masking, as VAN receipts print)
MIN_MASKED_CARD_DIGITS = 4
CARD_CHARACTERS = frozenset("0123456789*- ")
TITLE = "민원 수수료 영수증"
THANKS = "이용해 주셔서 감사합니다."


class InvalidReceipt(DeviceError):
    """A receipt field cannot be printed as given (an unmasked card number, a bad count)."""

    code = "receipt.invalid"

    def __init__(self, detail: str) -> None:
        super().__init__("receipt", detail, fault="invalid_receipt")


class ReceiptFields(Protocol):
    """What a receipt shows; the pipeline's ``Receipt`` has exactly these attributes."""

    document_name: str
    pages: int
    fee_won: int
    approval_code: str
    masked_card: str
    kiosk_id: str
    issued_at: str
    document_number: str


@dataclass(frozen=True)
class Receipt:
    """One fee receipt (mirrors ``kiosk.issuance.ports.Receipt``)."""

    document_name: str
    pages: int
    fee_won: int
    approval_code: str
    masked_card: str
    kiosk_id: str
    issued_at: str
    document_number: str


def display_width(text: str) -> int:
    """Columns ``text`` takes on the printer: wide (Korean) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def check_masked_card(masked_card: str) -> None:
    """Refuse a card number that is not masked.

    Raises:
        InvalidReceipt: unexpected characters, too few masked or too many visible digits
            (the text never repeats the number).
    """
    if not set(masked_card) <= CARD_CHARACTERS:
        raise InvalidReceipt("masked card number has characters other than digits, '*', '-'")
    digits = sum(char.isdigit() for char in masked_card)
    masked = masked_card.count("*")
    if digits > MAX_VISIBLE_CARD_DIGITS or masked < MIN_MASKED_CARD_DIGITS:
        raise InvalidReceipt(f"card number is not masked ({digits} digits visible, "
                             f"{masked} masked); refusing to print it")


def _pair(label: str, value: str, columns: int) -> str:
    gap = columns - display_width(label) - display_width(value)
    return label + " " * max(gap, 1) + value


def _centre(text: str, columns: int) -> str:
    return " " * max((columns - display_width(text)) // 2, 0) + text


def format_fee(fee_won: int) -> str:
    return f"{fee_won:,}원"


def receipt_lines(receipt: ReceiptFields, *, columns: int = COLUMNS) -> list[str]:
    """The receipt's lines, without newlines.

    Raises:
        InvalidReceipt: negative fee or page count, or an unmasked card number.
    """
    if receipt.fee_won < 0 or receipt.pages < 1:
        raise InvalidReceipt(f"fee {receipt.fee_won} and pages {receipt.pages} must be "
                             ">= 0 and >= 1")
    paid = receipt.fee_won > 0
    if paid:
        check_masked_card(receipt.masked_card)
    lines = [_centre(TITLE, columns), "=" * columns,
             _pair("발급기", receipt.kiosk_id, columns),
             _pair("발급일시", receipt.issued_at, columns),
             _pair("문서", receipt.document_name, columns),
             _pair("매수", f"{receipt.pages}매", columns),
             _pair("문서확인번호", receipt.document_number, columns),
             "-" * columns,
             _pair("수수료", format_fee(receipt.fee_won), columns)]
    if paid:
        lines += [_pair("카드번호", receipt.masked_card, columns),
                  _pair("승인번호", receipt.approval_code, columns)]
    lines += ["=" * columns, _centre(THANKS, columns)]
    return lines
