"""The resident registration number (주민등록번호) as the citizen types it: buffer and checks.

Format (the numbering in use since 1975): ``YYMMDD-GNNNNNC``, 13 digits. The
7th digit ``G`` gives sex and century: 9/0 for 1800s births, 1/2 for 1900s and 3/4 for 2000s
(Korean citizens), 5/6 and 7/8 for registered foreigners born in the 1900s and 2000s. The birth
date must exist and not lie in the future.

Check digit: ``C = (11 - sum(d[i] * w[i] for i < 12) % 11) % 10`` with weights
2,3,4,5,6,7,8,9,2,3,4,5. It only holds for numbers assigned before 2020-10-05, when the back
digits after ``G`` became random (주민등록번호 부여체계 개편); people who later received a new
number have random digits too. So the check is a typo guard, not a gate: it applies to Korean
citizens born before that day, and a citizen who confirms the same number a second time goes on
(the backend is the authority). Foreigners' numbers are checked for format only.

The digits live in a ``bytearray`` that is overwritten on every clear; nothing here logs,
stores or formats them except the masked form of ``kiosk.view.mask_rrn``.
"""

from __future__ import annotations

from datetime import date

from kiosk.view import RRN_DIGITS, RRN_VISIBLE_DIGITS, RrnHint, mask_rrn

#: Weights of the historic check digit (first 12 digits).
CHECK_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
#: From this day new numbers carry random back digits (주민등록번호 부여체계 개편).
RANDOM_DIGITS_SINCE = date(2020, 10, 5)
#: Century of the birth year by the 7th digit.
CENTURY_BY_DIGIT = {9: 1800, 0: 1800, 1: 1900, 2: 1900, 3: 2000, 4: 2000,
                    5: 1900, 6: 1900, 7: 2000, 8: 2000}
FOREIGNER_DIGITS = frozenset({5, 6, 7, 8})
ASCII_ZERO = ord("0")


class RrnBuffer:
    """Up to 13 typed digits, kept as ASCII bytes in a wipeable ``bytearray``."""

    def __init__(self) -> None:
        self._digits = bytearray(RRN_DIGITS)
        self._length = 0

    def __repr__(self) -> str:
        return f"RrnBuffer(<{self._length} digits>)"

    def __len__(self) -> int:
        return self._length

    @property
    def complete(self) -> bool:
        return self._length == RRN_DIGITS

    def push(self, digit: str) -> bool:
        """Append one digit; returns False (and changes nothing) if full or not a digit."""
        if self.complete or len(digit) != 1 or not "0" <= digit <= "9":
            return False
        self._digits[self._length] = ord(digit)
        self._length += 1
        return True

    def pop(self) -> bool:
        if self._length == 0:
            return False
        self._length -= 1
        self._digits[self._length] = 0
        return True

    def wipe(self) -> None:
        """Overwrite every digit and forget the length."""
        for index in range(len(self._digits)):
            self._digits[index] = 0
        self._length = 0

    def masked(self) -> str:
        """What the screen may show: the first six digits, a dash, stars for the rest."""
        visible = self._digits[:min(self._length, RRN_VISIBLE_DIGITS)].decode("ascii")
        return mask_rrn(visible + "0" * max(0, self._length - RRN_VISIBLE_DIGITS))

    def copy_out(self) -> bytearray:
        """A copy of the digits for ``VerifyIdentity`` (the receiver wipes it)."""
        return bytearray(self._digits[:self._length])

    def problem(self, today: date) -> RrnHint | None:
        """Why the typed number cannot be right, or None. ``CHECK_DIGIT`` is advisory."""
        if not self.complete:
            return RrnHint.INCOMPLETE
        values = [byte - ASCII_ZERO for byte in self._digits]
        birth = _birth_date(values)
        if birth is None or birth > today:
            return RrnHint.INVALID
        if values[6] in FOREIGNER_DIGITS or birth >= RANDOM_DIGITS_SINCE:
            return None
        return None if check_digit(values[:12]) == values[12] else RrnHint.CHECK_DIGIT


def check_digit(first_twelve: list[int]) -> int:
    """The historic check digit of a resident registration number."""
    total = sum(digit * weight for digit, weight in zip(first_twelve, CHECK_WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def _birth_date(values: list[int]) -> date | None:
    year = CENTURY_BY_DIGIT[values[6]] + values[0] * 10 + values[1]
    month = values[2] * 10 + values[3]
    day = values[4] * 10 + values[5]
    try:
        return date(year, month, day)
    except ValueError:
        return None
