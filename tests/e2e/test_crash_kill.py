"""Power cut at any moment loses nothing: the kiosk process is SIGKILLed at kill points covering
every saga step and at random moments, then restarted; every transaction ends completed,
voided, refunded, retracted or failed, the card reader's ledger shows no double capture and no
capture without a document, and the journal passes ``PRAGMA integrity_check``.

The simulators stand for the hardware and the city: they run in the test's process and survive
each kill. `make test` runs one kill per step plus a few random ones; `make chaos`
(KIOSK_CHAOS=full) runs ten per step and twenty random ones.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.backend.simulator import BackendSim
from sim.host import SimHost

SUBJECT = "lee-seojun"
DOCUMENT = "vehicle-register"  # two pages for this subject: every step, binding included
STEPS = ("quoted", "payment_pending", "paid", "fetched", "printing", "printed", "bound",
         "presented", "taken")
FULL = os.environ.get("KIOSK_CHAOS") == "full"
KILLS_PER_STEP = 10 if FULL else 1
RANDOM_KILLS = 20 if FULL else 3
#: Device mechanics slowed so that a kill can land inside each step.
TIMING = 0.3
STEP_TIMEOUT_S = 60.0
ROOT = Path(__file__).resolve().parents[2]


def journal_states(journal: Path) -> set[str]:
    """Every state any transaction has entered (from the transitions table), read-only."""
    if not journal.exists():
        return set()
    try:
        with sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=1) as db:
            return {row[0] for row in db.execute("SELECT DISTINCT to_state FROM transitions "
                                                 "WHERE at >= ?", (START[0],))}
    except sqlite3.OperationalError:
        return set()


START = [0.0]


def spawn(config: Path, control_url: str, visits: int) -> subprocess.Popen[bytes]:
    log = (config.parent / "kiosk.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.kiosk_child", str(config), control_url, SUBJECT,
         DOCUMENT, str(visits)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def kill_at(config: Path, control_url: str, journal: Path, step: str | None,
            rng: random.Random) -> None:
    """Run visits and SIGKILL the kiosk when ``step`` is entered (or at a random moment)."""
    START[0] = time.time()
    process = spawn(config, control_url, visits=5)
    try:
        if step is None:
            deadline = time.monotonic() + rng.uniform(2.0, 12.0)
            while time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.01)
        else:
            deadline = time.monotonic() + STEP_TIMEOUT_S
            while step not in journal_states(journal):
                assert process.poll() is None, f"the kiosk exited before reaching {step}"
                assert time.monotonic() < deadline, f"{step} never reached"
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.15))
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


@pytest.mark.chaos
@pytest.mark.timeout(3600 if FULL else 300)
def test_sigkill_at_every_step_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261123)
    with BackendSim(port=0) as backend, SimHost(tmp_path / "sim", timing=TIMING,
                                                backend_url=backend.url) as host:
        config = tmp_path / "sim" / "kiosk.toml"
        journal = tmp_path / "sim" / "kiosk" / "journal.sqlite"
        plan: list[str | None] = [step for step in STEPS for _ in range(KILLS_PER_STEP)]
        plan += [None] * RANDOM_KILLS
        for step in plan:
            kill_at(config, host.control_url, journal, step, rng)
        recovery = spawn(config, host.control_url, visits=0)
        assert recovery.wait(timeout=120) == 0, "recovery did not settle the journal"
        ledger = host.emulators["card_reader"].state()
    with sqlite3.connect(journal) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = dict(db.execute("SELECT txn_id, state FROM transactions").fetchall())
        reached = {row[0] for row in db.execute("SELECT DISTINCT to_state FROM transitions")}
    assert set(STEPS) <= reached, f"kill points missed {set(STEPS) - reached}"
    assert rows, "no transaction was recorded"
    assert set(rows.values()) <= {"completed", "voided", "refunded", "retracted", "failed"}, rows
    captured = [key for key, entry in ledger["ledger"].items()
                if entry["settlement"] == "captured"]
    assert ledger["counters"].get("captures", len(captured)) == len(captured), ledger["counters"]
    for key in captured:
        assert rows.get(key) in ("completed", "retracted"), (key, rows.get(key))
    for key, entry in ledger["ledger"].items():
        if entry["outcome"] == "approved" and key in rows:
            assert entry["settlement"] != "none", (key, rows[key], entry)
