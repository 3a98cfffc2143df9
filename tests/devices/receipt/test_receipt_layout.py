"""The fee receipt's lines: Korean labels all printable, widths, and card masking enforced."""

from __future__ import annotations

import pytest

from kiosk.devices.receipt.codec import printable
from kiosk.devices.receipt.layout import (
    COLUMNS,
    InvalidReceipt,
    Receipt,
    check_masked_card,
    display_width,
    receipt_lines,
)

RECEIPT = Receipt(document_name="주민등록표 등본", pages=2, fee_won=1000,
                  approval_code="30012345", masked_card="5361-48**-****-1234",
                  kiosk_id="jongno-0001", issued_at="2025-03-01 14:03",
                  document_number="1234-5678-9012")


def test_lines_fit_the_roll_and_are_printable() -> None:
    lines = receipt_lines(RECEIPT)
    assert all(display_width(line) <= COLUMNS for line in lines)
    assert all(printable(line) for line in lines)
    text = "\n".join(lines)
    for expected in ("주민등록표 등본", "2매", "1,000원", "5361-48**-****-1234", "30012345",
                     "jongno-0001", "1234-5678-9012"):
        assert expected in text


def test_free_documents_print_without_card_lines() -> None:
    free = Receipt(**{**RECEIPT.__dict__, "fee_won": 0, "masked_card": "",
                      "approval_code": ""})
    text = "\n".join(receipt_lines(free))
    assert "0원" in text and "카드번호" not in text and "승인번호" not in text


def test_display_width_counts_korean_twice() -> None:
    assert display_width("가a") == 3


@pytest.mark.parametrize("card", ["5361481234561234", "5361-4812-3456-1234", "5361-4812-34**-1234",
                                  "5361-48**-****-12a4"])
def test_unmasked_card_numbers_are_refused_without_echoing_them(card: str) -> None:
    with pytest.raises(InvalidReceipt) as caught:
        check_masked_card(card)
    assert card not in str(caught.value)
    assert "1234" not in str(caught.value)
    with pytest.raises(InvalidReceipt):
        receipt_lines(Receipt(**{**RECEIPT.__dict__, "masked_card": card}))


@pytest.mark.parametrize(("fee", "pages"), [(-1, 1), (100, 0)])
def test_bad_counts_are_refused(fee: int, pages: int) -> None:
    with pytest.raises(InvalidReceipt):
        receipt_lines(Receipt(**{**RECEIPT.__dict__, "fee_won": fee, "pages": pages}))
