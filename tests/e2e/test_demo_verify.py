"""`kiosk demo --headless` issues a document that `kiosk verify` accepts, and any single-byte
change to the file makes verification fail; with the printer jammed the visit ends voided and
nothing is charged."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def demo(out: Path, *extra: str) -> dict[str, object]:
    result = subprocess.run([str(BIN / "kiosk"), "demo", "--headless", "--out", str(out),
                             *extra], capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    summary: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    written = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert written.items() <= summary.items()
    return summary


def verify(pdf: Path, trust: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "kiosk"), "verify", str(pdf), "--trust", str(trust)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_demo_document_verifies_and_any_changed_byte_fails(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    summary = demo(out, "--document", "resident-copy")
    assert (summary["document"], summary["outcome"], summary["fee"]) == (
        "resident-copy", "completed", 200)
    [pdf] = out.glob("document-*.pdf")
    assert pdf.name == f"document-{summary['document_number']}.pdf"
    assert list(out.glob("receipt-*.txt"))
    trust = out / "trust" / "authority.pem"
    accepted = verify(pdf, trust)
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.startswith(f"valid: {summary['document_number']} resident-copy ")
    original = pdf.read_bytes()
    rng = random.Random(4)
    for position in rng.sample(range(len(original)), 6):
        changed = bytearray(original)
        changed[position] ^= 1 << rng.randrange(8)
        tampered = tmp_path / f"tampered-{position}.pdf"
        tampered.write_bytes(bytes(changed))
        refused = verify(tampered, trust)
        assert refused.returncode == 1, (position, refused.stdout, refused.stderr)


def test_demo_with_a_jammed_printer_ends_voided_and_free(tmp_path: Path) -> None:
    summary = demo(tmp_path / "demo", "--fault", "printer:jam")
    assert summary["outcome"] == "voided"
    assert summary["fee"] == 0
    assert not list((tmp_path / "demo").glob("document-*.pdf"))
