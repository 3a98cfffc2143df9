"""``kiosk verify``: exit codes and reasons for valid, tampered, unsigned and untrusted PDFs and
2D codes, every single-byte change rejected, and where the trust anchors come from."""

from __future__ import annotations

import io
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.cli import main
from kiosk.issuance.document import encode_code, sign_document
from kiosk.issuance.pades import PdfDocumentSigner
from kiosk.issuance.render import render_document
from tests.issuance.document_support import (
    AUTHORITY_CERT,
    CA,
    CONTENT_CERT,
    PKI,
    OtherPki,
    issued_pdf,
    make_other_pki,
    signed_sample,
)

EXAMPLE_CONFIG = PKI.parent / "kiosk.toml"
VALID_LINE = "valid: 482019375520 resident-copy 2026-11-23T14:05:09+09:00"


@cache
def good_pdf() -> bytes:
    return issued_pdf(signed_sample(2))


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["verify", *(str(arg) for arg in args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> OtherPki:
    return make_other_pki(tmp_path_factory.mktemp("other-pki"))


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "document.pdf"
    path.write_bytes(good_pdf())
    return path


def test_valid_document_exits_0_with_its_fields(capsys, good_file: Path) -> None:
    code, out, err = run(capsys, good_file, "--trust", CA)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == VALID_LINE
    assert "  pages:           2" in lines
    assert any("Test Issuing Authority" in line for line in lines)
    assert "홍길동" not in out  # the body (personal data) is never printed


def test_without_trust_the_config_anchors_are_used(capsys, good_file: Path, monkeypatch) -> None:
    code, out, _ = run(capsys, good_file, "--config", EXAMPLE_CONFIG)
    assert (code, out.splitlines()[0]) == (0, VALID_LINE)
    monkeypatch.setenv("KIOSK_CONFIG", str(EXAMPLE_CONFIG))
    assert run(capsys, good_file)[0] == 0


def test_trust_may_be_an_authority_bundle_or_the_authority_itself(capsys, good_file: Path,
                                                                  tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(AUTHORITY_CERT.read_bytes() + CONTENT_CERT.read_bytes())
    assert run(capsys, good_file, "--trust", bundle)[0] == 0
    assert run(capsys, good_file, "--trust", AUTHORITY_CERT)[0] == 0
    assert run(capsys, good_file, "--trust", PKI / "broker.pem", "--trust", CA)[0] == 0


# capsys is read out after every run, so sharing it across examples is safe.
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_single_byte_change_exits_1(capsys, tmp_path_factory, data) -> None:
    pdf = good_pdf()
    position = data.draw(st.integers(0, len(pdf) - 1), label="position")
    delta = data.draw(st.integers(1, 255), label="xor")
    path = tmp_path_factory.mktemp("flip") / "document.pdf"
    path.write_bytes(pdf[:position] + bytes([pdf[position] ^ delta]) + pdf[position + 1:])
    code, out, err = run(capsys, path, "--trust", CA)
    assert code == 1, out
    assert err.startswith("invalid: ")


def replaced(pdf: bytes, position: int, value: bytes) -> bytes:
    assert pdf[position:position + 1] != value
    return pdf[:position] + value + pdf[position + 1:]


def test_changes_inside_the_unsigned_contents_gap_exit_1(capsys, tmp_path: Path) -> None:
    pdf = good_pdf()
    start = pdf.index(b"/Contents <") + len(b"/Contents <")
    end = pdf.index(b">", start)
    letter = next(index for index in range(start, end) if pdf[index:index + 1] in b"ABCDEF")
    cases = {
        "lower-case hex digit": replaced(pdf, letter, pdf[letter:letter + 1].lower()),
        "padding digit": replaced(pdf, end - 1, b"1"),
        "first signature digit": replaced(pdf, start, b"4"),
        "appended update": pdf + b"\n% appended\n",
        "first byte": replaced(pdf, 0, b"&"),
        "last byte": replaced(pdf, len(pdf) - 1, b" "),
    }
    for name, mutated in cases.items():
        path = tmp_path / "mutated.pdf"
        path.write_bytes(mutated)
        code, _, err = run(capsys, path, "--trust", CA)
        assert code == 1, name
        assert "tampered" in err or "unsigned" in err, (name, err)


def test_unsigned_pdf_exits_1(capsys, tmp_path: Path) -> None:
    path = tmp_path / "unsigned.pdf"
    path.write_bytes(render_document(signed_sample(1)))
    code, _, err = run(capsys, path, "--trust", CA)
    assert code == 1
    assert err.startswith("invalid: unsigned")


def test_document_of_a_strange_pki_is_untrusted(capsys, tmp_path: Path,
                                                other: OtherPki) -> None:
    signed = sign_document(signed_sample(1).content, other.content_key)
    signer = PdfDocumentSigner(other.authority_cert, other.authority_key, other.content_cert)
    path = tmp_path / "stranger.pdf"
    path.write_bytes(signer.sign(render_document(signed), signed))
    code, _, err = run(capsys, path, "--trust", CA)
    assert code == 1
    assert err.startswith("invalid: untrusted: the PDF signer 'CN=Stranger Authority")
    assert run(capsys, path, "--trust", other.ca)[0] == 0  # its own CA accepts it


def test_kiosk_tls_certificate_cannot_pass_for_the_authority(capsys, tmp_path: Path) -> None:
    signed = signed_sample(1)
    signer = PdfDocumentSigner(PKI / "kiosk-jongno-0001.pem", PKI / "kiosk-jongno-0001.key",
                               CONTENT_CERT)
    path = tmp_path / "kiosk-signed.pdf"
    path.write_bytes(signer.sign(render_document(signed), signed))
    code, _, err = run(capsys, path, "--trust", CA)
    assert code == 1
    assert err.startswith("invalid: untrusted: the PDF signer 'CN=jongno-0001")


def test_content_signer_must_chain_to_the_anchors(capsys, tmp_path: Path,
                                                  other: OtherPki) -> None:
    signed = sign_document(signed_sample(1).content, other.content_key)
    signer = PdfDocumentSigner(AUTHORITY_CERT, PKI / "authority.key", other.content_cert)
    path = tmp_path / "strange-content.pdf"
    path.write_bytes(signer.sign(render_document(signed), signed))
    code, _, err = run(capsys, path, "--trust", CA)
    assert code == 1
    assert "content-signing certificate 'CN=Stranger content signing" in err
    # Trusting the PAdES signer's own certificate trusts what it signed, this certificate too.
    assert run(capsys, path, "--trust", AUTHORITY_CERT)[0] == 0


def code_text(pages: int = 2) -> str:
    signed = signed_sample(pages)
    return encode_code(signed.code_fields, signed.code_signature)


def test_valid_code_exits_0_and_prints_the_signed_fields(capsys) -> None:
    code, out, err = run(capsys, "--code", code_text(), "--signer", CONTENT_CERT)
    assert code == 0, err
    assert out.splitlines()[0] == VALID_LINE
    assert "  number:          4820-1937-5520" in out and "  pages:           2" in out
    code, out, _ = run(capsys, "--code", code_text(), "--trust", CONTENT_CERT)
    assert code == 0


def test_code_from_stdin(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(code_text() + "\r\n"))
    assert run(capsys, "--code", "-", "--signer", CONTENT_CERT)[0] == 0


def test_tampered_malformed_or_unverifiable_codes_exit_1(capsys, other: OtherPki) -> None:
    text = code_text(2)
    code, _, err = run(capsys, "--code", text.replace(".2.", ".1.", 1), "--signer", CONTENT_CERT)
    assert (code, err.startswith("invalid: 2D-code signature does not verify")) == (1, True)
    code, _, err = run(capsys, "--code", text[:-5], "--signer", CONTENT_CERT)
    assert (code, "code.signature" in err) == (1, True)
    code, _, err = run(capsys, "--code", text, "--trust", CA)
    assert (code, "--signer" in err) == (1, True)
    stranger = sign_document(signed_sample(2).content, other.content_key)
    code, _, err = run(capsys, "--code", encode_code(stranger.code_fields,
                                                     stranger.code_signature),
                       "--signer", CONTENT_CERT)
    assert code == 1
    code, _, err = run(capsys, "--code", text, "--signer", other.content_cert, "--trust", CA)
    assert (code, "untrusted" in err) == (1, True)


def test_usage_and_unreadable_inputs_exit_2(capsys, good_file: Path, tmp_path: Path) -> None:
    assert run(capsys, good_file, "--code", code_text())[0] == 2
    assert run(capsys)[0] == 2
    assert run(capsys, good_file, "--trust", tmp_path / "absent.pem")[0] == 2
    assert run(capsys, tmp_path / "absent.pdf", "--trust", CA)[0] == 2
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    code, _, err = run(capsys, good_file, "--trust", not_pem)
    assert (code, "not a PEM" in err) == (2, True)


def test_the_installed_command_runs_verify(good_file: Path) -> None:
    script = ("import sys; from kiosk.cli import main; "
              "sys.exit(main(['verify', sys.argv[1], '--trust', sys.argv[2]]))")
    done = subprocess.run([sys.executable, "-c", script, str(good_file), str(CA)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == VALID_LINE
    good_file.write_bytes(replace_byte(good_file.read_bytes()))
    done = subprocess.run([sys.executable, "-c", script, str(good_file), str(CA)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith("invalid: tampered")


def replace_byte(pdf: bytes) -> bytes:
    middle = len(pdf) // 3
    return pdf[:middle] + bytes([pdf[middle] ^ 0x10]) + pdf[middle + 1:]

