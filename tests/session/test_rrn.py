"""The typed resident registration number: format, birth date, the historic check digit where
it applies, masking, and wiping."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.session_rrn import RrnBuffer, check_digit
from kiosk.view import RrnHint

TODAY = date(2025, 11, 3)


def _buffer(digits: str) -> RrnBuffer:
    buffer = RrnBuffer()
    for digit in digits:
        assert buffer.push(digit)
    return buffer


def _with_check(first_twelve: str) -> str:
    return first_twelve + str(check_digit([int(d) for d in first_twelve]))


@pytest.mark.parametrize(("digits", "problem"), [
    ("900101123456", RrnHint.INCOMPLETE),
    ("", RrnHint.INCOMPLETE),
    ("9001011234568", None),                        # check digit 8 is right
    ("9001011234567", RrnHint.CHECK_DIGIT),
    ("9013011234568", RrnHint.INVALID),             # month 13
    ("9002301234568", RrnHint.INVALID),             # 30 February
    (_with_check("000229312345"), None),            # 29 February 2000, born in the 2000s
    (_with_check("010229312345"), RrnHint.INVALID),  # 2001 was no leap year
    (_with_check("301231412345"), RrnHint.INVALID),  # 2030: in the future
    ("2101015123450", None),                        # a foreigner: format only
    ("2110013999999", None),                        # born after 2020-10-05: random digits
    ("2009303999999", RrnHint.CHECK_DIGIT),         # born before: still checked
    (_with_check("991231912345"), None),            # 1899
])
def test_problems(digits: str, problem: RrnHint | None) -> None:
    assert _buffer(digits).problem(TODAY) == problem


def test_check_digit_vector() -> None:
    # 9,0,0,1,0,1,1,2,3,4,5,6 weighted 2..9,2..5 sum to 124; (11 - 124 % 11) % 10 = 8
    assert check_digit([9, 0, 0, 1, 0, 1, 1, 2, 3, 4, 5, 6]) == 8


def test_buffer_takes_thirteen_digits_and_nothing_else() -> None:
    buffer = RrnBuffer()
    assert not buffer.push("x") and not buffer.push("12") and not buffer.push("٣")
    for digit in "9001011234568":
        assert buffer.push(digit)
    assert buffer.complete and not buffer.push("1")
    assert buffer.masked() == "900101-*******"
    assert buffer.pop() and buffer.masked() == "900101-******" and not buffer.complete


def test_wipe_overwrites_the_digits() -> None:
    buffer = _buffer("9001011234568")
    copied = buffer.copy_out()
    assert bytes(copied) == b"9001011234568"
    buffer.wipe()
    assert len(buffer) == 0 and buffer.masked() == ""
    assert not any(vars(buffer)["_digits"])
    assert "1234568" not in repr(buffer) and "900101" not in repr(buffer)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from("0123456789"), st.just("back")), max_size=30))
def test_masked_form_never_shows_more_than_six_digits(keys: list[str]) -> None:
    buffer = RrnBuffer()
    typed = ""
    for key in keys:
        if key == "back":
            buffer.pop()
            typed = typed[:-1]
        elif buffer.push(key):
            typed += key
        masked = buffer.masked()
        assert len(re.findall(r"\d", masked)) <= 6
        assert masked.replace("-", "").replace("*", "") == typed[:6]
        assert len(buffer) == len(typed)
