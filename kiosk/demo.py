"""`kiosk demo --headless`: a whole citizen visit through the real core, with no screen.

Starts the device simulator and the city-backend simulator as child processes (under
``OUT/run``), builds the kiosk from the config the simulator writes, and lets a scripted
citizen (``kiosk.demo_citizen``) walk one visit: choose the document, type the test subject's
RRN, place their finger, pay, take the document. Then it writes:

- ``OUT/document-<number>.pdf``: the signed document as the printer received it;
- ``OUT/receipt-<txn>.txt``: the receipt as the receipt printer printed it (if a fee was paid);
- ``OUT/summary.json``: document, pages, fee, outcome, transaction id, document number;
- ``OUT/trust/authority.pem``: the certificates to verify the document with
  (``kiosk verify OUT/document-*.pdf --trust OUT/trust/authority.pem``).

``--fault DEVICE:FAULT`` injects a simulator fault: a fault of a device that issues (printer,
binder, receipt) once the kiosk starts issuing, after the payment, so it bites the transaction
(``printer:jam`` ends voided, nothing charged); any other before the visit. ``--broker URL``
publishes the kiosk's telemetry there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.config import KioskConfig, load_config
from kiosk.demo_citizen import ScriptedCitizen
from kiosk.issuance.journal import TERMINAL_STATES
from kiosk.view import Cancel, Screen

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 30.0
VISIT_TIMEOUT_S = 120.0
SETTLE_TIMEOUT_S = 30.0
DEFAULT_SUBJECT = "hong-gildong"
#: Devices whose ``--fault`` is switched on when the issuing screen shows (after payment).
FAULT_WHILE_ISSUING = frozenset({"printer", "binder", "receipt"})
#: A kiosk still out of service this long after it started has turned the citizen away; a
#: document still shown unavailable this long makes the citizen leave.
OUT_OF_SERVICE_WAIT_S = 10.0
UNAVAILABLE_WAIT_S = 10.0


class DemoError(RuntimeError):
    """The demo could not run (a simulator did not start, the visit did not finish)."""


class SimulatorControl:
    """The person at the machine, through the device simulator's control API."""

    def __init__(self, url: str, subject: str) -> None:
        self.url = url
        self.subject = subject

    def call(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"},
                                         method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def place_finger(self) -> None:
        self.call("/action", {"device": "fingerprint", "action": "place",
                              "params": {"subject": self.subject}})

    def take_document(self) -> None:
        self.call("/action", {"device": "binder", "action": "take", "params": {}})

    def fault(self, device: str, fault: str) -> None:
        self.call("/fault", {"device": device, "fault": fault, "active": True, "params": {}})


class Children:
    """The simulator processes, each in its own process group, stopped in reverse order."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, argv: list[str]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        output = (self.log_dir / f"{name}.log").open("wb")
        self.processes.append(subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT,
                                               start_new_session=True))

    def stop(self) -> None:
        for process in reversed(self.processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for_file(path: Path, children: Children) -> dict[str, Any]:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if path.exists():
            with contextlib.suppress(ValueError):
                data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
                return data
        if any(process.poll() is not None for process in children.processes):
            raise DemoError(f"a simulator exited early; see {children.log_dir}")
        time.sleep(0.05)
    raise DemoError(f"{path} did not appear within {READY_TIMEOUT_S:.0f} s")


def start_simulators(run_dir: Path, children: Children, broker: str | None) -> tuple[Path, str]:
    """Start the backend and device simulators; returns (kiosk config, control API URL)."""
    bin_dir = Path(sys.executable).parent
    children.start("backend", [str(bin_dir / "kiosk-sim"), "backend", "--port", "0",
                               "--dir", str(run_dir / "backend")])
    backend = wait_for_file(run_dir / "backend" / "backend.json", children)
    children.start("devices", [str(bin_dir / "kiosk-sim"), "up", "--dir", str(run_dir / "sim"),
                               "--timing", "0", "--backend-url", backend["url"],
                               "--broker-url", broker or "mqtt://127.0.0.1:1883"])
    control = wait_for_file(run_dir / "sim" / "control.json", children)
    return run_dir / "sim" / "kiosk.toml", str(control["url"])


def run_visit(config: KioskConfig, citizen: ScriptedCitizen, telemetry: bool, *,
              on_started: Callable[[Any], None] | None = None,
              on_issuing: Callable[[], None] | None = None) -> dict[str, Any]:
    """Build the kiosk, walk the citizen's visit and return the transaction's journal row.

    ``on_started(app)`` runs once the kiosk is up (recovery done); ``on_issuing()`` once the
    issuing screen first shows.
    """
    from kiosk.app import KioskApp

    app = KioskApp(config, telemetry=telemetry)
    changed = threading.Event()
    app.channel.watch(changed.set)
    app.start()
    if on_started is not None:
        on_started(app)
    try:
        started = time.monotonic()
        seen = -1
        waiting_since: float | None = None
        while not citizen.done:
            now = time.monotonic()
            if now > started + VISIT_TIMEOUT_S:
                raise DemoError(f"the visit did not finish; screens: {citizen.screens}")
            if citizen.screens and set(citizen.screens) == {Screen.OUT_OF_SERVICE} \
                    and now > started + OUT_OF_SERVICE_WAIT_S:
                break
            waiting_since = (waiting_since or now) if citizen.unavailable else None
            if waiting_since is not None and now > waiting_since + UNAVAILABLE_WAIT_S:
                citizen.failure = citizen.unavailable
                app.intents.put(Cancel())
                waiting_since = None
            changed.wait(0.5)
            changed.clear()
            snapshot = app.channel.latest()
            if snapshot.seq == seen:
                continue
            seen = snapshot.seq
            if on_issuing is not None and snapshot.screen is Screen.ISSUING:
                on_issuing()
                on_issuing = None
            for intent in citizen.react(snapshot):
                app.intents.put(intent)
        return _settled_transaction(app)
    finally:
        app.stop()


def _settled_transaction(app: Any) -> dict[str, Any]:
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while time.monotonic() < deadline:
        rows = app.journal.all()
        if rows and all(row.state in TERMINAL_STATES for row in rows):
            return dataclasses.asdict(rows[-1])
        time.sleep(0.05)
    rows = app.journal.all()
    if not rows:
        return {}
    raise DemoError(f"transaction {rows[-1].txn_id} still {rows[-1].state.value}")


def collect_outputs(out: Path, run_dir: Path, config: KioskConfig,
                    txn: dict[str, Any]) -> dict[str, Any]:
    """Copy the document, receipt and trust certificates into ``out``; return the summary."""
    summary: dict[str, Any] = {
        "document": txn.get("document_code"), "pages": txn.get("pages_printed", 0),
        "fee": txn.get("fee_won", 0) if txn.get("captured") else 0,
        "outcome": str(txn.get("state", "none")), "transaction_id": txn.get("txn_id"),
        "document_number": txn.get("document_number")}
    printed = run_dir / "sim" / "output" / "printer" / f"{txn.get('txn_id')}.pdf"
    if printed.exists() and summary["outcome"] in ("completed", "retracted"):
        target = out / f"document-{txn['document_number']}.pdf"
        shutil.copy(printed, target)
        summary["file"] = target.name
    receipts = sorted((run_dir / "sim" / "output" / "receipt").glob("*.txt"))
    if receipts and summary["fee"]:
        shutil.copy(receipts[-1], out / f"receipt-{txn['txn_id']}.txt")
    trust = out / "trust"
    trust.mkdir(parents=True, exist_ok=True)
    (trust / "authority.pem").write_bytes(config.documents.signer_cert_file.read_bytes()
                                          + config.documents.content_cert_file.read_bytes())
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
                                      encoding="utf-8")
    return summary


def run_demo(out: Path, *, document: str = "resident-copy", subject: str = DEFAULT_SUBJECT,
             fault: str | None = None, broker: str | None = None,
             language: str = "ko") -> dict[str, Any]:
    """Run one scripted visit against fresh simulators; returns the summary."""
    from sim.backend.subjects import SUBJECTS

    if subject not in SUBJECTS:
        raise DemoError(f"unknown subject {subject!r}; known: {', '.join(SUBJECTS)}")
    out.mkdir(parents=True, exist_ok=True)
    run_dir = out / "run"
    children = Children(run_dir / "logs")
    try:
        config_path, control_url = start_simulators(run_dir, children, broker)
        config = load_config(config_path)
        config = dataclasses.replace(config, telemetry=dataclasses.replace(
            config.telemetry, enabled=broker is not None))
        control = SimulatorControl(control_url, subject)
        inject = None
        if fault:
            device, _, name = fault.partition(":")
            inject = functools.partial(control.fault, device, name)
            if device not in FAULT_WHILE_ISSUING:
                inject()
                inject = None
        citizen = ScriptedCitizen(document, SUBJECTS[subject].rrn, control, language=language)
        txn = run_visit(config, citizen, telemetry=broker is not None, on_issuing=inject)
        summary = collect_outputs(out, run_dir, config, txn)
        if citizen.failure:
            summary["citizen_saw"] = citizen.failure
        return summary
    finally:
        children.stop()
