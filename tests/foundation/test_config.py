"""Config loading: the example validates, and every class of error names its key path."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import load_config, parse_config
from kiosk.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "kiosk.toml"


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """The example config and its PKI copied to a temporary directory."""
    shutil.copytree(ROOT / "examples" / "pki", tmp_path / "pki")
    target = tmp_path / "kiosk.toml"
    shutil.copy(EXAMPLE, target)
    return target


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.problems


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_example_config_is_valid() -> None:
    config = load_config(EXAMPLE)
    assert config.kiosk.id == "jongno-0001"
    assert config.devices.fingerprint.baudrate == 57600
    assert config.fees["resident-copy"] == 200
    assert config.backend.ca_file.is_file()
    assert config.devices.printer.port.endswith("run/sim/printer")
    assert config.source == EXAMPLE.resolve()


def test_config_is_frozen() -> None:
    config = load_config(EXAMPLE)
    with pytest.raises(AttributeError):
        config.kiosk.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.fees["resident-copy"] = 0  # type: ignore[index]


def test_unknown_table_and_key(example_copy: Path) -> None:
    edit(example_copy, "[logging]", "[colour]\nhue = 1\n\n[logging]")
    edit(example_copy, 'timeout_s = 10.0\n\n[devices.receipt]',
         'timeout_s = 10.0\nduplex = true\n\n[devices.receipt]')
    assert problems_of(example_copy) == ["colour: unknown key",
                                         "devices.printer.duplex: unknown key"]


def test_negative_timeout_names_the_key(example_copy: Path) -> None:
    edit(example_copy, "timeout_s = 10.0\n\n[devices.receipt]",
         "timeout_s = -1\n\n[devices.receipt]")
    assert problems_of(example_copy) == ["devices.printer.timeout_s: must be > 0, got -1"]


def test_missing_tls_file(example_copy: Path) -> None:
    (example_copy.parent / "pki" / "backend-x25519.pub").unlink()
    [problem] = problems_of(example_copy)
    assert problem.startswith("backend.public_key_file: file not found: ")
    assert problem.endswith("pki/backend-x25519.pub")


def test_three_errors_are_reported_together(example_copy: Path) -> None:
    edit(example_copy, "[logging]", "[colour]\n\n[logging]")
    edit(example_copy, "timeout_s = 1.0\n\n[devices.binder]", "timeout_s = -1\n\n[devices.binder]")
    (example_copy.parent / "pki" / "ca.pem").unlink()
    problems = problems_of(example_copy)
    assert "colour: unknown key" in problems
    assert "devices.receipt.timeout_s: must be > 0, got -1" in problems
    assert any(p.startswith("telemetry.ca_file: file not found") for p in problems)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('baudrate = 57600', 'baudrate = "fast"',
     "devices.fingerprint.baudrate: must be an integer, got string"),
    ('baudrate = 57600', 'baudrate = 100',
     "devices.fingerprint.baudrate: must be >= 1200, got 100"),
    ('fullscreen = true', 'fullscreen = "yes"', "ui.fullscreen: must be true or false, got string"),
    ('theme = "default" ', 'theme = "neon" ',
     "ui.theme: must be one of default, high-contrast, large-text; got 'neon'"),
    ('id = "jongno-0001" ', 'id = "a/b" ',
     "kiosk.id: must match [A-Za-z0-9][A-Za-z0-9_-]{2,63}, got 'a/b'"),
    ('url = "https://127.0.0.1:8443"', 'url = "http://127.0.0.1:8443"',
     "backend.url: must be a URL with scheme https and a host, got 'http://127.0.0.1:8443'"),
    ('resident-copy = 200', 'resident-copy = -5', "fees.resident-copy: must be >= 0, got -5"),
    ('resident-copy = 200', 'Resident_Copy = 5',
     "fees.Resident_Copy: not a document code ([a-z][a-z0-9-]{1,63})"),
    ('languages = ["ko", "en", "zh", "vi", "ja"]', 'languages = ["ko", "fr"]',
     "ui.languages[1]: must be one of ko, en, zh, vi, ja; got 'fr'"),
    ('idle_warning_s = 20 ', 'idle_warning_s = 10 ', "ui.idle_warning_s: must be >= 20, got 10"),
])
def test_each_error_class_names_its_key(example_copy: Path, old: str, new: str,
                                        expected: str) -> None:
    edit(example_copy, old, new)
    assert expected in problems_of(example_copy)


def test_missing_required_table_and_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"kiosk": {"site": "x1"}}, tmp_path)
    problems = caught.value.problems
    assert "kiosk.id: missing required key" in problems
    assert "devices: missing required key" in problems
    assert "backend: missing required key" in problems


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[kiosk\nid=", encoding="utf-8")
    assert "not valid TOML" in problems_of(bad)[0]
    assert problems_of(tmp_path / "absent.toml")[0].endswith("absent.toml: file not found")


def test_mqtts_requires_tls_files(example_copy: Path) -> None:
    edit(example_copy, 'ca_file = "pki/ca.pem"\ncert_file = "pki/kiosk-jongno-0001.pem"\n'
                       'key_file = "pki/kiosk-jongno-0001.key"\nfleet', "fleet")
    problems = problems_of(example_copy)
    assert "telemetry.ca_file: required for an mqtts:// broker" in problems


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True,
                          text=True, timeout=60, check=False)


def test_check_config_cli_ok() -> None:
    result = run_cli("check-config", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    assert "ok: kiosk jongno-0001 at seoul-jongno, 6 devices" in result.stdout


def test_check_config_cli_lists_all_errors(example_copy: Path) -> None:
    edit(example_copy, "[logging]", "[colour]\n\n[logging]")
    edit(example_copy, "timeout_s = 10.0\n\n[devices.receipt]",
         "timeout_s = -1\n\n[devices.receipt]")
    (example_copy.parent / "pki" / "kiosk-jongno-0001.key").unlink()
    result = run_cli("check-config", str(example_copy))
    assert result.returncode == 2
    assert "colour: unknown key" in result.stderr
    assert "devices.printer.timeout_s: must be > 0, got -1" in result.stderr
    assert "backend.key_file: file not found" in result.stderr
    assert "telemetry.key_file: file not found" in result.stderr


def test_check_config_probe_reports_each_target(example_copy: Path) -> None:
    result = run_cli("check-config", "--probe", str(example_copy))
    assert result.returncode == 1
    lines = result.stdout.splitlines()[1:]
    assert len(lines) == 8
    assert all(line.strip().startswith("FAIL") for line in lines[:6])
    assert any("device printer: cannot open" in line for line in lines)
    assert any(line.strip().startswith(("FAIL broker", "ok   broker")) for line in lines)
    assert any("backend:" in line for line in lines)
