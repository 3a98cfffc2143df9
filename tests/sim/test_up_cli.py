"""`kiosk-sim up` end to end: six answering devices behind symlinks, a config that validates
and probes, the person-at-the-machine commands, faults by CLI, and a clean SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.config import DEVICE_NAMES

BIN = Path(sys.executable).parent


def kiosk_sim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "kiosk-sim"), *args], capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.fixture
def running(tmp_path: Path):
    run_dir = tmp_path / "sim"
    process = subprocess.Popen([str(BIN / "kiosk-sim"), "up", "--dir", str(run_dir),
                                "--timing", "0"], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (run_dir / "control.json").exists():
        assert process.poll() is None, "kiosk-sim up exited early"
        assert time.monotonic() < deadline, "kiosk-sim up did not become ready"
        time.sleep(0.05)
    yield run_dir, process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_up_serves_every_device_and_a_valid_config(running) -> None:
    run_dir, _ = running
    for name in DEVICE_NAMES:
        link = run_dir / name
        assert link.is_symlink() and Path(link.resolve()).exists(), name
    result = subprocess.run([str(BIN / "kiosk"), "check-config", "--probe",
                             str(run_dir / "kiosk.toml")], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.stdout.count("  ok   device") == 6, result.stdout


def test_person_at_the_machine_and_faults(running) -> None:
    run_dir, _ = running
    directory = ("--dir", str(run_dir))
    assert json.loads(kiosk_sim("key", *directory, "enter").stdout) == {"key": "enter"}
    assert json.loads(kiosk_sim("headset", *directory, "in").stdout)["headset_plugged"] is True
    placed = json.loads(kiosk_sim("finger", *directory, "place", "hong-gildong").stdout)
    assert placed["finger"]["subject"] == "hong-gildong"
    jammed = json.loads(kiosk_sim("fault", *directory, "printer", "jam").stdout)
    assert jammed["jammed"] is True and jammed["faults"] == ["jam"]
    cleared = json.loads(kiosk_sim("fault", *directory, "printer", "jam", "--clear").stdout)
    assert cleared["faults"] == []
    refused = kiosk_sim("fault", *directory, "printer", "melt")
    assert refused.returncode == 2
    assert "unknown fault 'melt'; known: door_open" in refused.stdout
    state = json.loads(kiosk_sim("state", *directory).stdout)
    assert set(state) == set(DEVICE_NAMES)
    assert all(device["plugged"] for device in state.values())


def test_unplug_and_replug_by_cli(running) -> None:
    run_dir, _ = running
    directory = ("--dir", str(run_dir))
    kiosk_sim("fault", *directory, "binder", "unplug")
    assert not (run_dir / "binder").exists()
    kiosk_sim("fault", *directory, "binder", "replug")
    assert (run_dir / "binder").is_symlink()


def test_sigterm_cleans_up(running) -> None:
    run_dir, process = running
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "simulator stopped" in output
    assert not any((run_dir / name).exists() for name in DEVICE_NAMES)
    assert not (run_dir / "control.json").exists()


def test_commands_without_a_simulator_say_how_to_start_one(tmp_path: Path) -> None:
    result = kiosk_sim("take", "--dir", str(tmp_path))
    assert result.returncode == 2
    assert "kiosk-sim up --dir" in result.stdout
