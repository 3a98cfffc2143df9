"""The test PKI: every certificate chains to the CA, kiosk CNs are kiosk ids, ten years."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT = Path(__file__).resolve().parents[2]


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_kiosk_sim_pki_writes_a_complete_pki(tmp_path: Path) -> None:
    result = subprocess.run([str(Path(sys.executable).with_name("kiosk-sim")), "pki", "--out",
                             str(tmp_path), "--kiosk", "k-0001", "--kiosk", "k-0002"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    ca = load(tmp_path / "ca.pem")
    ca_key = ca.public_key()
    assert isinstance(ca_key, ec.EllipticCurvePublicKey)
    for stem in ("backend", "broker", "authority", "fleet", "kiosk-k-0001", "kiosk-k-0002",
                 "authority-ed25519"):
        cert = load(tmp_path / f"{stem}.pem")
        cert.verify_directly_issued_by(ca)
        lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
        assert lifetime >= datetime.timedelta(days=3650)
    kiosk = load(tmp_path / "kiosk-k-0002.pem")
    assert kiosk.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "k-0002"
    usage = kiosk.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in usage
    assert isinstance(load(tmp_path / "authority-ed25519.pem").public_key(),
                      ed25519.Ed25519PublicKey)
    assert "TEST MATERIAL ONLY" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_committed_example_pki_is_valid_and_marked() -> None:
    pki = ROOT / "examples" / "pki"
    ca = load(pki / "ca.pem")
    for cert_file in pki.glob("*.pem"):
        if cert_file.name != "ca.pem":
            load(cert_file).verify_directly_issued_by(ca)
    broker = load(pki / "broker.pem")
    names = broker.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert "TEST MATERIAL ONLY" in (pki / "README.md").read_text(encoding="utf-8")
