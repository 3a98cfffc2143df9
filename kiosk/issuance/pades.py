"""Signs a rendered document PDF as a whole: PAdES baseline B-B, with the signed content inside.

Follows ETSI EN 319 142-1 (PAdES baseline, level B-B: CAdES detached signature,
``/SubFilter /ETSI.CAdES.detached``, ESS signing-certificate-v2, no ``signingTime`` attribute)
via pyHanko, in memory. The signature is a certification signature (ISO 32000-1 §12.8.2.2, DocMDP
P=1: no changes permitted), so any PDF reader flags a modified file too.

In the same signed incremental update two embedded files (ISO 32000-1 §7.11.4) are added:

* ``signed-content.json``: :func:`kiosk.issuance.document.signed_to_json` of the document, the
  backend's Ed25519-signed content;
* ``content-signer.pem``: the X.509 certificate of the authority's Ed25519 content key, so that
  ``kiosk verify`` can check the content signature offline against its trust anchors.

Both are covered by the PAdES signature, so they cannot be swapped without breaking it.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers

from kiosk.errors import IssuanceError, VerificationError
from kiosk.issuance.document import SignedDocument, signed_to_json, verify_signed_document

log = logging.getLogger(__name__)

SIGNATURE_FIELD = "AuthoritySignature"
SIGNED_CONTENT_NAME = "signed-content.json"
CONTENT_SIGNER_NAME = "content-signer.pem"
BYTES_RESERVED = 8192  # CMS with an ECDSA P-256 signature and a two-certificate chain is ~2 KB
DIGEST_ALGORITHM = "sha256"  # ETSI TS 119 312 recommended hash
SIGNATURE_REASON = "민원서류 발급 (issued certificate)"


def signed_content_bytes(signed: SignedDocument) -> bytes:
    """The embedded ``signed-content.json`` (UTF-8, sorted keys, one line)."""
    return json.dumps(signed_to_json(signed), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


class PdfDocumentSigner:
    """The authority's PAdES signer, loaded once and reused for every document.

    Args:
        cert_file: the authority's document-signing certificate (PEM), e.g. authority.pem.
        key_file: its private key (PEM, unencrypted).
        content_cert_file: the certificate of the Ed25519 content key (authority-ed25519.pem).
        chain_files: intermediate certificates to embed in the signature (not the root).

    Raises:
        IssuanceError: a file is missing or unreadable, or the content certificate's key is
            not Ed25519 (``issuance.signer_config``).
    """

    def __init__(self, cert_file: Path | str, key_file: Path | str,
                 content_cert_file: Path | str, chain_files: tuple[Path | str, ...] = ()) -> None:
        signer = signers.SimpleSigner.load(str(key_file), str(cert_file),
                                           ca_chain_files=[str(path) for path in chain_files])
        if signer is None:
            raise IssuanceError(f"cannot load the PDF signing key or certificate "
                                f"({cert_file}, {key_file})", step="sign",
                                code="issuance.signer_config")
        try:
            pem = Path(content_cert_file).read_bytes()
            certificate = x509.load_pem_x509_certificate(pem)
        except (OSError, ValueError) as exc:
            raise IssuanceError(f"cannot read the content-signing certificate "
                                f"{content_cert_file}: {exc}", step="sign",
                                code="issuance.signer_config") from None
        public_key = certificate.public_key()
        if not isinstance(public_key, Ed25519PublicKey):
            raise IssuanceError(f"{content_cert_file}: the content-signing key must be Ed25519",
                                step="sign", code="issuance.signer_config")
        self._signer = signer
        self._content_cert_pem = pem
        self._content_key = public_key
        self._metadata = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD, md_algorithm=DIGEST_ALGORITHM,
            subfilter=fields.SigSeedSubFilter.PADES, certify=True,
            docmdp_permissions=fields.MDPPerm.NO_CHANGES, reason=SIGNATURE_REASON)

    def sign(self, pdf: bytes, signed: SignedDocument) -> bytes:
        """Embed the signed content and its certificate in ``pdf``, then PAdES-sign it all.

        Raises:
            IssuanceError: the content's Ed25519 signatures do not verify under the content
                certificate (``issuance.content_signature``), or ``pdf`` cannot be parsed.
        """
        try:
            verify_signed_document(signed, self._content_key)
        except VerificationError as exc:
            raise IssuanceError(f"refusing to sign a document whose content signature is "
                                f"invalid: {exc.detail}", step="sign",
                                code="issuance.content_signature") from None
        try:
            writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=True)
            _embed(writer, SIGNED_CONTENT_NAME, signed_content_bytes(signed),
                   "application/json", "Ed25519-signed document content (kiosk-document/1)")
            _embed(writer, CONTENT_SIGNER_NAME, self._content_cert_pem,
                   "application/x-pem-file", "Certificate of the content-signing key")
            output = signers.PdfSigner(self._metadata, signer=self._signer).sign_pdf(
                writer, bytes_reserved=BYTES_RESERVED, output=BytesIO())
        except (PdfError, ValueError) as exc:
            raise IssuanceError(f"cannot sign the rendered PDF: {exc}", step="sign",
                                code="issuance.pdf_signing") from None
        data: bytes = output.getvalue()
        log.debug("signed PDF of %d bytes for document type %s", len(data),
                  signed.content.document_code)
        return data


def _embed(writer: IncrementalPdfFileWriter, name: str, data: bytes, mime_type: str,
           description: str) -> None:
    stream = embed.EmbeddedFileObject.from_file_data(
        writer, data=data, mime_type=mime_type,
        params=embed.EmbeddedFileParams(embed_size=True, embed_checksum=True))
    embed.embed_file(writer, embed.FileSpec(
        file_spec_string=name, file_name=name, embedded_data=stream, description=description,
        af_relationship=generic.NameObject("/Data")))


@lru_cache(maxsize=4)
def cached_signer(cert_file: str, key_file: str, content_cert_file: str,
                  chain_files: tuple[str, ...] = ()) -> PdfDocumentSigner:
    """A :class:`PdfDocumentSigner` per distinct set of files (key material parsed once)."""
    return PdfDocumentSigner(cert_file, key_file, content_cert_file, chain_files)


def sign_pdf(pdf: bytes, signed: SignedDocument, *, cert_file: Path | str,
             key_file: Path | str, content_cert_file: Path | str,
             chain_files: tuple[Path | str, ...] = ()) -> bytes:
    """PAdES-sign ``pdf`` (see :meth:`PdfDocumentSigner.sign`), with a cached signer."""
    signer = cached_signer(str(cert_file), str(key_file), str(content_cert_file),
                           tuple(str(path) for path in chain_files))
    return signer.sign(pdf, signed)
