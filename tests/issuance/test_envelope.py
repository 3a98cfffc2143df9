"""The identity envelope contract: round trip, binding, tampering, replay, privacy of repr."""

from __future__ import annotations

import base64
import json
import pickle
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import x25519

from kiosk.issuance import envelope as env
from kiosk.issuance.envelope import (
    Envelope,
    EnvelopeExpired,
    EnvelopeMalformed,
    EnvelopeReplayed,
    EnvelopeUnauthentic,
    Identity,
    ReplayGuard,
    open_envelope,
    seal,
)

PKI = Path(__file__).resolve().parents[2] / "examples" / "pki"
RRN = "850315-1234566"  # fictional, well-formed
RRN_DIGITS = RRN.replace("-", "")
TEMPLATE = bytes(range(256)) * 2
KIOSK = "jongno-0001"
TXN = "txn-20260101-000001"
NOW = 1_790_000_000


@pytest.fixture(scope="module")
def keys() -> tuple[x25519.X25519PrivateKey, x25519.X25519PublicKey]:
    private = env.load_private_key((PKI / "backend-x25519.key").read_bytes())
    public = env.load_public_key((PKI / "backend-x25519.pub").read_bytes())
    return private, public


def sealed(public: x25519.X25519PublicKey, *, kiosk: str = KIOSK, txn: str = TXN,
           issued_at: int = NOW) -> Envelope:
    with Identity(RRN, TEMPLATE) as identity:
        return seal(public, identity, kiosk, txn, issued_at=issued_at)


def test_round_trip_through_json(keys: tuple) -> None:
    private, public = keys
    wire = json.dumps(sealed(public).to_json())
    parsed = Envelope.from_json(json.loads(wire))
    with open_envelope(private, parsed, KIOSK, TXN) as identity:
        assert identity.rrn == RRN_DIGITS
        assert identity.template == TEMPLATE
        assert identity.template_equals(TEMPLATE)
        assert not identity.template_equals(TEMPLATE[:-1] + b"\x00")
    assert identity.wiped and identity.rrn == ""


def test_envelope_json_has_exactly_the_contract_fields(keys: tuple) -> None:
    data = sealed(keys[1]).to_json()
    assert set(data) == {"v", "iat", "epk", "nonce", "ct"}
    assert data["v"] == 1 and data["iat"] == NOW
    assert len(base64.urlsafe_b64decode(data["nonce"] + "==")) == 12
    assert "=" not in data["ct"] and "+" not in data["ct"] and "/" not in data["ct"]


def test_each_seal_uses_fresh_ephemeral_key_and_nonce(keys: tuple) -> None:
    first, second = sealed(keys[1]), sealed(keys[1])
    assert first.ephemeral_public != second.ephemeral_public
    assert first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext


def test_ciphertext_does_not_contain_the_plaintext(keys: tuple) -> None:
    envelope = sealed(keys[1])
    wire = json.dumps(envelope.to_json()).encode()
    for secret in (RRN.encode(), RRN_DIGITS.encode(), TEMPLATE[:32], TEMPLATE.hex()[:32].encode()):
        assert secret not in wire
        assert secret not in envelope.ciphertext


@pytest.mark.parametrize(("kiosk", "txn", "delta"), [
    ("jongno-0002", TXN, 0), (KIOSK, "txn-20260101-000002", 0), (KIOSK, TXN, 1)])
def test_wrong_kiosk_transaction_or_time_is_unauthentic(keys: tuple, kiosk: str, txn: str,
                                                        delta: int) -> None:
    private, public = keys
    envelope = sealed(public)
    moved = Envelope(envelope.version, envelope.issued_at + delta, envelope.ephemeral_public,
                     envelope.nonce, envelope.ciphertext)
    with pytest.raises(EnvelopeUnauthentic) as caught:
        open_envelope(private, moved, kiosk, txn)
    assert caught.value.code == "envelope.unauthentic"


def test_length_prefix_keeps_id_boundaries_apart(keys: tuple) -> None:
    private, public = keys
    envelope = sealed(public, kiosk="ab", txn="cd")
    with pytest.raises(EnvelopeUnauthentic):
        open_envelope(private, envelope, "a", "bcd")
    assert env.associated_data("ab", "cd", 0) != env.associated_data("a", "bcd", 0)


def test_every_flipped_byte_is_detected(keys: tuple) -> None:
    private, public = keys
    envelope = sealed(public)
    for field in ("ephemeral_public", "nonce", "ciphertext"):
        original = getattr(envelope, field)
        for index in range(0, len(original), max(1, len(original) // 40)):
            damaged = bytearray(original)
            damaged[index] ^= 0x01
            changed = Envelope(**{**vars(envelope), field: bytes(damaged)})
            with pytest.raises(EnvelopeUnauthentic):
                open_envelope(private, changed, KIOSK, TXN)


def test_other_backend_key_cannot_open(keys: tuple) -> None:
    envelope = sealed(keys[1])
    with pytest.raises(EnvelopeUnauthentic):
        open_envelope(x25519.X25519PrivateKey.generate(), envelope, KIOSK, TXN)


def test_small_order_ephemeral_key_is_refused(keys: tuple) -> None:
    envelope = sealed(keys[1])
    zero = Envelope(1, NOW, bytes(32), envelope.nonce, envelope.ciphertext)
    with pytest.raises(EnvelopeUnauthentic):
        open_envelope(keys[0], zero, KIOSK, TXN)


def test_replay_guard_accepts_once_then_refuses(keys: tuple) -> None:
    clock = [float(NOW)]
    guard = ReplayGuard(lifetime_s=120, clock=lambda: clock[0])
    envelope = sealed(keys[1])
    guard.admit(envelope)
    with pytest.raises(EnvelopeReplayed):
        guard.admit(Envelope.from_json(envelope.to_json()))
    guard.admit(sealed(keys[1]))
    assert len(guard) == 2


def test_replay_guard_expires_old_and_future_envelopes_and_forgets(keys: tuple) -> None:
    clock = [float(NOW)]
    guard = ReplayGuard(lifetime_s=120, clock=lambda: clock[0])
    guard.admit(sealed(keys[1]))
    with pytest.raises(EnvelopeExpired):
        guard.admit(sealed(keys[1], issued_at=NOW - 121))
    with pytest.raises(EnvelopeExpired):
        guard.admit(sealed(keys[1], issued_at=NOW + env.MAX_CLOCK_SKEW_S + 1))
    clock[0] += 500
    guard.admit(sealed(keys[1], issued_at=NOW + 500))
    assert len(guard) == 1


def test_identity_repr_str_and_errors_never_show_personal_data() -> None:
    identity = Identity(RRN, TEMPLATE)
    shown = repr(identity) + str(identity) + f"{identity}" + repr([identity])
    for secret in (RRN, RRN_DIGITS, RRN_DIGITS[6:], TEMPLATE.hex()[:16]):
        assert secret not in shown
    with pytest.raises(TypeError):
        pickle.dumps(identity)
    for bad in ("85031512345", "850315-123456X", "8503151234566 "):
        with pytest.raises(EnvelopeMalformed) as caught:
            Identity(bad, TEMPLATE)
        assert bad.strip() not in str(caught.value)
        assert "850315" not in str(caught.value)


def test_identity_validates_template_size() -> None:
    with pytest.raises(EnvelopeMalformed):
        Identity(RRN, b"")
    with pytest.raises(EnvelopeMalformed):
        Identity(RRN, bytes(env.MAX_TEMPLATE_BYTES + 1))
    assert Identity(RRN_DIGITS, bytes(env.MAX_TEMPLATE_BYTES)).rrn == RRN_DIGITS


def test_wiped_identity_cannot_be_sealed(keys: tuple) -> None:
    identity = Identity(RRN, TEMPLATE)
    identity.wipe()
    with pytest.raises(EnvelopeMalformed):
        seal(keys[1], identity, KIOSK, TXN)


def test_ids_are_checked_before_sealing(keys: tuple) -> None:
    with Identity(RRN, TEMPLATE) as identity:
        with pytest.raises(EnvelopeMalformed):
            seal(keys[1], identity, "", TXN)
        with pytest.raises(EnvelopeMalformed):
            seal(keys[1], identity, KIOSK, "x" * 200)


def test_key_loaders_refuse_wrong_key_types() -> None:
    with pytest.raises(EnvelopeMalformed):
        env.load_public_key((PKI / "authority-ed25519.pub").read_bytes())
    with pytest.raises(EnvelopeMalformed):
        env.load_private_key((PKI / "authority-ed25519.key").read_bytes())
    with pytest.raises(EnvelopeMalformed):
        env.load_public_key(b"not a key")
