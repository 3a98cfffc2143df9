"""Trust anchors and certificate checks for ``kiosk verify`` (RFC 5280 path validation).

Anchors are PEM files, each holding one or more certificates (a bundle): the test CA, or the
authority's own certificates. Path validation is pyhanko-certvalidator's, offline (no fetching;
revocation soft-fail, since a kiosk's paper is checked without network). Both the PAdES signer and
the content-signing certificate must carry the digitalSignature and nonRepudiation key usages
(RFC 5280 §4.2.1.3): the CA that issues them also issues the kiosks' TLS certificates, which lack
nonRepudiation and therefore cannot pass for the authority.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from kiosk.errors import ConfigError, VerificationError

REQUIRED_KEY_USAGE = frozenset({"digital_signature", "non_repudiation"})
# pyHanko rebuilds the constraints from key_usage alone (dropping match_all_key_usages), so it is
# given the one usage that tells the authority from a TLS client; check_signing_usage checks both.
SIGNER_KEY_USAGE = KeyUsageConstraints(key_usage={"non_repudiation"})


@dataclass(frozen=True)
class TrustAnchors:
    """The certificates a verifier trusts, in both libraries' forms."""

    certificates: tuple[x509.Certificate, ...]

    @property
    def asn1(self) -> list[asn1_x509.Certificate]:
        return [asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
                for cert in self.certificates]

    def validation_context(self) -> ValidationContext:
        """An offline validation context with these anchors as roots."""
        return ValidationContext(trust_roots=self.asn1, allow_fetching=False,
                                 revocation_mode="soft-fail")

    def contains(self, certificate: x509.Certificate) -> bool:
        return certificate in self.certificates


def load_certificates(pem: bytes, where: str) -> tuple[x509.Certificate, ...]:
    """Every certificate of a PEM bundle. Raises VerificationError if there is none."""
    try:
        certificates = tuple(x509.load_pem_x509_certificates(pem))
    except ValueError:
        raise VerificationError(f"{where}: not a PEM certificate bundle",
                                code="document.malformed") from None
    if not certificates:
        raise VerificationError(f"{where}: holds no certificate", code="document.malformed")
    return certificates


def load_anchors(paths: Iterable[Path | str]) -> TrustAnchors:
    """Read trust anchors from PEM files (each may be a bundle).

    Raises:
        ConfigError: a file is missing, unreadable or holds no certificate.
    """
    certificates: list[x509.Certificate] = []
    problems: list[str] = []
    for path in paths:
        try:
            certificates.extend(load_certificates(Path(path).read_bytes(), str(path)))
        except OSError as exc:
            problems.append(f"{path}: cannot read ({exc.strerror})")
        except VerificationError as exc:
            problems.append(exc.detail)
    if problems:
        raise ConfigError(problems)
    if not certificates:
        raise ConfigError("no trust anchors given")
    return TrustAnchors(tuple(certificates))


def subject_of(certificate: x509.Certificate) -> str:
    """The certificate's subject as an RFC 4514 string."""
    return certificate.subject.rfc4514_string()


def check_signing_usage(certificate: x509.Certificate, role: str) -> None:
    """Require the digitalSignature and nonRepudiation key usages (RFC 5280 §4.2.1.3)."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or not (usage.digital_signature and usage.content_commitment):
        raise VerificationError(f"untrusted: the {role} '{subject_of(certificate)}' lacks the "
                                f"digitalSignature and nonRepudiation key usages",
                                code="document.untrusted")


def validate_content_certificate(certificate: x509.Certificate,
                                 anchors: TrustAnchors) -> Ed25519PublicKey:
    """Check that ``certificate`` is an Ed25519 signing certificate valid under ``anchors``.

    Returns its public key. Raises VerificationError (``document.untrusted``) otherwise.
    """
    key = certificate.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise VerificationError("untrusted: the content-signing certificate's key is not "
                                "Ed25519", code="document.untrusted")
    check_signing_usage(certificate, "content-signing certificate")
    validator = CertificateValidator(
        asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER)),
        validation_context=anchors.validation_context())
    try:
        asyncio.run(validator.async_validate_usage(set(REQUIRED_KEY_USAGE)))
    except (PathBuildingError, PathValidationError) as exc:
        raise VerificationError(f"untrusted: the content-signing certificate "
                                f"'{subject_of(certificate)}' is not valid under the trust "
                                f"anchors ({exc})", code="document.untrusted") from None
    return key


def content_keys(anchors: TrustAnchors,
                 extra: Sequence[x509.Certificate] = ()) -> list[tuple[str, Ed25519PublicKey]]:
    """Trusted Ed25519 content keys: those among the anchors and ``extra`` that validate.

    Raises VerificationError (``document.untrusted``) when none does.
    """
    found: list[tuple[str, Ed25519PublicKey]] = []
    reasons: list[str] = []
    for certificate in (*anchors.certificates, *extra):
        if not isinstance(certificate.public_key(), Ed25519PublicKey):
            continue
        try:
            found.append((subject_of(certificate),
                          validate_content_certificate(certificate, anchors)))
        except VerificationError as exc:
            reasons.append(exc.detail)
    if not found:
        detail = "; ".join(reasons) if reasons else (
            "untrusted: no Ed25519 content-signing certificate among the trust anchors; pass "
            "it with --signer (e.g. authority-ed25519.pem)")
        raise VerificationError(detail, code="document.untrusted")
    return found
