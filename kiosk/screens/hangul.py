"""Hangul typing for the on-screen keyboard: two-set (두벌식, KS X 5002) jamo composed into
syllables as they are typed.

reference/kiosk-domain.md §6.5: free Korean text needs an in-app jamo-composing keypad (there is
no IME on the kiosk). Some documents need a little free text (a parcel's lot address, a
building unit, a vehicle plate: ``view.OptionChoice.kind == "text"``). Syllables are composed
with the Unicode Hangul algorithm (Unicode §3.12): syllable = 0xAC00 + (L * 21 + V) * 28 + T.

Pure: :func:`type_jamo` and :func:`backspace` take the text so far and whether its last
character is still open to composition, and return the new text and flag.
"""

from __future__ import annotations

SYLLABLE_BASE = 0xAC00
SYLLABLE_LAST = 0xD7A3
VOWEL_COUNT = 21
FINAL_COUNT = 28

#: Compatibility jamo (what the keys show) in the Unicode order of initials, vowels, finals.
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"  # index 0: no final

COMPOUND_VOWELS = {("ㅗ", "ㅏ"): "ㅘ", ("ㅗ", "ㅐ"): "ㅙ", ("ㅗ", "ㅣ"): "ㅚ", ("ㅜ", "ㅓ"): "ㅝ",
                   ("ㅜ", "ㅔ"): "ㅞ", ("ㅜ", "ㅣ"): "ㅟ", ("ㅡ", "ㅣ"): "ㅢ"}
COMPOUND_FINALS = {("ㄱ", "ㅅ"): "ㄳ", ("ㄴ", "ㅈ"): "ㄵ", ("ㄴ", "ㅎ"): "ㄶ", ("ㄹ", "ㄱ"): "ㄺ",
                   ("ㄹ", "ㅁ"): "ㄻ", ("ㄹ", "ㅂ"): "ㄼ", ("ㄹ", "ㅅ"): "ㄽ", ("ㄹ", "ㅌ"): "ㄾ",
                   ("ㄹ", "ㅍ"): "ㄿ", ("ㄹ", "ㅎ"): "ㅀ", ("ㅂ", "ㅅ"): "ㅄ"}
_SPLIT_VOWELS = {v: pair for pair, v in COMPOUND_VOWELS.items()}
_SPLIT_FINALS = {f: pair for pair, f in COMPOUND_FINALS.items()}


def is_consonant(char: str) -> bool:
    return char in INITIALS or char in _SPLIT_FINALS


def is_vowel(char: str) -> bool:
    return char in VOWELS


def compose(initial: str, vowel: str, final: str = "") -> str:
    """The syllable of an initial, a vowel and an optional final (compatibility jamo)."""
    index = (INITIALS.index(initial) * VOWEL_COUNT + VOWELS.index(vowel)) * FINAL_COUNT
    return chr(SYLLABLE_BASE + index + (FINALS.index(final) if final else 0))


def decompose(syllable: str) -> tuple[str, str, str] | None:
    """(initial, vowel, final or "") of a precomposed syllable, or None for anything else."""
    code = ord(syllable) - SYLLABLE_BASE
    if not 0 <= code <= SYLLABLE_LAST - SYLLABLE_BASE:
        return None
    final = code % FINAL_COUNT
    vowel = (code // FINAL_COUNT) % VOWEL_COUNT
    initial = code // (FINAL_COUNT * VOWEL_COUNT)
    return INITIALS[initial], VOWELS[vowel], FINALS[final].strip()


def type_jamo(text: str, jamo: str, open_last: bool) -> tuple[str, bool]:
    """Type one key: a jamo composes with the open last character; anything else is
    appended and closes composition. Returns (new text, last character open)."""
    if not (is_consonant(jamo) or is_vowel(jamo)):
        return text + jamo, False
    if not open_last or not text:
        return text + jamo, True
    head, last = text[:-1], text[-1]
    parts = decompose(last)
    if parts is None:
        return head + _type_on_jamo(last, jamo), True
    initial, vowel, final = parts
    if is_vowel(jamo):
        if not final:
            compound = COMPOUND_VOWELS.get((vowel, jamo))
            return (head + compose(initial, compound), True) if compound else \
                (text + jamo, True)
        if final in _SPLIT_FINALS:
            keep, move = _SPLIT_FINALS[final]
            return head + compose(initial, vowel, keep) + compose(move, jamo), True
        if final in INITIALS:
            return head + compose(initial, vowel) + compose(final, jamo), True
        return text + jamo, True
    if not final:
        return (head + compose(initial, vowel, jamo), True) if jamo in FINALS else \
            (text + jamo, True)
    compound = COMPOUND_FINALS.get((final, jamo))
    return (head + compose(initial, vowel, compound), True) if compound else (text + jamo, True)


def _type_on_jamo(last: str, jamo: str) -> str:
    """A key typed after a lone jamo: consonant + vowel make a syllable, vowels combine."""
    if last in INITIALS and is_vowel(jamo):
        return compose(last, jamo)
    if is_vowel(last) and is_vowel(jamo) and (last, jamo) in COMPOUND_VOWELS:
        return COMPOUND_VOWELS[(last, jamo)]
    return last + jamo


def backspace(text: str, open_last: bool) -> tuple[str, bool]:
    """Delete the last jamo of an open syllable, or else the last character."""
    if not text:
        return text, False
    head, last = text[:-1], text[-1]
    parts = decompose(last) if open_last else None
    if parts is None:
        if open_last and last in _SPLIT_VOWELS:
            return head + _SPLIT_VOWELS[last][0], True
        return head, bool(head) and open_last
    initial, vowel, final = parts
    if final:
        if final in _SPLIT_FINALS:
            return head + compose(initial, vowel, _SPLIT_FINALS[final][0]), True
        return head + compose(initial, vowel), True
    if vowel in _SPLIT_VOWELS:
        return head + compose(initial, _SPLIT_VOWELS[vowel][0]), True
    return head + initial, True
