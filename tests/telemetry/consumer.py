"""A small fleet-side receiver built only on the wire contract, for the telemetry tests.

It does what the fleet monitor will do with events: parse every message with
``kiosk.telemetry.protocol.parse_message``, apply each event once by ``classify_event``
(dedupe on (kiosk_id, seq), in order), and acknowledge the high-water mark per kiosk on
``fleet/v1/ack/<kiosk_id>`` (retained, QoS 1), at once every ``ack_every`` events and otherwise
within ``ack_interval_s``. It also records every raw payload it saw, for the personal-data scan.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from kiosk.errors import TelemetryError
from kiosk.telemetry.protocol import (
    Ack,
    Channel,
    Command,
    Delivery,
    Event,
    Health,
    Status,
    ack_topic,
    classify_event,
    encode,
    kiosk_filter,
    kiosk_topic,
    parse_message,
)
from kiosk.telemetry.settings import parse_broker_url
from tests.telemetry.broker import PKI_DIR

FLEET_CLIENT_ID = "fleet-monitor"


def wait_until(condition: Callable[[], Any], timeout: float, what: str,
               interval: float = 0.01) -> Any:
    """Poll ``condition`` until it is truthy; AssertionError naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def stays_false(condition: Callable[[], Any], seconds: float, interval: float = 0.02) -> bool:
    """True if ``condition`` never became truthy during ``seconds`` (for 'nothing happened')."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return False
        time.sleep(interval)
    return not condition()


def retained_status(broker_url: str, kiosk_id: str, site: str) -> Status:
    """What a client subscribing now gets as the retained status of ``kiosk_id``."""
    address = parse_broker_url(broker_url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="fleet-monitor-probe",
                         protocol=mqtt.MQTTv5)
    client.tls_set(ca_certs=str(PKI_DIR / "ca.pem"), certfile=str(PKI_DIR / "fleet.pem"),
                   keyfile=str(PKI_DIR / "fleet.key"))
    received: list[Status] = []

    def on_message(client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        if message.retain:
            received.append(parse_message(message.topic, message.payload)[1])

    client.on_message = on_message
    client.on_connect = lambda c, *args: c.subscribe(kiosk_topic(site, kiosk_id, "status"), 1)
    client.connect(address.host, address.port)
    client.loop_start()
    try:
        return wait_until(lambda: received, 10, "the retained status")[0]
    finally:
        client.disconnect()
        client.loop_stop()


class FleetConsumer:
    """Subscribes to every kiosk's status, health and events; dedupes and acks events."""

    def __init__(self, broker_url: str, *, ack_every: int = 100, ack_interval_s: float = 0.02,
                 session_expiry_s: int = 600, acking: bool = True) -> None:
        address = parse_broker_url(broker_url)
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=FLEET_CLIENT_ID,
                                   protocol=mqtt.MQTTv5)
        if address.tls:
            self._client.tls_set(ca_certs=str(PKI_DIR / "ca.pem"),
                                 certfile=str(PKI_DIR / "fleet.pem"),
                                 keyfile=str(PKI_DIR / "fleet.key"))
        self._client.reconnect_delay_set(0.05, 0.5)  # type: ignore[arg-type]
        self._client.max_inflight_messages_set(200)
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._address = address
        self._session_expiry_s = session_expiry_s
        self._ack_every = ack_every
        self._ack_interval_s = ack_interval_s
        self.acking = acking
        self.lock = threading.Lock()
        self.high_water: dict[str, int] = defaultdict(int)
        self._acked: dict[str, int] = defaultdict(int)
        self.applied: dict[str, list[Event]] = defaultdict(list)
        self.deliveries: dict[Delivery, int] = defaultdict(int)
        self.statuses: list[Status] = []
        self.healths: list[Health] = []
        self.raw: list[tuple[str, bytes]] = []
        self.invalid: list[TelemetryError] = []
        self.connects = 0
        self._stop = threading.Event()
        self._acker = threading.Thread(target=self._ack_loop, name="fleet-acker", daemon=True)

    def start(self) -> FleetConsumer:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self._session_expiry_s
        self._client.connect_async(self._address.host, self._address.port, keepalive=10,
                                   clean_start=False, properties=properties)
        self._client.loop_start()
        self._acker.start()
        wait_until(lambda: self.connects > 0, 10, "the fleet consumer to connect")
        return self

    def stop(self) -> None:
        self._stop.set()
        self._acker.join()
        self._client.disconnect()
        self._client.loop_stop()

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any,
                    properties: Any) -> None:
        if reason.is_failure:
            return
        client.subscribe([(kiosk_filter(channel), SubscribeOptions(qos=1))
                          for channel in (Channel.STATUS, Channel.HEALTH, Channel.EVENT)])
        with self.lock:
            self.connects += 1

    def _on_message(self, client: mqtt.Client, userdata: Any,
                    message: mqtt.MQTTMessage) -> None:
        with self.lock:
            self.raw.append((message.topic, bytes(message.payload)))
            try:
                _topic, parsed = parse_message(message.topic, message.payload)
            except TelemetryError as exc:
                self.invalid.append(exc)
                return
            if isinstance(parsed, Status):
                self.statuses.append(parsed)
            elif isinstance(parsed, Health):
                self.healths.append(parsed)
            elif isinstance(parsed, Event):
                self._receive_event(parsed)

    def _receive_event(self, event: Event) -> None:
        verdict = classify_event(self.high_water[event.kiosk_id], event)
        self.deliveries[verdict] += 1
        if verdict is Delivery.APPLY:
            self.applied[event.kiosk_id].append(event)
            self.high_water[event.kiosk_id] = event.seq
            if event.seq - self._acked[event.kiosk_id] >= self._ack_every:
                self._ack(event.kiosk_id)

    def _ack(self, kiosk_id: str) -> None:
        if not self.acking:
            return
        up_to = self.high_water[kiosk_id]
        self._acked[kiosk_id] = up_to
        self._client.publish(ack_topic(kiosk_id), encode(Ack(kiosk_id, up_to)), qos=1,
                             retain=True)

    def _ack_loop(self) -> None:
        while not self._stop.wait(self._ack_interval_s):
            with self.lock:
                for kiosk_id, high in list(self.high_water.items()):
                    if high > self._acked[kiosk_id]:
                        self._ack(kiosk_id)

    def reack_all(self) -> None:
        """Publish the current high-water marks again (as the fleet does after a restart)."""
        with self.lock:
            for kiosk_id in list(self.high_water):
                self._ack(kiosk_id)

    def send_command(self, site: str, command: Command) -> None:
        self._client.publish(kiosk_topic(site, command.kiosk_id, Channel.CMD),
                             encode(command), qos=1)

    def publish_raw(self, topic: str, payload: bytes) -> mqtt.MQTTMessageInfo:
        return self._client.publish(topic, payload, qos=1)

    def applied_seqs(self, kiosk_id: str) -> list[int]:
        with self.lock:
            return [event.seq for event in self.applied[kiosk_id]]

    def events_of(self, kiosk_id: str, kind: str) -> list[Event]:
        with self.lock:
            return [event for event in self.applied[kiosk_id] if event.kind == kind]
