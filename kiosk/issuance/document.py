"""The document contract: canonical form, Ed25519 signatures and the printed 2D-code text.

This is the one place the issued-document format is written down in code. The city backend (and
its simulator) builds a :class:`DocumentContent`, signs it with :func:`sign_document`; the kiosk
renders and prints it; ``kiosk verify`` checks it. Every side imports this module, none copies it,
so it imports only the standard library, ``cryptography`` and :mod:`kiosk.errors`.

Canonical form (what the content signature covers), :func:`canonical_bytes`:

* a JSON object with the keys ``format`` (always ``"kiosk-document/1"``, so a content signature can
  never be replayed as a 2D-code signature), ``number``, ``document_code``, ``title``,
  ``authority``, ``issued_at``, ``kiosk_id``, ``transaction_id`` and ``body``;
* every string (keys and values) in Unicode NFC (UAX #15), so a decomposed Hangul syllable and its
  precomposed form sign alike;
* ``json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` encoded as UTF-8
  (RFC 8259 JSON; the values are only strings, lists and objects, so no number formatting issue
  arises: this is the RFC 8785 JCS output for such values).

The 2D code printed on every page carries :class:`CodeFields` (number, document type, issue time,
page count, SHA-256 of the canonical content) and their own Ed25519 signature over
:func:`code_canonical_bytes` (same JSON rules, ``format`` = ``"kiosk-code/1"``). Its text is
``KDOC1.<number>.<document_code>.<issued_at>.<pages>.<digest>.<signature>`` with the digest and the
signature in unpadded base64url (RFC 4648 §5); about 200 ASCII characters, a version-10 QR code.

The 12-digit 문서확인번호 follows the confirmation numbers of documents issued online by 정부24
(kiosk-domain reference §1.7). Errors are :class:`~kiosk.errors.VerificationError` naming the field
at fault, never its value (document bodies hold personal data).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import VerificationError
from kiosk.issuance.document_body import (
    MAX_BLOCKS_PER_PAGE,
    MAX_COLUMNS,
    MAX_PAGES,
    MAX_ROWS,
    MAX_TEXT_CHARS,
    checked_text,
    freeze_body,
    malformed,
    matching,
)

__all__ = [
    "CODE_FORMAT", "CODE_PREFIX", "CONTENT_FORMAT", "DIGEST_BYTES", "DOCUMENT_NUMBER_DIGITS",
    "MAX_BLOCKS_PER_PAGE", "MAX_CODE_TEXT_CHARS", "MAX_COLUMNS", "MAX_PAGES", "MAX_ROWS",
    "MAX_TEXT_CHARS", "SIGNATURE_BYTES", "SIGNED_FORMAT", "CodeFields", "DocumentContent",
    "SignedDocument", "canonical_bytes", "check_document_code", "check_document_number",
    "check_issued_at", "code_canonical_bytes", "code_fields", "content_digest", "decode_code",
    "encode_code", "format_document_number", "format_issued_at", "sign_document",
    "signed_from_json", "signed_to_json", "verify_code", "verify_signed_document",
]

DOCUMENT_NUMBER_DIGITS = 12  # 문서확인번호 length (issue 4; 정부24 style, reference §1.7)
CONTENT_FORMAT = "kiosk-document/1"  # domain-separation tag inside the signed content
CODE_FORMAT = "kiosk-code/1"  # domain-separation tag inside the signed 2D-code fields
SIGNED_FORMAT = "kiosk-signed-document/1"  # the JSON envelope of signed_to_json
CODE_PREFIX = "KDOC1"  # first part of the 2D-code text; bump on any format change
MAX_CODE_TEXT_CHARS = 512  # parser bound for a scanned 2D-code text
SIGNATURE_BYTES = 64  # Ed25519 signature length (RFC 8032 §5.1.6)
DIGEST_BYTES = 32  # SHA-256 output length (FIPS 180-4)

_NUMBER_RE = re.compile(f"[0-9]{{{DOCUMENT_NUMBER_DIGITS}}}")
_CODE_RE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_CODE_MAX_CHARS = 64  # as kiosk.config.DOCUMENT_CODE_PATTERN
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_ISSUED_AT_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}")
_DIGEST_RE = re.compile(r"[0-9a-f]{64}")
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*")
_B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_PAGES_RE = re.compile(r"[1-9][0-9]{0,1}")
_CONTENT_KEYS = ("number", "document_code", "title", "authority", "issued_at", "kiosk_id",
                 "transaction_id", "body")
_SIGNED_KEYS = {"format", "content", "signature", "code_signature"}


def check_document_number(value: Any, where: str = "number") -> str:
    """Return ``value`` if it is a 12-digit 문서확인번호 (ASCII digits only)."""
    return matching(value, _NUMBER_RE, where, f"{DOCUMENT_NUMBER_DIGITS} ASCII digits")


def check_document_code(value: Any, where: str = "document_code") -> str:
    """Return ``value`` if it is a catalogue code such as ``resident-copy``."""
    if isinstance(value, str) and len(value) > _CODE_MAX_CHARS:
        raise malformed(where, f"longer than {_CODE_MAX_CHARS} characters")
    return matching(value, _CODE_RE, where, "a lower-case catalogue code like 'resident-copy'")


def check_issued_at(value: Any, where: str = "issued_at") -> str:
    """Return ``value`` if it is ISO 8601 with seconds and a ``+HH:MM`` offset, and a real time."""
    text = matching(value, _ISSUED_AT_RE, where, "ISO 8601 like 2026-11-23T02:14:05+09:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise malformed(where, "is not a valid date and time") from None
    if moment.utcoffset() is None or abs(moment.utcoffset().total_seconds()) >= 24 * 3600:
        raise malformed(where, "has an invalid offset")
    return text


def format_issued_at(moment: datetime) -> str:
    """Format an aware datetime as the contract's ``issued_at`` (seconds, ``+HH:MM`` offset)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("issued_at needs an aware datetime")
    return check_issued_at(moment.replace(microsecond=0).isoformat(timespec="seconds"))


def format_document_number(number: str) -> str:
    """``'123456789012'`` -> ``'1234-5678-9012'``, the printed form of the 문서확인번호."""
    digits = check_document_number(number)
    return "-".join(digits[index:index + 4] for index in range(0, len(digits), 4))


@dataclass(frozen=True)
class DocumentContent:
    """What the issuing authority certifies. Validated and deep-frozen on construction.

    Strings are stored in NFC; ``body`` becomes read-only mappings and tuples.

    Raises:
        VerificationError: a field is missing its form (the message names the field).
    """

    number: str
    document_code: str
    title: str
    authority: str
    issued_at: str
    kiosk_id: str
    transaction_id: str
    body: Mapping[str, Any]

    def __post_init__(self) -> None:
        check_document_number(self.number)
        check_document_code(self.document_code)
        check_issued_at(self.issued_at)
        matching(self.kiosk_id, _ID_RE, "kiosk_id", "an id of letters, digits and ._:-")
        matching(self.transaction_id, _ID_RE, "transaction_id",
                  "an id of letters, digits and ._:-")
        object.__setattr__(self, "title", checked_text(self.title, "title", allow_empty=False))
        object.__setattr__(self, "authority",
                           checked_text(self.authority, "authority", allow_empty=False))
        object.__setattr__(self, "body", freeze_body(self.body))

    @property
    def pages(self) -> int:
        """The number of pages the document is printed on."""
        return len(self.body["pages"])


def _plain(value: Any) -> Any:
    """Frozen body -> JSON-ready lists and dicts, every string in NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {unicodedata.normalize("NFC", key): _plain(item) for key, item in value.items()}
    return [_plain(item) for item in value]


def _content_dict(content: DocumentContent) -> dict[str, Any]:
    data = {key: getattr(content, key) for key in _CONTENT_KEYS}
    data["format"] = CONTENT_FORMAT
    return _plain(data)


def _canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def canonical_bytes(content: DocumentContent) -> bytes:
    """The exact bytes the content signature covers (see the module docstring)."""
    return _canonical_json(_content_dict(content))


def content_digest(content: DocumentContent) -> str:
    """SHA-256 of :func:`canonical_bytes`, lower-case hex."""
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


@dataclass(frozen=True)
class CodeFields:
    """The signed fields the printed 2D code carries."""

    number: str
    document_code: str
    issued_at: str
    pages: int
    digest: str

    def __post_init__(self) -> None:
        check_document_number(self.number)
        check_document_code(self.document_code)
        check_issued_at(self.issued_at)
        if type(self.pages) is not int or not 1 <= self.pages <= MAX_PAGES:
            raise malformed("pages", f"must be an integer 1..{MAX_PAGES}")
        matching(self.digest, _DIGEST_RE, "digest", "64 lower-case hex digits")


def code_fields(content: DocumentContent) -> CodeFields:
    """The 2D-code fields of ``content``."""
    return CodeFields(number=content.number, document_code=content.document_code,
                      issued_at=content.issued_at, pages=content.pages,
                      digest=content_digest(content))


def code_canonical_bytes(fields: CodeFields) -> bytes:
    """The exact bytes the 2D-code signature covers."""
    return _canonical_json({"format": CODE_FORMAT, "number": fields.number,
                            "document_code": fields.document_code,
                            "issued_at": fields.issued_at, "pages": fields.pages,
                            "digest": fields.digest})


@dataclass(frozen=True)
class SignedDocument:
    """Content plus the authority's two Ed25519 signatures (content, and 2D-code fields)."""

    content: DocumentContent
    signature: bytes
    code_signature: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.content, DocumentContent):
            raise malformed("content", "must be a DocumentContent")
        for name in ("signature", "code_signature"):
            value = getattr(self, name)
            if not isinstance(value, bytes) or len(value) != SIGNATURE_BYTES:
                raise malformed(name, f"must be {SIGNATURE_BYTES} bytes")

    @property
    def code_fields(self) -> CodeFields:
        return code_fields(self.content)


def sign_document(content: DocumentContent, key: Ed25519PrivateKey) -> SignedDocument:
    """Sign ``content`` and its 2D-code fields with the authority's Ed25519 key."""
    fields = code_fields(content)
    return SignedDocument(content=content, signature=key.sign(canonical_bytes(content)),
                          code_signature=key.sign(code_canonical_bytes(fields)))


def verify_code(fields: CodeFields, code_signature: bytes, public_key: Ed25519PublicKey) -> None:
    """Check a 2D code's signature. Raises VerificationError (``document.bad_signature``)."""
    try:
        public_key.verify(code_signature, code_canonical_bytes(fields))
    except InvalidSignature:
        raise VerificationError("2D-code signature does not verify: the code was altered or "
                                "not signed by this authority",
                                code="document.bad_signature") from None


def verify_signed_document(signed: SignedDocument, public_key: Ed25519PublicKey) -> None:
    """Check both signatures of ``signed``. Raises VerificationError with the reason."""
    try:
        public_key.verify(signed.signature, canonical_bytes(signed.content))
    except InvalidSignature:
        raise VerificationError("content signature does not verify: the content was altered or "
                                "not signed by this authority",
                                code="document.bad_signature") from None
    verify_code(code_fields(signed.content), signed.code_signature, public_key)


def _b64_encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64_decode(value: Any, where: str, length: int) -> bytes:
    text = matching(value, _B64_RE, where, "standard base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise malformed(where, "is not valid base64") from None
    if len(raw) != length or _b64_encode(raw) != text:
        raise malformed(where, f"must be the canonical base64 of {length} bytes")
    return raw


def signed_to_json(signed: SignedDocument) -> dict[str, Any]:
    """A JSON-ready dict of ``signed`` (the form embedded in the PDF and sent by the backend)."""
    content = _content_dict(signed.content)
    del content["format"]
    return {"format": SIGNED_FORMAT, "content": content,
            "signature": _b64_encode(signed.signature),
            "code_signature": _b64_encode(signed.code_signature)}


def _exact_keys(data: Any, keys: set[str] | tuple[str, ...], where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise malformed(where or "document", "must be an object")
    if not all(isinstance(key, str) for key in data):
        raise malformed(where or "document", "has a non-string key")
    missing = sorted(set(keys) - set(data))
    if missing:
        raise malformed(f"{where}.{missing[0]}" if where else missing[0], "is missing")
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise malformed(f"{where}.{unknown[0]}" if where else unknown[0],
                         "is not a known field")
    return data


def signed_from_json(data: Mapping[str, Any]) -> SignedDocument:
    """Parse :func:`signed_to_json` output strictly. Does not check the signatures.

    Raises:
        VerificationError: a missing, unknown or wrong-typed field (named in the message).
    """
    data = _exact_keys(data, _SIGNED_KEYS, "")
    if data["format"] != SIGNED_FORMAT:
        raise malformed("format", f"must be {SIGNED_FORMAT!r}")
    content_data = _exact_keys(data["content"], _CONTENT_KEYS, "content")
    try:
        content = DocumentContent(**{key: content_data[key] for key in _CONTENT_KEYS})
    except VerificationError as exc:
        raise VerificationError(f"content.{exc.detail}", code=exc.code) from None
    return SignedDocument(content=content,
                          signature=_b64_decode(data["signature"], "signature", SIGNATURE_BYTES),
                          code_signature=_b64_decode(data["code_signature"], "code_signature",
                                                     SIGNATURE_BYTES))


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str, where: str, length: int) -> bytes:
    if _B64URL_RE.fullmatch(text) is None:
        raise malformed(where, "must be unpadded base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise malformed(where, "is not valid base64url") from None
    if len(raw) != length or _b64url_encode(raw) != text:
        raise malformed(where, f"must be the canonical base64url of {length} bytes")
    return raw


def encode_code(fields: CodeFields, code_signature: bytes) -> str:
    """The text of the printed 2D code (see the module docstring)."""
    if not isinstance(code_signature, bytes) or len(code_signature) != SIGNATURE_BYTES:
        raise malformed("code_signature", f"must be {SIGNATURE_BYTES} bytes")
    return ".".join((CODE_PREFIX, fields.number, fields.document_code, fields.issued_at,
                     str(fields.pages), _b64url_encode(bytes.fromhex(fields.digest)),
                     _b64url_encode(code_signature)))


def decode_code(text: str) -> tuple[CodeFields, bytes]:
    """Parse a scanned 2D-code text strictly. Does not check the signature.

    Raises:
        VerificationError: wrong prefix, part count or any malformed part (named).
    """
    if not isinstance(text, str):
        raise malformed("code", "must be text")
    if len(text) > MAX_CODE_TEXT_CHARS:
        raise malformed("code", f"longer than {MAX_CODE_TEXT_CHARS} characters")
    parts = text.split(".")
    if len(parts) != 7:
        raise malformed("code", "must have 7 parts separated by '.'")
    prefix, number, document_code, issued_at, pages, digest, signature = parts
    if prefix != CODE_PREFIX:
        raise malformed("code.prefix", f"must be {CODE_PREFIX!r}")
    if _PAGES_RE.fullmatch(pages) is None:
        raise malformed("code.pages", f"must be an integer 1..{MAX_PAGES}")
    try:
        fields = CodeFields(number=number, document_code=document_code, issued_at=issued_at,
                            pages=int(pages),
                            digest=_b64url_decode(digest, "digest", DIGEST_BYTES).hex())
    except VerificationError as exc:
        raise VerificationError(f"code.{exc.detail}", code=exc.code) from None
    return fields, _b64url_decode(signature, "code.signature", SIGNATURE_BYTES)
