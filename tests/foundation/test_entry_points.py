"""The three console entry points are installed and answer --help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(("command", "expected"), [
    ("kiosk", "check-config"), ("kiosk-sim", "pki"), ("fleet-monitor", "serve")])
def test_help(command: str, expected: str) -> None:
    result = subprocess.run([str(BIN / command), "--help"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_hash_pin_reads_stdin_and_verifies() -> None:
    from kiosk.service.pin import verify_pin

    result = subprocess.run([str(BIN / "kiosk"), "hash-pin"], input="246810\n",
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    pin_hash = result.stdout.strip()
    assert verify_pin("246810", pin_hash)
    assert not verify_pin("246811", pin_hash)
    assert "246810" not in pin_hash


def test_hash_pin_rejects_non_digits() -> None:
    result = subprocess.run([str(BIN / "kiosk"), "hash-pin"], input="abc\n",
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "4 to 12 digits" in result.stderr
