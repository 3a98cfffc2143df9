"""Runs every device emulator on its pty and serves the local JSON control API.

``SimHost(run_dir).start()`` starts the six emulators behind ``RUN_DIR/<device>`` symlinks,
writes ``RUN_DIR/kiosk.toml`` (a kiosk config pointing at them) and ``RUN_DIR/control.json``
(where the control API listens). Emulators are found in ``EMULATORS`` and imported lazily.

Control API (HTTP on 127.0.0.1, JSON bodies, JSON answers; errors are 400 with ``error``):

- ``GET /state``: every device's state;
- ``POST /fault`` ``{"device", "fault", "active": true, "params": {}}``; ``unplug`` and
  ``replug`` are faults too;
- ``POST /action`` ``{"device", "action", "params": {}}``: what a person at the machine does.
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sim.emulator import Emulator, UnknownFault
from sim.ptylink import PtyLink

log = logging.getLogger(__name__)

#: device name -> "module:Class" of its emulator.
EMULATORS: Mapping[str, str] = {
    "fingerprint": "sim.devices.fingerprint:FingerprintEmulator",
    "receipt": "sim.devices.receipt:ReceiptEmulator",
    "printer": "sim.devices.printer:PrinterEmulator",
    "binder": "sim.devices.binder:BinderEmulator",
    "card_reader": "sim.devices.card_reader:CardReaderEmulator",
    "panel": "sim.devices.panel:PanelEmulator",
}
BAUDRATES: Mapping[str, int] = {"fingerprint": 57600, "receipt": 9600}
#: Deadlines other than 2 s, as in examples/kiosk.toml: a bind cycle and a citizen with a card.
TIMEOUTS_S: Mapping[str, float] = {"binder": 5.0, "card_reader": 35.0}
MAX_BODY_BYTES = 64 * 1024


def load_emulator_class(device: str) -> type[Emulator]:
    module_name, class_name = EMULATORS[device].split(":")
    return getattr(importlib.import_module(module_name), class_name)  # type: ignore[no-any-return]


def kiosk_config_text(run_dir: Path, pki_dir: Path, devices: Sequence[str], *,
                      backend_url: str = "https://127.0.0.1:8443",
                      broker_url: str = "mqtt://127.0.0.1:1883",
                      kiosk_id: str = "jongno-0001") -> str:
    """A kiosk config (TOML) whose devices are this run directory's emulators."""
    pki = pki_dir.resolve()
    lines = [
        "# Written by kiosk-sim up: a kiosk config pointing at this run's emulators.",
        "[kiosk]", f'id = "{kiosk_id}"', 'site = "seoul-jongno"', "",
    ]
    for device in devices:
        # The symlink itself, never its target: after an unplug/replug it points at a new pty
        # (resolving it would pin the kiosk to a pty that may since belong to another device).
        lines += [f"[devices.{device}]", f'port = "{run_dir.resolve() / device}"',
                  f"baudrate = {BAUDRATES.get(device, 115200)}",
                  f"timeout_s = {TIMEOUTS_S.get(device, 2.0)}", ""]
    lines += [
        "[backend]", f'url = "{backend_url}"', f'ca_file = "{pki}/ca.pem"',
        f'cert_file = "{pki}/kiosk-{kiosk_id}.pem"', f'key_file = "{pki}/kiosk-{kiosk_id}.key"',
        f'public_key_file = "{pki}/backend-x25519.pub"', "",
        "[telemetry]", f'broker_url = "{broker_url}"',
        *((f'ca_file = "{pki}/ca.pem"', f'cert_file = "{pki}/kiosk-{kiosk_id}.pem"',
           f'key_file = "{pki}/kiosk-{kiosk_id}.key"')
          if broker_url.startswith("mqtts://") else ()),
        f'fleet_public_key_file = "{pki}/fleet-ed25519.pub"',
        f'outbox_path = "{(run_dir / "kiosk" / "outbox.sqlite").resolve()}"', "",
        "[journal]", f'path = "{(run_dir / "kiosk" / "journal.sqlite").resolve()}"',
        "",
        "[documents]", f'signer_cert_file = "{pki}/authority.pem"',
        f'signer_key_file = "{pki}/authority.key"',
        f'content_cert_file = "{pki}/authority-ed25519.pem"', "",
        "[service]",
        'pin_hash = "scrypt$00112233445566778899aabbccddeeff$'
        'ecaa613317efa69f10b9dcc33fb967709a4273154270a48b701b906ac22d6934"', "",
        "[trust]", f'authority_anchors = ["{pki}/ca.pem"]', "",
        "[fees]", "resident-copy = 200", "",
    ]
    return "\n".join(lines)


class SimHost:
    """The emulators of one run directory, their ptys and the control API."""

    def __init__(self, run_dir: Path, *, devices: Sequence[str] | None = None,
                 timing: float = 0.0, seed: int = 0, pki_dir: Path | None = None,
                 backend_url: str = "https://127.0.0.1:8443",
                 broker_url: str = "mqtt://127.0.0.1:1883",
                 kiosk_id: str = "jongno-0001") -> None:
        self.run_dir = run_dir
        self.devices = tuple(devices or EMULATORS)
        self.timing = timing
        self.seed = seed
        self.pki_dir = pki_dir or Path(__file__).resolve().parent.parent / "examples" / "pki"
        self.backend_url = backend_url
        self.broker_url = broker_url
        self.kiosk_id = kiosk_id
        self.emulators: dict[str, Emulator] = {}
        self.links: dict[str, PtyLink] = {}
        self._server: ThreadingHTTPServer | None = None
        self._server_thread: threading.Thread | None = None

    def start(self) -> None:
        """Start every emulator, the control API and write kiosk.toml and control.json."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        output = self.run_dir / "output"
        output.mkdir(exist_ok=True)
        for index, device in enumerate(self.devices):
            emulator = load_emulator_class(device)(timing=self.timing, seed=self.seed + index,
                                                   output_dir=output)
            self.emulators[device] = emulator
            link = PtyLink(emulator, self.run_dir / device)
            link.open()
            self.links[device] = link
        (self.run_dir / "kiosk.toml").write_text(
            kiosk_config_text(self.run_dir, self.pki_dir, self.devices,
                              backend_url=self.backend_url, broker_url=self.broker_url,
                              kiosk_id=self.kiosk_id),
            encoding="utf-8")
        self._start_control()  # control.json last: its existence means "ready"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for link in self.links.values():
            link.close()
        self.links.clear()
        for name in ("control.json",):
            (self.run_dir / name).unlink(missing_ok=True)

    def __enter__(self) -> SimHost:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def control_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # ------------------------------------------------------------- control

    def fault(self, device: str, fault: str, active: bool = True,
              params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Switch a fault on or off; ``unplug``/``replug`` act on the pty."""
        emulator = self._emulator(device)
        if fault in ("unplug", "replug") and not active:
            fault, active = "replug", True
        if fault == "unplug":
            self.links[device].close()
        elif fault == "replug":
            emulator.set_fault("unplug", active=False)
            self.links[device].replug()
            return emulator.state()
        emulator.set_fault(fault, active, params)
        return emulator.state()

    def act(self, device: str, action: str,
            params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self._emulator(device).act(action, params)

    def state(self) -> dict[str, Any]:
        return {name: {**emulator.state(), "plugged": self.links[name].plugged}
                for name, emulator in self.emulators.items()}

    def _emulator(self, device: str) -> Emulator:
        try:
            return self.emulators[device]
        except KeyError:
            raise UnknownFault(f"unknown device {device!r}; known: "
                               f"{', '.join(self.emulators)}") from None

    def _start_control(self) -> None:
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                log.debug("control: " + format, *args)

            def _answer(self, status: int, body: Mapping[str, Any]) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/state":
                    self._answer(200, host.state())
                else:
                    self._answer(404, {"error": f"no such endpoint {self.path}"})

            def do_POST(self) -> None:
                try:
                    length = int(self.headers.get("Content-Length", "0"))
                    if length > MAX_BODY_BYTES:
                        raise ValueError("body too large")
                    body = json.loads(self.rfile.read(length) or b"{}")
                    if not isinstance(body, dict):
                        raise ValueError("body must be a JSON object")
                    if self.path == "/fault":
                        result = host.fault(str(body["device"]), str(body["fault"]),
                                            bool(body.get("active", True)), body.get("params"))
                    elif self.path == "/action":
                        result = host.act(str(body["device"]), str(body["action"]),
                                          body.get("params"))
                    else:
                        self._answer(404, {"error": f"no such endpoint {self.path}"})
                        return
                except KeyError as exc:
                    self._answer(400, {"error": f"missing field {exc.args[0]!r}"})
                except (ValueError, UnknownFault) as exc:
                    self._answer(400, {"error": str(exc)})
                else:
                    self._answer(200, result)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server_thread = threading.Thread(target=self._server.serve_forever,
                                               name="sim-control", daemon=True)
        self._server_thread.start()
        (self.run_dir / "control.json").write_text(
            json.dumps({"url": self.control_url}), encoding="utf-8")
