"""``TelemetryService``: what the kiosk's core calls to report to the fleet and hear from it.

The composition of the durable outbox, the MQTT publisher and the command verifier behind a
small, thread-safe API (docs/telemetry.md, "Kiosk API"):

* ``publish_event(kind, payload)`` checks the payload against the wire contract, commits it to
  the outbox (one SQLite transaction, fsynced) and returns its seq; it never waits for the
  network. Events recorded before ``start()`` or while the broker is away go out later.
* ``set_device_status``, ``update_health``, ``set_service_state`` keep the health model; a
  change is published coalesced, and health also goes out periodically and on every connect.
* ``on_command(callback, loop=...)`` receives verified fleet commands; rejected ones become
  ``command_rejected`` events. ``rebirth`` is also handled here (republish everything).
* ``start()`` / ``stop()``: ``stop`` publishes ``offline`` and closes the files.

With ``telemetry.enabled = false`` events and health are still recorded, nothing is sent.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from typing import Any, TypeVar

from kiosk.config import KioskConfig, TelemetryConfig
from kiosk.errors import (
    CommandRejected,
    OutboxError,
    PayloadTooLarge,
    SchemaError,
    TelemetryError,
    UnsupportedVersion,
)
from kiosk.status import DeviceStatus
from kiosk.telemetry.commands import CommandVerifier, NonceStore, load_fleet_public_key
from kiosk.telemetry.outbox import Outbox
from kiosk.telemetry.protocol import (
    CRITICAL_KINDS,
    BackendHealth,
    Channel,
    Command,
    CommandName,
    Consumables,
    EventKind,
    Health,
    OutboxHealth,
    ServiceInfo,
    Wear,
    decode,
    encode,
)
from kiosk.telemetry.publisher import Publisher
from kiosk.telemetry.settings import TlsFiles, Tuning, parse_broker_url
from kiosk.telemetry.wire_events import check_payload, event_kind
from kiosk.telemetry.wire_fields import dump_json
from kiosk.telemetry.wire_fields import kiosk_id as check_kiosk_id
from kiosk.telemetry.wire_health import MAX_DEVICES, check_device_status

log = logging.getLogger(__name__)

CommandCallback = Callable[[Command], None]
PartT = TypeVar("PartT", Consumables, Wear, BackendHealth)


def _merged(current: PartT, update: PartT | Mapping[str, Any] | None, where: str) -> PartT:
    if update is None:
        return current
    if isinstance(update, type(current)):
        return update
    if not isinstance(update, Mapping):
        raise SchemaError(f"{where}: give a {type(current).__name__} or a mapping of fields")
    known = {item.name for item in fields(current)}
    unknown = sorted(set(update) - known)
    if unknown:
        raise SchemaError(f"{where}: unknown field(s) {unknown}")
    return replace(current, **update)


class TelemetryService:
    """The kiosk side of the telemetry contract; one per process."""

    def __init__(self, telemetry: TelemetryConfig, *, kiosk_id: str, site: str,
                 software_version: str, tuning: Tuning | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.kiosk_id = check_kiosk_id(kiosk_id)
        self.site = site
        self.config = telemetry
        self._clock = clock
        self._software_version = software_version
        self._started_monotonic = time.monotonic()
        self._lock = threading.Lock()
        self._devices: dict[str, DeviceStatus] = {}
        self._consumables = Consumables()
        self._wear = Wear()
        self._service = ServiceInfo()
        self._backend = BackendHealth()
        self._callbacks: list[tuple[CommandCallback, asyncio.AbstractEventLoop | None]] = []
        address = parse_broker_url(telemetry.broker_url)
        public_key = None
        if telemetry.fleet_public_key_file is not None:
            public_key = load_fleet_public_key(telemetry.fleet_public_key_file)
        tls = None
        if telemetry.ca_file and telemetry.cert_file and telemetry.key_file:
            tls = TlsFiles(telemetry.ca_file, telemetry.cert_file, telemetry.key_file)
        self._outbox = Outbox(telemetry.outbox_path, capacity=telemetry.outbox_max_events)
        try:
            self._nonces = NonceStore(telemetry.outbox_path)
        except BaseException:
            self._outbox.close()
            raise
        self._verifier = CommandVerifier(self.kiosk_id, public_key, self._nonces, clock=clock)
        try:
            self._publisher = Publisher(
                kiosk_id=self.kiosk_id, site=site, address=address, tls=tls,
                outbox=self._outbox, health_payload=self._health_payload,
                command_sink=self._handle_command_payload,
                will_delay_s=telemetry.will_delay_s,
                health_interval_s=telemetry.health_interval_s, tuning=tuning, clock=clock)
        except BaseException:
            self._outbox.close()
            self._nonces.close()
            raise
        self._state = "new"

    @classmethod
    def from_config(cls, config: KioskConfig, *, software_version: str,
                    tuning: Tuning | None = None) -> TelemetryService:
        return cls(config.telemetry, kiosk_id=config.kiosk.id, site=config.kiosk.site,
                   software_version=software_version, tuning=tuning)

    # Lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background (returns at once); no-op when telemetry is disabled."""
        if self._state != "new":
            raise RuntimeError(f"telemetry service is {self._state}")
        self._state = "started"
        if self.config.enabled:
            self._publisher.start()

    def stop(self) -> None:
        """Publish ``offline``, disconnect and close the outbox; safe to call twice."""
        if self._state == "stopped":
            return
        if self._state == "started" and self.config.enabled:
            self._publisher.stop()
        self._state = "stopped"
        self._outbox.close()
        self._nonces.close()

    # Events ---------------------------------------------------------------------------------

    def publish_event(self, kind: EventKind | str, payload: Mapping[str, Any]) -> int:
        """Record one event durably and return its seq; sending happens in the background.

        Raises:
            SchemaError: unknown kind, or a payload that breaks the kind's schema.
            OutboxError: the outbox cannot store it (disk full, I/O error).
        """
        checked_kind = event_kind(kind)
        text = dump_json(check_payload(checked_kind, payload)).decode("utf-8")
        seq = self._outbox.append(checked_kind.value, text,
                                  critical=checked_kind in CRITICAL_KINDS, ts=self._clock())
        self._publisher.wake()
        return seq

    # Health ---------------------------------------------------------------------------------

    def set_device_status(self, status: DeviceStatus) -> None:
        """Record one device's latest status; publishes health if it really changed."""
        check_device_status(status, "device_status")
        with self._lock:
            previous = self._devices.get(status.device)
            if previous is None and len(self._devices) >= MAX_DEVICES:
                raise SchemaError(f"device_status: at most {MAX_DEVICES} devices")
            self._devices[status.device] = status
        if previous is None or not previous.same_as(status):
            self._publisher.request_health()

    def update_health(self, *, consumables: Consumables | Mapping[str, Any] | None = None,
                      wear: Wear | Mapping[str, Any] | None = None,
                      backend: BackendHealth | Mapping[str, Any] | None = None) -> None:
        """Replace or merge (a mapping updates only its fields) parts of the health model."""
        with self._lock:
            new = (_merged(self._consumables, consumables, "consumables"),
                   _merged(self._wear, wear, "wear"),
                   _merged(self._backend, backend, "backend"))
            changed = new != (self._consumables, self._wear, self._backend)
            self._consumables, self._wear, self._backend = new
        if changed:
            self._publisher.request_health()

    def set_service_state(self, state: str, *, unavailable: Iterable[str] = (),
                          reason: str | None = None) -> None:
        """``in_service``, ``degraded`` (with what is unavailable), ``out_of_service`` (with a
        reason token) or ``service_mode``; accepts ``kiosk.view.ServiceState`` values."""
        info = ServiceInfo(str(state), tuple(unavailable), reason)
        with self._lock:
            changed, self._service = info != self._service, info
        if changed:
            self._publisher.request_health()

    def health(self) -> Health:
        """The health message as it would be published now."""
        stats = self._outbox.stats()
        with self._lock:
            return Health(
                kiosk_id=self.kiosk_id, ts=self._clock(),
                devices=tuple(self._devices[name] for name in sorted(self._devices)),
                consumables=self._consumables, wear=self._wear, service=self._service,
                backend=self._backend,
                outbox=OutboxHealth(depth=stats.depth, capacity=stats.capacity,
                                    near_full=stats.near_full, dropped=stats.dropped),
                software_version=self._software_version,
                uptime_s=round(time.monotonic() - self._started_monotonic, 3))

    def _health_payload(self) -> bytes:
        return encode(self.health())

    # Commands -------------------------------------------------------------------------------

    def on_command(self, callback: CommandCallback, *,
                   loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Call ``callback(command)`` for every verified command: on ``loop`` (thread-safely)
        if given, else on the telemetry thread (keep it short and non-blocking)."""
        with self._lock:
            self._callbacks.append((callback, loop))

    def _handle_command_payload(self, payload: bytes) -> None:
        name: str | None = None
        try:
            command = decode(Channel.CMD, payload)
            name = command.name
            self._verifier.verify(command)
        except CommandRejected as exc:
            self._reject(exc.reason, name, exc)
            return
        except UnsupportedVersion as exc:
            self._reject("unsupported_version", name, exc)
            return
        except PayloadTooLarge as exc:
            self._reject("too_large", name, exc)
            return
        except TelemetryError as exc:
            self._reject("malformed", name, exc)
            return
        log.info("telemetry: accepted fleet command %s", command.name)
        if command.name == CommandName.REBIRTH:
            self._publisher.rebirth()
        with self._lock:
            callbacks = list(self._callbacks)
        for callback, loop in callbacks:
            if loop is not None:
                loop.call_soon_threadsafe(callback, command)
                continue
            try:
                callback(command)
            except Exception:
                log.exception("telemetry: command callback failed for %s", command.name)

    def _reject(self, reason: str, name: str | None, exc: TelemetryError) -> None:
        log.warning("telemetry: rejected a fleet command (%s): %s", reason, exc.detail)
        payload = {"reason": reason} if name is None else {"reason": reason, "command": name}
        try:
            self.publish_event(EventKind.COMMAND_REJECTED, payload)
        except OutboxError as error:
            log.error("telemetry: could not record the command rejection: %s", error)

    # For tests, the technician screen and the benchmark ----------------------------------------

    @property
    def connected(self) -> bool:
        return self._publisher.connected

    @property
    def outbox(self) -> Outbox:
        return self._outbox

    @property
    def publisher(self) -> Publisher:
        return self._publisher
