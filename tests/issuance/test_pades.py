"""PAdES signing of rendered documents: one certification signature over the whole file, with the
signed content and its certificate embedded, validated by pyHanko against the test CA."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from kiosk.errors import IssuanceError
from kiosk.issuance.document import sign_document, signed_from_json
from kiosk.issuance.pades import (
    CONTENT_SIGNER_NAME,
    SIGNED_CONTENT_NAME,
    PdfDocumentSigner,
    sign_pdf,
)
from kiosk.issuance.render import render_document
from tests.issuance.document_support import (
    AUTHORITY_CERT,
    AUTHORITY_KEY,
    CA,
    CONTENT_CERT,
    issued_pdf,
    make_other_pki,
    signed_sample,
)


def test_the_whole_file_carries_one_trusted_pades_signature() -> None:
    signed = signed_sample(2)
    pdf = issued_pdf(signed)
    reader = PdfFileReader(BytesIO(pdf), strict=True)
    assert len(reader.embedded_signatures) == 1
    signature = reader.embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    roots = [asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(CA.read_bytes()).public_bytes(Encoding.DER))]
    status = validate_pdf_signature(signature, ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.docmdp_ok is not False
    assert int(reader.root["/Pages"]["/Count"]) == 2
    # A certification signature: DocMDP with no changes permitted.
    perms = reader.root["/Perms"]["/DocMDP"].get_object()
    assert perms["/Reference"][0]["/TransformParams"]["/P"] == 1


def test_signed_content_and_its_certificate_are_embedded() -> None:
    signed = signed_sample(1)
    reader = PdfFileReader(BytesIO(issued_pdf(signed)), strict=True)
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    files = {str(names[index]): names[index + 1].get_object()["/EF"]["/F"].get_object().data
             for index in range(0, len(names), 2)}
    assert set(files) == {SIGNED_CONTENT_NAME, CONTENT_SIGNER_NAME}
    assert signed_from_json(json.loads(files[SIGNED_CONTENT_NAME])) == signed
    assert files[CONTENT_SIGNER_NAME] == CONTENT_CERT.read_bytes()


def test_the_base_revision_is_the_rendered_pdf() -> None:
    signed = signed_sample(1)
    rendered = render_document(signed)
    assert issued_pdf(signed).startswith(rendered)


def test_refuses_content_signed_by_another_key(tmp_path: Path) -> None:
    other = make_other_pki(tmp_path)
    signed = sign_document(signed_sample(1).content, other.content_key)
    with pytest.raises(IssuanceError) as caught:
        issued_pdf(signed)
    assert caught.value.code == "issuance.content_signature"


def test_missing_or_wrong_key_material_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IssuanceError) as caught:
        PdfDocumentSigner(tmp_path / "absent.pem", AUTHORITY_KEY, CONTENT_CERT)
    assert caught.value.code == "issuance.signer_config"
    with pytest.raises(IssuanceError) as caught:
        PdfDocumentSigner(AUTHORITY_CERT, AUTHORITY_KEY, AUTHORITY_CERT)  # not Ed25519
    assert "Ed25519" in caught.value.detail


def test_garbage_instead_of_a_pdf_is_a_clear_error() -> None:
    with pytest.raises(IssuanceError) as caught:
        sign_pdf(b"not a pdf", signed_sample(1), cert_file=AUTHORITY_CERT,
                 key_file=AUTHORITY_KEY, content_cert_file=CONTENT_CERT)
    assert caught.value.code == "issuance.pdf_signing"
