"""Fuzzing the document contract's parsers: whatever arrives, only VerificationError comes out,
and no mutation of a signed document or code text passes verification."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.errors import VerificationError
from kiosk.issuance.document import (
    decode_code,
    encode_code,
    signed_from_json,
    signed_to_json,
    verify_code,
    verify_signed_document,
)
from tests.issuance.document_support import content_key, signed_sample

SIGNED = signed_sample(2)
GOOD_JSON = signed_to_json(SIGNED)
GOOD_CODE = encode_code(SIGNED.code_fields, SIGNED.code_signature)
PUBLIC_KEY = content_key().public_key()
FUZZ = settings(max_examples=400, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

json_leaves = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
               | st.text(max_size=30) | st.binary(max_size=10))
json_values = st.recursive(
    json_leaves,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12) | st.integers(), children, max_size=5),
    max_leaves=25)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(paths_of(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(paths_of(item, (*prefix, index)))
    return found


ALL_PATHS = paths_of(GOOD_JSON)[1:]


def parse_and_verify(data: Any) -> bool:
    """True if ``data`` parsed and verified; False on VerificationError; anything else fails."""
    try:
        verify_signed_document(signed_from_json(data), PUBLIC_KEY)
    except VerificationError:
        return False
    return True


@FUZZ
@given(json_values)
def test_arbitrary_json_values_only_raise_verification_error(data: Any) -> None:
    assert parse_and_verify(data) is False


@FUZZ
@given(st.sampled_from(ALL_PATHS), json_values)
def test_replacing_any_field_never_verifies_unless_unchanged(path: tuple[Any, ...],
                                                              value: Any) -> None:
    data = copy.deepcopy(GOOD_JSON)
    target = data
    for step in path[:-1]:
        target = target[step]
    original = target[path[-1]]
    target[path[-1]] = value
    assert parse_and_verify(data) is (value == original and type(value) is type(original))


@FUZZ
@given(st.sampled_from(ALL_PATHS))
def test_deleting_any_field_is_rejected(path: tuple[Any, ...]) -> None:
    data = copy.deepcopy(GOOD_JSON)
    target = data
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    assert parse_and_verify(data) is False


def code_verifies(text: str) -> bool:
    try:
        fields, signature = decode_code(text)
        verify_code(fields, signature, PUBLIC_KEY)
    except VerificationError:
        return False
    return True


@FUZZ
@given(st.text(max_size=600))
def test_arbitrary_code_texts_only_raise_verification_error(text: str) -> None:
    assert code_verifies(text) is False


@FUZZ
@given(st.integers(0, len(GOOD_CODE) - 1), st.characters(codec="utf-8"),
       st.sampled_from(["replace", "insert", "delete", "truncate"]))
def test_mutated_code_texts_never_verify(position: int, char: str, how: str) -> None:
    if how == "replace":
        text = GOOD_CODE[:position] + char + GOOD_CODE[position + 1:]
    elif how == "insert":
        text = GOOD_CODE[:position] + char + GOOD_CODE[position:]
    elif how == "delete":
        text = GOOD_CODE[:position] + GOOD_CODE[position + 1:]
    else:
        text = GOOD_CODE[:position]
    assert code_verifies(text) is (text == GOOD_CODE)
