"""The composition root: builds the whole kiosk from its config and runs it (DESIGN.md).

``KioskApp(config)`` makes the six drivers (looked up lazily by device name), the journal, the
backend client, the saga with its ports, recovery, the citizen session, telemetry and the core,
and wires them: device status changes go to the session (what can be issued) and to telemetry
(health); panel events become session events (headset, service key) or keypad presses for the
UI; saga and session events go to the telemetry outbox. The UI, when there is one, is built by
``kiosk run`` on top of ``channel`` and ``intents``.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from kiosk import health
from kiosk import session_events as ev
from kiosk.config import DEVICE_NAMES, KioskConfig
from kiosk.core import KioskCore
from kiosk.devices.base import Device
from kiosk.errors import KioskError
from kiosk.issuance.backend import BackendClient
from kiosk.issuance.catalogue import load_catalogue
from kiosk.issuance.device_ports import BinderFinisher, CardPayment
from kiosk.issuance.journal import Journal
from kiosk.issuance.ports import Ports
from kiosk.issuance.production import BackendSource, PdfMaker
from kiosk.issuance.recovery import Recovery
from kiosk.issuance.saga import IssuanceSaga
from kiosk.session import Session
from kiosk.session_settings import SessionSettings
from kiosk.status import DeviceStatus
from kiosk.view import IntentQueue, ServiceState, Snapshot, SnapshotChannel

log = logging.getLogger(__name__)

SOFTWARE_VERSION = "0.1.0"

#: device name -> "module:Class" of its driver, imported when the app is built.
DRIVERS: Mapping[str, str] = {
    "fingerprint": "kiosk.devices.fingerprint.driver:FingerprintSensor",
    "printer": "kiosk.devices.printer.driver:PjlDocumentPrinter",
    "receipt": "kiosk.devices.receipt.driver:EscPosReceiptPrinter",
    "binder": "kiosk.devices.binder.driver:Binder",
    "card_reader": "kiosk.devices.card_reader.driver:CardReader",
    "panel": "kiosk.devices.panel.driver:Panel",
}


def build_devices(config: KioskConfig) -> dict[str, Device]:
    """One driver per configured device (disabled ones are left out)."""
    devices: dict[str, Device] = {}
    for name in DEVICE_NAMES:
        device_config = getattr(config.devices, name)
        if not device_config.enabled:
            continue
        module_name, class_name = DRIVERS[name].split(":")
        driver_class = getattr(importlib.import_module(module_name), class_name)
        devices[name] = driver_class(device_config, name=name)
    return devices


class KioskApp:
    """Everything of one kiosk but its screens."""

    def __init__(self, config: KioskConfig, *, telemetry: bool = True) -> None:
        self.config = config
        self.devices = build_devices(config)
        self.journal = Journal(config.journal.path)
        self.backend = BackendClient(config.backend, config.kiosk.id)
        self.telemetry = self._build_telemetry() if telemetry else None
        ports = Ports(payment=CardPayment(self.devices["card_reader"]),  # type: ignore[arg-type]
                      printer=self.devices["printer"],  # type: ignore[arg-type]
                      finisher=BinderFinisher(self.devices["binder"]),  # type: ignore[arg-type]
                      receipt=self.devices["receipt"],  # type: ignore[arg-type]
                      source=BackendSource(self.backend), maker=PdfMaker(config.documents))
        self.saga = IssuanceSaga(self.journal, ports, config.kiosk.id, guard=lambda txn: False,
                                 on_event=self._publish_event)
        self.catalogue = load_catalogue()
        self.session = Session(self.catalogue, SessionSettings.from_config(config),
                               clock=time.monotonic, wall_clock=time.time)
        self.channel = SnapshotChannel(self.session.snapshot())
        self.intents = IntentQueue()
        self.core = KioskCore(
            self.session, self.saga, Recovery(self.journal, ports), channel=self.channel,
            intents=self.intents, fingerprint=self.devices["fingerprint"],  # type: ignore[arg-type]
            identity=self.backend, document_names=self._document_name,
            telemetry=self, on_end_session=self._end_session, on_backend=self._backend_checked,
            card_present=self._card_present)
        self.key_listeners: list[Callable[[str], None]] = []
        self._service_state: tuple[str, tuple[str, ...]] | None = None
        self._card_was_present = False
        for device in self.devices.values():
            device.add_listener(self._device_changed)
        panel = self.devices.get("panel")
        if panel is not None:
            panel.add_event_listener(self._panel_event)  # type: ignore[attr-defined]
        self.channel.watch(self._snapshot_published)

    # ------------------------------------------------------------- lifecycle

    def start(self, device_wait_s: float = 5.0) -> None:
        """Start telemetry and the devices, wait briefly for them, then start the core."""
        if self.telemetry is not None:
            self.telemetry.start()
        for device in self.devices.values():
            device.start()
        deadline = time.monotonic() + device_wait_s
        for device in self.devices.values():
            device.wait_ready(max(0.0, deadline - time.monotonic()))
        self._devices_changed()
        self.core.start()

    def stop(self) -> None:
        self.core.stop()
        for device in self.devices.values():
            device.stop()
        if self.telemetry is not None:
            self.telemetry.stop()
        self.backend.close()
        self.journal.close()

    def alive(self, max_age_s: float) -> bool:
        """Whether the core's loop has turned within ``max_age_s`` (for the watchdog)."""
        return time.monotonic() - self.core.heartbeat < max_age_s

    # --------------------------------------------------------------- wiring

    def _build_telemetry(self) -> Any:
        if not self.config.telemetry.enabled:
            return None
        from kiosk.telemetry.service import TelemetryService

        service = TelemetryService.from_config(self.config, software_version=SOFTWARE_VERSION)
        service.on_command(self._command)
        return service

    def publish_event(self, kind: str, payload: Mapping[str, Any]) -> None:
        """The core's telemetry port: session events (satisfaction) go to the outbox."""
        self._publish_event(kind, payload)

    def _publish_event(self, kind: str, payload: Mapping[str, Any]) -> None:
        if self.telemetry is None:
            return
        try:
            self.telemetry.publish_event(kind, dict(payload))
        except KioskError as exc:
            log.error("telemetry event %s refused: %s", kind, exc.code)

    def _document_name(self, code: str, language: str) -> str:
        return self.catalogue.get(code).names.get(language, code)

    def _card_present(self) -> bool:
        reader = self.devices.get("card_reader")
        return reader is not None and reader.status.detail.get("media") == "present"

    def _device_changed(self, status: DeviceStatus) -> None:
        if status.device == "card_reader":
            present = status.detail.get("media") == "present"
            if self._card_was_present and not present:
                self.core.post(ev.CardRemoved())
            self._card_was_present = present
        if self.telemetry is not None:
            try:
                self.telemetry.set_device_status(status)
            except KioskError as exc:
                log.warning("device status not sent: %s", exc.code)
        self._devices_changed()

    def _devices_changed(self) -> None:
        statuses = {name: device.status for name, device in self.devices.items()}
        usable = [name for name, status in statuses.items() if status.usable]
        self.core.post(ev.DevicesChanged(usable))
        if self.telemetry is not None:
            try:
                self.telemetry.update_health(consumables=health.consumables(statuses),
                                             wear=health.wear(statuses))
            except KioskError as exc:
                log.warning("health not updated: %s", exc.code)

    def _backend_checked(self, reachable: bool, latency_s: float | None) -> None:
        if self.telemetry is not None:
            latency_ms = None if latency_s is None else round(latency_s * 1000, 1)
            self.telemetry.update_health(backend={"reachable": reachable,
                                                  "latency_ms": latency_ms})

    def _panel_event(self, event: Any) -> None:
        from kiosk.devices.panel.codec import (
            HeadsetChanged,
            KeyPressed,
            ServiceKeyChanged,
            ServiceKeyPosition,
        )

        if isinstance(event, HeadsetChanged):
            self.core.post(ev.HeadsetChanged(event.plugged))
        elif isinstance(event, ServiceKeyChanged):
            self.core.post(ev.ServiceModeChanged(event.position is not ServiceKeyPosition.RUN))
        elif isinstance(event, KeyPressed):
            for listener in list(self.key_listeners):
                listener(event.key.label)

    def _snapshot_published(self) -> None:
        if self.telemetry is None:
            return
        snapshot: Snapshot = self.channel.latest()
        state = (snapshot.service_state.value, tuple(snapshot.unavailable_reasons))
        if state != self._service_state:
            self._service_state = state
            unavailable = [reason.split(".")[-1] for reason in snapshot.unavailable_reasons]
            reason = unavailable[0] if (snapshot.service_state is ServiceState.OUT_OF_SERVICE
                                        and unavailable) else None
            try:
                self.telemetry.set_service_state(snapshot.service_state, unavailable=unavailable,
                                                 reason=reason)
            except KioskError as exc:
                log.warning("service state not sent: %s", exc.code)

    def _command(self, command: Any) -> None:
        if command.name in ("out_of_service", "in_service"):
            self.core.post(ev.ServiceModeChanged(command.name == "out_of_service"))

    def _end_session(self) -> None:
        printer = self.devices.get("printer")
        if printer is not None:
            try:
                printer.purge()  # type: ignore[attr-defined]
            except KioskError as exc:
                log.warning("printer queue not purged: %s", exc.code)
