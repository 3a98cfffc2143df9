"""Hypothesis fuzz of envelope parsing and opening: only EnvelopeError, never anything else."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.issuance import envelope as env
from kiosk.issuance.envelope import Envelope, EnvelopeError, Identity, open_envelope, seal

PKI = Path(__file__).resolve().parents[2] / "examples" / "pki"
PRIVATE = env.load_private_key((PKI / "backend-x25519.key").read_bytes())
PUBLIC = env.load_public_key((PKI / "backend-x25519.pub").read_bytes())
KIOSK, TXN = "jongno-0001", "txn-1"
with Identity("9001012345670", b"\x5a" * 512) as _identity:
    GOOD = seal(PUBLIC, _identity, KIOSK, TXN).to_json()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10)
b64ish = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ ",
                 max_size=120)


def _parse_and_open(data: object) -> None:
    try:
        envelope = Envelope.from_json(data)
        open_envelope(PRIVATE, envelope, KIOSK, TXN).wipe()
    except EnvelopeError as exc:
        assert exc.code.startswith("envelope.")


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_any_json_value_gives_only_envelope_errors(data: object) -> None:
    _parse_and_open(data)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(GOOD)), json_values | b64ish)
def test_one_replaced_field_gives_only_envelope_errors(key: str, value: object) -> None:
    _parse_and_open({**GOOD, key: value})


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(("epk", "nonce", "ct")), st.integers(0, 400), st.integers(0, 400),
       st.text(alphabet="AZaz09-_", max_size=4))
def test_truncated_or_spliced_base64_gives_only_envelope_errors(key: str, start: int, stop: int,
                                                                insert: str) -> None:
    text = GOOD[key]
    _parse_and_open({**GOOD, key: text[:start] + insert + text[stop:]})


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_garbage_wire_bytes_give_only_envelope_errors(raw: bytes) -> None:
    try:
        data = json.loads(raw)
    except ValueError:
        return
    _parse_and_open(data)


def test_unmodified_envelope_still_opens() -> None:
    with open_envelope(PRIVATE, Envelope.from_json(GOOD), KIOSK, TXN) as identity:
        assert identity.template == b"\x5a" * 512
