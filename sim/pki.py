"""A test-only PKI for the simulator, the example config and the tests.

Makes a CA and, signed by it: the backend's TLS server certificate, the broker's TLS server
certificate, the issuing authority's document-signing certificate (ECDSA P-256, for PAdES), the
fleet monitor's MQTT client certificate and one client certificate per kiosk (CN = kiosk id, so
Mosquitto's ``use_identity_as_username`` makes the kiosk id the MQTT username). Plus raw keys:
the backend's X25519 identity-envelope key, the authority's Ed25519 content-signing key and the
fleet's Ed25519 command-signing key. Everything is valid for ten years and clearly marked as
test material: never deploy it.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_KIOSK_IDS = ("jongno-0001", "jongno-0002")
VALIDITY = datetime.timedelta(days=3652)
ORGANISATION = "TEST ONLY - kiosk-controller simulator"

README = """\
# TEST MATERIAL ONLY

Every key in this folder is public and for tests and the simulator only. Never deploy it.
Regenerate with `kiosk-sim pki --out examples/pki` (the kiosk ids default to {ids}).

| file | what it is |
|---|---|
| ca.pem / ca.key | the test CA that signs every certificate below |
| backend.pem / backend.key | the issuance-backend simulator's TLS server certificate |
| broker.pem / broker.key | Mosquitto's TLS server certificate (localhost, 127.0.0.1) |
| authority.pem / authority.key | the issuing authority's document-signing certificate (PAdES) |
| authority-ed25519.key / .pub | the authority's Ed25519 key for signing document content |
| authority-ed25519.pem | that key's certificate, signed by the CA (verifiers trust it via ca.pem) |
| backend-x25519.key / .pub | the backend's X25519 key; kiosks encrypt identity data to it |
| fleet.pem / fleet.key | the fleet monitor's MQTT client certificate (CN fleet-monitor) |
| fleet-ed25519.key / .pub | the fleet's Ed25519 key for signing commands to kiosks |
| kiosk-ID.pem / kiosk-ID.key | one MQTT/HTTPS client certificate per kiosk (CN = kiosk id) |
"""


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _write_key(path: Path, key: object) -> None:
    pem = key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    path.write_bytes(pem)
    path.chmod(0o600)


def _write_public(path: Path, key: object) -> None:
    path.write_bytes(key.public_key().public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def _issue(ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate | None,
           common_name: str, *, now: datetime.datetime, is_ca: bool = False,
           server_names: Sequence[str] = (), client: bool = False,
           signing: bool = False) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ca_key if is_ca else ec.generate_private_key(ec.SECP256R1())
    issuer = _name(common_name) if ca_cert is None else ca_cert.subject
    builder = (x509.CertificateBuilder()
               .subject_name(_name(common_name)).issuer_name(issuer)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + VALIDITY)
               .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False))
    if is_ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca_key.public_key()), critical=False)
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=signing, key_encipherment=False,
            data_encipherment=False, key_agreement=not signing, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        usages = []
        if server_names:
            usages.append(ExtendedKeyUsageOID.SERVER_AUTH)
        if client:
            usages.append(ExtendedKeyUsageOID.CLIENT_AUTH)
        if usages:
            builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    if server_names:
        alt: list[x509.GeneralName] = []
        for host in server_names:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                alt.append(x509.DNSName(host))
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return key, cert


def _save_cert(out: Path, stem: str, key: object, cert: x509.Certificate) -> None:
    (out / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(out / f"{stem}.key", key)


def certify_content_key(ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate,
                        public_key: ed25519.Ed25519PublicKey,
                        now: datetime.datetime) -> x509.Certificate:
    """A CA-signed certificate for the authority's Ed25519 content-signing key."""
    return (x509.CertificateBuilder()
            .subject_name(_name("Test Issuing Authority content signing (TEST ONLY)"))
            .issuer_name(ca_cert.subject).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))


def make_pki(out: Path, kiosk_ids: Sequence[str] = DEFAULT_KIOSK_IDS) -> list[Path]:
    """Write a complete test PKI into ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_key, ca_cert = _issue(ca_key, None, "Kiosk Test CA (TEST ONLY)", now=now, is_ca=True)
    _save_cert(out, "ca", ca_key, ca_cert)
    local = ("localhost", "127.0.0.1", "::1")
    for stem, common_name, kwargs in (
        ("backend", "backend.test", {"server_names": ("backend.test", *local)}),
        ("broker", "broker.test", {"server_names": ("broker.test", *local)}),
        ("authority", "Test Issuing Authority (TEST ONLY)", {"signing": True}),
        ("fleet", "fleet-monitor", {"client": True}),
        *((f"kiosk-{kiosk_id}", kiosk_id, {"client": True}) for kiosk_id in kiosk_ids),
    ):
        key, cert = _issue(ca_key, ca_cert, common_name, now=now, **kwargs)
        _save_cert(out, stem, key, cert)
    for stem, raw_key in (("backend-x25519", x25519.X25519PrivateKey.generate()),
                          ("authority-ed25519", ed25519.Ed25519PrivateKey.generate()),
                          ("fleet-ed25519", ed25519.Ed25519PrivateKey.generate())):
        _write_key(out / f"{stem}.key", raw_key)
        _write_public(out / f"{stem}.pub", raw_key)
    content_key = serialization.load_pem_private_key(
        (out / "authority-ed25519.key").read_bytes(), password=None)
    (out / "authority-ed25519.pem").write_bytes(
        certify_content_key(ca_key, ca_cert, content_key.public_key(), now)  # type: ignore[arg-type]
        .public_bytes(serialization.Encoding.PEM))
    (out / "README.md").write_text(README.format(ids=", ".join(kiosk_ids)), encoding="utf-8")
    return sorted(out.iterdir())
