"""Shared material for the document, render, PAdES and verify tests: the test PKI's keys and a
second, self-made PKI that the kiosk's trust anchors do not know."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from kiosk.issuance.document import DocumentContent, SignedDocument, sign_document
from kiosk.issuance.pades import sign_pdf
from kiosk.issuance.render import render_document
from kiosk.issuance.render_sample import sample_content

PKI = Path(__file__).resolve().parents[2] / "examples" / "pki"
CA = PKI / "ca.pem"
AUTHORITY_CERT = PKI / "authority.pem"
AUTHORITY_KEY = PKI / "authority.key"
CONTENT_CERT = PKI / "authority-ed25519.pem"
CONTENT_KEY = PKI / "authority-ed25519.key"


def content_key() -> ed25519.Ed25519PrivateKey:
    key = serialization.load_pem_private_key(CONTENT_KEY.read_bytes(), password=None)
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    return key


def signed_sample(pages: int = 1, **overrides: str) -> SignedDocument:
    return sign_document(sample_content(pages, **overrides), content_key())


def issued_pdf(signed: SignedDocument) -> bytes:
    """Render and PAdES-sign with the example authority, as the kiosk does."""
    return sign_pdf(render_document(signed), signed, cert_file=AUTHORITY_CERT,
                    key_file=AUTHORITY_KEY, content_cert_file=CONTENT_CERT)


def with_content(signed: SignedDocument, content: DocumentContent) -> SignedDocument:
    return SignedDocument(content=content, signature=signed.signature,
                          code_signature=signed.code_signature)


@dataclass(frozen=True)
class OtherPki:
    """A complete stranger PKI: CA, PAdES signer and Ed25519 content signer, as PEM files."""

    ca: Path
    authority_cert: Path
    authority_key: Path
    content_cert: Path
    content_key: ed25519.Ed25519PrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject: str, public_key: object, issuer: str,
                 issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=not ca,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=ca, crl_sign=ca, encipher_only=False,
                          decipher_only=False)
    return (x509.CertificateBuilder()
            .subject_name(_name(subject)).issuer_name(_name(issuer))
            .public_key(public_key)  # type: ignore[arg-type]
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .sign(issuer_key, hashes.SHA256()))


def make_other_pki(directory: Path) -> OtherPki:
    """Write a self-made CA with an authority and a content signer under ``directory``."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _certificate("Stranger CA", ca_key.public_key(), "Stranger CA", ca_key, ca=True)
    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority = _certificate("Stranger Authority", authority_key.public_key(), "Stranger CA",
                             ca_key, ca=False)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    ed_cert = _certificate("Stranger content signing", ed_key.public_key(), "Stranger CA",
                           ca_key, ca=False)
    pem = serialization.Encoding.PEM
    paths = OtherPki(ca=directory / "ca.pem", authority_cert=directory / "authority.pem",
                     authority_key=directory / "authority.key",
                     content_cert=directory / "content.pem", content_key=ed_key)
    paths.ca.write_bytes(ca_cert.public_bytes(pem))
    paths.authority_cert.write_bytes(authority.public_bytes(pem))
    paths.authority_key.write_bytes(authority_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    paths.content_cert.write_bytes(ed_cert.public_bytes(pem))
    return paths
