"""Offline verification of issued documents: the signed PDF, or the 2D code scanned from paper.

A PDF is valid when, in this order (the first failure is the reason given):

1. it parses and holds exactly one signature (else *unsigned*);
2. that PAdES signature (:mod:`kiosk.issuance.pades`) is intact and cryptographically valid,
   covers the entire file with no later change, and its ``/Contents`` is exactly the canonical
   upper-case hex of the CMS object followed by zero padding (so even a byte of the unsigned
   ``/Contents`` gap cannot change; ISO 32000-1 §12.8.1) (else *tampered*);
3. its signer chains to the trust anchors with digitalSignature + nonRepudiation (else
   *untrusted*);
4. the embedded ``signed-content.json`` parses strictly and its Ed25519 signatures verify under
   the embedded ``content-signer.pem``, which itself chains to the anchors (or, when the anchors
   name the PAdES signer's own certificate, is vouched for by that signature) (else
   *tampered* / *untrusted*);
5. the 2D-code fields derived from the content match the file: the page count (the number, type
   and issue time are inside the signed content; the code signature is checked in step 4).

A code text is valid when it parses strictly and its signature verifies under a trusted Ed25519
content-signing certificate. Nothing here prints or logs document bodies (personal data).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus

from kiosk.errors import VerificationError
from kiosk.issuance.document import (
    CodeFields,
    DocumentContent,
    decode_code,
    signed_from_json,
    verify_code,
    verify_signed_document,
)
from kiosk.issuance.pades import CONTENT_SIGNER_NAME, SIGNED_CONTENT_NAME
from kiosk.issuance.verify_trust import (
    SIGNER_KEY_USAGE,
    TrustAnchors,
    check_signing_usage,
    content_keys,
    load_certificates,
    subject_of,
    validate_content_certificate,
)

MAX_EMBEDDED_BYTES = 1_000_000  # bound on the embedded content JSON


@dataclass(frozen=True)
class VerifiedDocument:
    """A PDF that passed every check. ``content`` holds personal data: show only its header."""

    content: DocumentContent
    pdf_signer: str
    content_signer: str
    signed_at: datetime | None


@dataclass(frozen=True)
class VerifiedCode:
    """A scanned 2D code whose signature verified."""

    fields: CodeFields
    content_signer: str


def _fail(reason: str, code: str) -> VerificationError:
    return VerificationError(reason, code=code)


def _the_signature(data: bytes) -> tuple[PdfFileReader, EmbeddedPdfSignature]:
    try:
        reader = PdfFileReader(BytesIO(data), strict=True)
        signatures = reader.embedded_signatures
    # pyHanko raises many exception types on damaged input (PdfReadError, KeyError, ValueError,
    # TypeError, IndexError ...); at this boundary every one of them means "damaged file".
    except Exception as exc:
        raise _fail(f"tampered or damaged: the file is not a readable PDF "
                    f"({type(exc).__name__})", "document.tampered") from None
    if not signatures:
        raise _fail("unsigned: the PDF carries no signature", "document.unsigned")
    if len(signatures) != 1:
        raise _fail(f"tampered: the PDF carries {len(signatures)} signatures, expected one",
                    "document.tampered")
    return reader, signatures[0]


def _der_length(blob: bytes) -> int:
    """Length of the DER TLV at the start of ``blob`` (X.690 §8.1.3)."""
    if len(blob) < 2 or blob[0] != 0x30:
        raise _fail("tampered: the signature is not a CMS structure", "document.tampered")
    if blob[1] < 0x80:
        return 2 + blob[1]
    size = blob[1] & 0x7F
    if size == 0 or size > 4 or len(blob) < 2 + size:
        raise _fail("tampered: the signature has a bad length", "document.tampered")
    return 2 + size + int.from_bytes(blob[2:2 + size], "big")


def _check_contents_gap(data: bytes, signature: EmbeddedPdfSignature) -> None:
    """The one unsigned region of the file must be exactly the canonical signature bytes."""
    byte_range = [int(value) for value in signature.byte_range]
    contents = bytes(signature.sig_object["/Contents"])
    gap = data[byte_range[1]:byte_range[2]]
    if gap != b"<" + contents.hex().upper().encode("ascii") + b">":
        raise _fail("tampered: the signature's /Contents is not in canonical form",
                    "document.tampered")
    used = _der_length(contents)
    if used > len(contents) or any(contents[used:]):
        raise _fail("tampered: bytes were added after the signature", "document.tampered")


def _signer_certificate(status: PdfSignatureStatus) -> x509.Certificate:
    return x509.load_der_x509_certificate(status.signing_cert.dump())


def _validate_pades(data: bytes, signature: EmbeddedPdfSignature,
                    anchors: TrustAnchors) -> PdfSignatureStatus:
    try:
        status = validate_pdf_signature(signature, anchors.validation_context(),
                                        key_usage_settings=SIGNER_KEY_USAGE)
    except Exception as exc:  # damaged CMS: see _the_signature
        raise _fail(f"tampered: the PDF signature cannot be validated ({type(exc).__name__})",
                    "document.tampered") from None
    if not status.intact:
        raise _fail("tampered: the file's content no longer matches its signature",
                    "document.tampered")
    if not status.valid:
        raise _fail("tampered: the PDF signature value is invalid", "document.tampered")
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE":
        raise _fail("tampered: the signature does not cover the whole file (changed or "
                    "appended after signing)", "document.tampered")
    _check_contents_gap(data, signature)
    if not status.trusted:
        raise _fail(f"untrusted: the PDF signer '{subject_of(_signer_certificate(status))}' is "
                    f"not trusted by the given anchors or lacks the document-signing key usages",
                    "document.untrusted")
    check_signing_usage(_signer_certificate(status), "PDF signer")
    return status


def _embedded_files(reader: PdfFileReader) -> dict[str, bytes]:
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        files: dict[str, bytes] = {}
        for index in range(0, len(names), 2):
            spec = names[index + 1].get_object()
            files[str(names[index])] = spec["/EF"]["/F"].get_object().data
    except Exception as exc:  # damaged structure: see _the_signature
        raise _fail(f"tampered: the signed content is missing from the PDF "
                    f"({type(exc).__name__})", "document.tampered") from None
    return files


def _content_key(files: dict[str, bytes], anchors: TrustAnchors,
                 status: PdfSignatureStatus) -> tuple[str, Ed25519PublicKey]:
    if CONTENT_SIGNER_NAME not in files:
        raise _fail("untrusted: the PDF does not carry the content-signing certificate",
                    "document.untrusted")
    certificates = load_certificates(files[CONTENT_SIGNER_NAME], CONTENT_SIGNER_NAME)
    if len(certificates) != 1:
        raise _fail(f"tampered: {CONTENT_SIGNER_NAME} must hold exactly one certificate",
                    "document.tampered")
    certificate = certificates[0]
    try:
        return subject_of(certificate), validate_content_certificate(certificate, anchors)
    except VerificationError:
        key = certificate.public_key()
        if not anchors.contains(_signer_certificate(status)) or not isinstance(
                key, Ed25519PublicKey):
            raise
        # The anchors name the PAdES signer itself, and its signature covers this certificate.
        check_signing_usage(certificate, "content-signing certificate")
        return subject_of(certificate), key


def _signed_content(files: dict[str, bytes]) -> Any:
    raw = files.get(SIGNED_CONTENT_NAME)
    if raw is None:
        raise _fail("tampered: the PDF does not carry its signed content", "document.tampered")
    if len(raw) > MAX_EMBEDDED_BYTES:
        raise _fail("tampered: the embedded content is too large", "document.tampered")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _fail("tampered: the embedded content is not JSON", "document.tampered") from None


def verify_pdf(data: bytes, anchors: TrustAnchors) -> VerifiedDocument:
    """Verify an issued PDF (see the module docstring). Raises VerificationError with the reason.

    Uses ``asyncio.run`` inside pyHanko: call it from a thread, not from a running event loop.
    """
    reader, signature = _the_signature(data)
    status = _validate_pades(data, signature, anchors)
    files = _embedded_files(reader)
    signed = signed_from_json(_signed_content(files))
    content_signer, key = _content_key(files, anchors, status)
    verify_signed_document(signed, key)
    try:
        page_count = int(reader.root["/Pages"]["/Count"])
    except Exception as exc:  # damaged structure: see _the_signature
        raise _fail(f"tampered: the page tree is damaged ({type(exc).__name__})",
                    "document.tampered") from None
    if page_count != signed.content.pages:
        raise _fail(f"tampered: the PDF has {page_count} pages but the signed content "
                    f"{signed.content.pages}", "document.tampered")
    return VerifiedDocument(content=signed.content,
                            pdf_signer=subject_of(_signer_certificate(status)),
                            content_signer=content_signer,
                            signed_at=status.signer_reported_dt)


def verify_code_text(text: str, anchors: TrustAnchors,
                     signers: tuple[x509.Certificate, ...] = ()) -> VerifiedCode:
    """Verify a scanned 2D-code text against the trusted content-signing certificates.

    ``signers`` are extra candidate certificates (``--signer``); they must validate under
    ``anchors`` like the Ed25519 certificates among the anchors themselves.
    """
    fields, signature = decode_code(text)
    failure = _fail("untrusted: no trusted content-signing key", "document.untrusted")
    for subject, key in content_keys(anchors, signers):
        try:
            verify_code(fields, signature, key)
        except VerificationError as exc:
            failure = exc
            continue
        return VerifiedCode(fields=fields, content_signer=subject)
    raise failure
