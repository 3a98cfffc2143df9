"""The identity envelope: a citizen's RRN and fingerprint template, encrypted to the backend.

This is a wire contract shared by the kiosk (``kiosk.issuance.backend``) and the backend
simulator (``sim.backend``); it imports only the standard library, ``cryptography`` and
``kiosk.errors``. The scheme is ECIES in the manner of RFC 9180 (HPKE) base mode, written out:

1. The sender makes an ephemeral X25519 key pair (RFC 7748) and computes the shared secret with
   the backend's static X25519 public key. An all-zero shared secret is refused.
2. ``key = HKDF-SHA256(shared, salt=SALT_PREFIX || ephemeral_pub || backend_pub,
   info=HKDF_INFO, length=32)`` (RFC 5869).
3. ``ciphertext = AES-256-GCM(key, nonce, plaintext, aad)`` (NIST SP 800-38D) with a 96-bit
   random nonce; the 16-byte tag is the ciphertext's tail.
4. ``aad = lp(AAD_LABEL) || lp(kiosk_id) || lp(transaction_id) || u64be(issued_at)`` where
   ``lp(x) = u16be(len(x)) || x`` and the ids are UTF-8: the envelope opens only for the kiosk
   and transaction it was sealed for, and its issue time cannot be changed.
5. ``plaintext = rrn (13 ASCII digits) || u16be(len(template)) || template``.

On the wire an envelope is a JSON object with exactly the keys ``v`` (1), ``iat`` (issue time,
Unix seconds), ``epk`` (32 bytes), ``nonce`` (12 bytes) and ``ct``, the binary values in
unpadded base64url (RFC 4648 §5). A backend accepts an envelope once, within
``ENVELOPE_LIFETIME_S`` of its issue time (:class:`ReplayGuard`).

The decrypted :class:`Identity` keeps its data in ``bytearray`` buffers that :meth:`wipe`
overwrites; its ``repr``/``str`` and every error raised here never contain the RRN or the
template.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.errors import KioskError

ENVELOPE_VERSION = 1
SALT_PREFIX = b"kiosk-controller identity envelope v1 salt"
HKDF_INFO = b"kiosk-controller identity envelope v1 AES-256-GCM key"
AAD_LABEL = b"kiosk-controller identity envelope v1"
KEY_BYTES = 32            # X25519 public keys (RFC 7748 §5) and the AES-256 key
NONCE_BYTES = 12          # 96-bit GCM nonce (SP 800-38D §8.2.2)
TAG_BYTES = 16            # full-length GCM tag
RRN_DIGITS = 13           # 주민등록번호: YYMMDD + 7 digits
MAX_TEMPLATE_BYTES = 4096  # a ZFM/R30x template is 512 bytes; leave room for other sensors
MAX_ID_BYTES = 128        # kiosk and transaction ids (config patterns allow up to 64)
MAX_CLOCK_SKEW_S = 30     # an envelope dated this far in the future is still accepted
ENVELOPE_LIFETIME_S = 120  # accepted for this long after its issue time, then expired
MAX_CT_BYTES = RRN_DIGITS + 2 + MAX_TEMPLATE_BYTES + TAG_BYTES
ENVELOPE_KEYS = frozenset({"v", "iat", "epk", "nonce", "ct"})
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class EnvelopeError(KioskError):
    """An identity envelope could not be made or opened. Never carries personal data."""

    code = "envelope.invalid"
    message_key = "error.backend_rejected"


class EnvelopeMalformed(EnvelopeError):
    """The envelope (or a key file) is not in the contract's format."""

    code = "envelope.malformed"


class EnvelopeUnauthentic(EnvelopeError):
    """Decryption failed: wrong key, wrong kiosk/transaction (AAD), or tampered bytes."""

    code = "envelope.unauthentic"


class EnvelopeExpired(EnvelopeError):
    """The envelope's issue time is outside the accepted window."""

    code = "envelope.expired"


class EnvelopeReplayed(EnvelopeError):
    """The envelope was already accepted once."""

    code = "envelope.replayed"


# ------------------------------------------------------------------ identity


class Identity:
    """A citizen's RRN and fingerprint template, held in wipeable buffers.

    Use as a context manager (or call :meth:`wipe`) so the buffers are overwritten as soon as
    the data has been used. It refuses to be pickled so it cannot be persisted by accident.
    """

    __slots__ = ("_rrn", "_template")

    def __init__(self, rrn: str | bytes | bytearray, template: bytes | bytearray) -> None:
        if not isinstance(template, (bytes, bytearray)):
            raise EnvelopeMalformed("template must be bytes")
        if not 0 < len(template) <= MAX_TEMPLATE_BYTES:
            raise EnvelopeMalformed(f"template must be 1..{MAX_TEMPLATE_BYTES} bytes")
        self._rrn = _rrn_digits(rrn)
        self._template = bytearray(template)

    @property
    def rrn(self) -> str:
        """The 13 digits, without dash."""
        return self._rrn.decode("ascii")

    @property
    def template(self) -> bytes:
        return bytes(self._template)

    def template_equals(self, other: bytes) -> bool:
        """Constant-time comparison with an enrolled template."""
        return hmac.compare_digest(bytes(self._template), other)

    @property
    def wiped(self) -> bool:
        return not self._rrn

    def wipe(self) -> None:
        """Overwrite and empty both buffers."""
        for buffer in (self._rrn, self._template):
            buffer[:] = bytes(len(buffer))
            del buffer[:]

    def __enter__(self) -> Identity:
        return self

    def __exit__(self, *exc: object) -> None:
        self.wipe()

    def __repr__(self) -> str:
        return "<Identity wiped>" if self.wiped else "<Identity redacted>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("Identity holds personal data and cannot be pickled")


def _rrn_digits(rrn: str | bytes | bytearray) -> bytearray:
    if isinstance(rrn, str):
        raw = bytearray(rrn.encode("ascii", "replace"))
    elif isinstance(rrn, (bytes, bytearray)):
        raw = bytearray(rrn)
    else:
        raise EnvelopeMalformed("RRN must be text")
    if len(raw) == RRN_DIGITS + 1 and raw[6:7] == b"-":
        del raw[6]
    if len(raw) != RRN_DIGITS or not raw.isdigit():
        raw[:] = bytes(len(raw))
        raise EnvelopeMalformed(f"RRN must be {RRN_DIGITS} digits (dash after the 6th allowed)")
    return raw


# ------------------------------------------------------------------ envelope


@dataclass(frozen=True)
class Envelope:
    """A sealed identity, as carried in a request."""

    version: int
    issued_at: int
    ephemeral_public: bytes
    nonce: bytes
    ciphertext: bytes

    @property
    def replay_key(self) -> bytes:
        """What a backend remembers to refuse the envelope a second time."""
        return self.ephemeral_public + self.nonce

    def to_json(self) -> dict[str, Any]:
        return {"v": self.version, "iat": self.issued_at, "epk": _b64encode(self.ephemeral_public),
                "nonce": _b64encode(self.nonce), "ct": _b64encode(self.ciphertext)}

    @classmethod
    def from_json(cls, data: object) -> Envelope:
        """Parse strictly: exact keys, types and lengths.

        Raises:
            EnvelopeMalformed: naming the first field that is wrong.
        """
        if not isinstance(data, Mapping):
            raise EnvelopeMalformed("envelope must be a JSON object")
        keys = set(data)
        if keys != ENVELOPE_KEYS:
            missing, extra = sorted(ENVELOPE_KEYS - keys), len(keys - ENVELOPE_KEYS)
            raise EnvelopeMalformed(f"envelope keys: missing {missing}, {extra} unexpected")
        version, issued_at = data["v"], data["iat"]
        if type(version) is not int or version != ENVELOPE_VERSION:
            raise EnvelopeMalformed(f"envelope.v: only version {ENVELOPE_VERSION} is supported")
        if type(issued_at) is not int or not 0 <= issued_at < 2**63:
            raise EnvelopeMalformed("envelope.iat: must be a non-negative integer")
        ephemeral = _b64decode(data["epk"], "epk")
        nonce = _b64decode(data["nonce"], "nonce")
        ciphertext = _b64decode(data["ct"], "ct")
        if len(ephemeral) != KEY_BYTES:
            raise EnvelopeMalformed(f"envelope.epk: must be {KEY_BYTES} bytes")
        if len(nonce) != NONCE_BYTES:
            raise EnvelopeMalformed(f"envelope.nonce: must be {NONCE_BYTES} bytes")
        if not RRN_DIGITS + 3 + TAG_BYTES <= len(ciphertext) <= MAX_CT_BYTES:
            raise EnvelopeMalformed("envelope.ct: length out of range")
        return cls(version, issued_at, ephemeral, nonce, ciphertext)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(value: object, name: str) -> bytes:
    if not isinstance(value, str) or len(value) > 2 * MAX_CT_BYTES:
        raise EnvelopeMalformed(f"envelope.{name}: must be a base64url string")
    if _B64URL.fullmatch(value) is None or len(value) % 4 == 1:
        raise EnvelopeMalformed(f"envelope.{name}: not unpadded base64url")
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise EnvelopeMalformed(f"envelope.{name}: not unpadded base64url") from None
    if _b64encode(decoded) != value:
        raise EnvelopeMalformed(f"envelope.{name}: non-canonical base64url")
    return decoded


def associated_data(kiosk_id: str, transaction_id: str, issued_at: int) -> bytes:
    """The AEAD associated data binding an envelope to its kiosk, transaction and time."""
    parts = [AAD_LABEL]
    for name, value in (("kiosk_id", kiosk_id), ("transaction_id", transaction_id)):
        if not isinstance(value, str):
            raise EnvelopeMalformed(f"{name} must be text")
        encoded = value.encode("utf-8", "surrogatepass")
        if not 0 < len(encoded) <= MAX_ID_BYTES:
            raise EnvelopeMalformed(f"{name} must be 1..{MAX_ID_BYTES} bytes")
        parts.append(encoded)
    return b"".join(struct.pack(">H", len(part)) + part for part in parts) + struct.pack(
        ">Q", issued_at)


def _derive_key(shared: bytes, ephemeral_public: bytes, backend_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES,
                salt=SALT_PREFIX + ephemeral_public + backend_public,
                info=HKDF_INFO).derive(shared)


def _raw_public(key: x25519.X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def seal(backend_public_key: x25519.X25519PublicKey, identity: Identity, kiosk_id: str,
         transaction_id: str, *, issued_at: int | None = None) -> Envelope:
    """Encrypt ``identity`` for the backend, bound to ``kiosk_id`` and ``transaction_id``.

    The caller still owns ``identity`` and should wipe it once the envelope is sent.
    """
    if identity.wiped:
        raise EnvelopeMalformed("identity was already wiped")
    issued = int(time.time()) if issued_at is None else issued_at
    aad = associated_data(kiosk_id, transaction_id, issued)
    ephemeral = x25519.X25519PrivateKey.generate()
    ephemeral_public = _raw_public(ephemeral.public_key())
    shared = ephemeral.exchange(backend_public_key)
    key = _derive_key(shared, ephemeral_public, _raw_public(backend_public_key))
    template = identity._template
    plaintext = bytearray(RRN_DIGITS + 2 + len(template))
    plaintext[:RRN_DIGITS] = identity._rrn
    struct.pack_into(">H", plaintext, RRN_DIGITS, len(template))
    plaintext[RRN_DIGITS + 2:] = template
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = bytearray(len(plaintext) + TAG_BYTES)
    try:
        AESGCM(key).encrypt_into(nonce, plaintext, aad, ciphertext)
    finally:
        plaintext[:] = bytes(len(plaintext))
    return Envelope(ENVELOPE_VERSION, issued, ephemeral_public, nonce, bytes(ciphertext))


def open_envelope(backend_private_key: x25519.X25519PrivateKey, envelope: Envelope,
                  kiosk_id: str, transaction_id: str) -> Identity:
    """Decrypt an envelope sealed for ``kiosk_id`` and ``transaction_id``.

    Raises:
        EnvelopeUnauthentic: wrong key, other kiosk or transaction, or any changed byte.
        EnvelopeMalformed: the plaintext is not an identity record.
    """
    aad = associated_data(kiosk_id, transaction_id, envelope.issued_at)
    try:
        shared = backend_private_key.exchange(
            x25519.X25519PublicKey.from_public_bytes(envelope.ephemeral_public))
    except ValueError:
        raise EnvelopeUnauthentic("ephemeral key gives no shared secret") from None
    backend_public = _raw_public(backend_private_key.public_key())
    key = _derive_key(shared, envelope.ephemeral_public, backend_public)
    plaintext = bytearray(len(envelope.ciphertext) - TAG_BYTES)
    try:
        AESGCM(key).decrypt_into(envelope.nonce, envelope.ciphertext, aad, plaintext)
    except InvalidTag:
        raise EnvelopeUnauthentic("authentication failed (key, kiosk, transaction or "
                                  "tampering)") from None
    try:
        return _parse_plaintext(plaintext)
    finally:
        plaintext[:] = bytes(len(plaintext))


def _parse_plaintext(plaintext: bytearray) -> Identity:
    if len(plaintext) < RRN_DIGITS + 2:
        raise EnvelopeMalformed("identity record too short")
    (length,) = struct.unpack_from(">H", plaintext, RRN_DIGITS)
    if len(plaintext) != RRN_DIGITS + 2 + length:
        raise EnvelopeMalformed("identity record length mismatch")
    rrn = bytearray(plaintext[:RRN_DIGITS])
    template = bytearray(plaintext[RRN_DIGITS + 2:])
    try:
        return Identity(rrn, template)
    finally:
        for buffer in (rrn, template):
            buffer[:] = bytes(len(buffer))


# ------------------------------------------------------------------ keys


def load_public_key(pem: bytes) -> x25519.X25519PublicKey:
    """The backend's X25519 public key from PEM (SubjectPublicKeyInfo)."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise EnvelopeMalformed("not a PEM public key") from None
    if not isinstance(key, x25519.X25519PublicKey):
        raise EnvelopeMalformed("the backend public key must be X25519")
    return key


def load_private_key(pem: bytes) -> x25519.X25519PrivateKey:
    """The backend's X25519 private key from unencrypted PEM (PKCS#8)."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise EnvelopeMalformed("not an unencrypted PEM private key") from None
    if not isinstance(key, x25519.X25519PrivateKey):
        raise EnvelopeMalformed("the backend private key must be X25519")
    return key


# ------------------------------------------------------------------ replay


class ReplayGuard:
    """Accepts each envelope once, within its lifetime; remembers it until it expires.

    Thread-safe. Memory is bounded by the request rate times ``lifetime_s``: entries are
    forgotten once their envelope could no longer be accepted anyway.
    """

    def __init__(self, lifetime_s: int = ENVELOPE_LIFETIME_S,
                 clock: Callable[[], float] = time.time) -> None:
        self.lifetime_s = lifetime_s
        self._clock = clock
        self._seen: dict[bytes, int] = {}
        self._lock = threading.Lock()

    def check_fresh(self, envelope: Envelope) -> None:
        """Raise :class:`EnvelopeExpired` if the issue time is outside the window."""
        now = self._clock()
        if envelope.issued_at > now + MAX_CLOCK_SKEW_S:
            raise EnvelopeExpired("envelope issued in the future")
        if envelope.issued_at < now - self.lifetime_s:
            raise EnvelopeExpired("envelope lifetime exceeded")

    def admit(self, envelope: Envelope) -> None:
        """Record an authenticated envelope; raise if it is stale or was seen before."""
        self.check_fresh(envelope)
        now = self._clock()
        with self._lock:
            for key in [key for key, expiry in self._seen.items() if expiry < now]:
                del self._seen[key]
            if envelope.replay_key in self._seen:
                raise EnvelopeReplayed("envelope already used")
            self._seen[envelope.replay_key] = envelope.issued_at + self.lifetime_s

    def __len__(self) -> int:
        return len(self._seen)
