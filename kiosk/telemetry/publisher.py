"""The kiosk's MQTT 5 link to the fleet: status, health and the outbox's events (paho-mqtt 2.x).

Two threads, neither of them the caller's: paho's network loop (``loop_start``) and one sender
thread. paho callbacks only record what arrived and wake the sender; the sender reads the
outbox, publishes, applies acks and hands commands to the service. Nothing here blocks the core.

Behaviour (docs/telemetry.md; reference fleet-and-reliability.md §2):

* broker address is a URL (``kiosk.telemetry.settings``): ``mqtt://`` or ``mqtts://`` with CA,
  client certificate and key (the certificate's CN is the kiosk id and the MQTT username);
* clean start off with a session expiry, so commands and acks sent during a blip are kept;
* a retained ``offline`` will with an MQTT 5 Will Delay Interval (``will_delay_s``): a
  reconnect within the delay publishes nothing; retained ``online`` on every connect;
  ``offline`` published on clean shutdown (a will is not sent on a clean disconnect);
* reconnects back off from ``reconnect_min_s`` to ``reconnect_max_s`` (paho doubles it);
* events go out in seq order from the fleet's last ack, at most ``inflight_window`` awaiting
  PUBACK and at most ``ack_window`` beyond the fleet's ack; on reconnect, on ``rebirth`` and
  when the fleet's ack stalls for ``ack_timeout_s`` (doubling up to ``ack_timeout_max_s``), the
  stream rewinds to the ack. PUBACK only frees window space; a fleet ack deletes events;
* health on connect, on change (at most once per ``health_min_interval_s``) and every
  ``health_interval_s``.
"""

from __future__ import annotations

import collections
import json
import logging
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from kiosk.errors import ConfigError, TelemetryError
from kiosk.telemetry.outbox import Outbox
from kiosk.telemetry.protocol import (
    Ack,
    Channel,
    Event,
    Status,
    ack_topic,
    decode,
    encode,
    kiosk_topic,
)
from kiosk.telemetry.settings import BrokerAddress, TlsFiles, Tuning

log = logging.getLogger(__name__)

MAX_PENDING_COMMANDS = 64  # commands waiting for the sender; more are dropped and logged


class Publisher:
    """One kiosk's MQTT session: started once, stopped once."""

    def __init__(self, *, kiosk_id: str, site: str, address: BrokerAddress,
                 tls: TlsFiles | None, outbox: Outbox, health_payload: Callable[[], bytes],
                 command_sink: Callable[[bytes], None], will_delay_s: int,
                 health_interval_s: float, tuning: Tuning | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """``clock`` stamps status messages; scheduling uses ``time.monotonic``."""
        self.kiosk_id = kiosk_id
        self.address = address
        self.tuning = tuning or Tuning()
        self._outbox = outbox
        self._health_payload = health_payload
        self._command_sink = command_sink
        self._will_delay_s = will_delay_s
        self._health_interval_s = health_interval_s
        self._clock = clock
        self._status_topic = kiosk_topic(site, kiosk_id, Channel.STATUS)
        self._health_topic = kiosk_topic(site, kiosk_id, Channel.HEALTH)
        self._event_topic = kiosk_topic(site, kiosk_id, Channel.EVENT)
        self._cmd_topic = kiosk_topic(site, kiosk_id, Channel.CMD)
        self._ack_topic = ack_topic(kiosk_id)
        self._client = self._make_client(tls)
        self._cond = threading.Condition()
        self._wake = False
        self._stopping = False
        self._connected = False
        self._epoch = 0
        self._pending_ack: int | None = None
        self._commands: collections.deque[bytes] = collections.deque()
        self._rebirth = False
        self._connection = 0
        self._failed_attempts = 0
        self._thread: threading.Thread | None = None
        # Sender-thread state.
        self._handled_epoch = 0
        self._cursor = self._prev = outbox.acked_through
        self._inflight: collections.deque[mqtt.MQTTMessageInfo] = collections.deque()
        self._awaiting_since: float | None = None
        self._ack_timeout = self.tuning.ack_timeout_s
        self._last_health = float("-inf")
        self._health_dirty = False
        self._last_outbox_flags: tuple[bool, int] | None = None
        self.published_events = 0
        self.refused_publishes = 0
        self.rewinds = 0

    def _make_client(self, tls: TlsFiles | None) -> mqtt.Client:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.kiosk_id,
                             protocol=mqtt.MQTTv5)
        if self.address.tls:
            if tls is None:
                raise ConfigError("telemetry: mqtts:// needs ca_file, cert_file and key_file")
            try:
                client.tls_set(ca_certs=str(tls.ca_file), certfile=str(tls.cert_file),
                               keyfile=str(tls.key_file), cert_reqs=ssl.CERT_REQUIRED,
                               tls_version=ssl.PROTOCOL_TLS_CLIENT)
            except OSError as exc:  # ssl.SSLError included
                raise ConfigError(f"telemetry: TLS files unusable: {exc}") from None
        client.max_inflight_messages_set(self.tuning.inflight_window)
        client.reconnect_delay_set(self.tuning.reconnect_min_s,  # type: ignore[arg-type]
                                   self.tuning.reconnect_max_s)  # type: ignore[arg-type]
        client.on_pre_connect = self._on_pre_connect
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        return client

    # Public API (any thread) --------------------------------------------------------------

    def start(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = max(self.tuning.session_expiry_s,
                                               self._will_delay_s)
        self._client.connect_async(self.address.host, self.address.port,
                                   keepalive=self.tuning.keepalive_s, clean_start=False,
                                   properties=properties)
        self._client.loop_start()
        self._thread = threading.Thread(target=self._run, name="telemetry-sender",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Publish ``offline`` (retained) if connected, then disconnect cleanly."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join()
        if self._client.is_connected():
            info = self._publish_status("offline", "shutdown")
            try:
                info.wait_for_publish(timeout=self.tuning.shutdown_timeout_s)
            except (RuntimeError, ValueError):
                log.warning("telemetry: offline status not sent before shutdown")
        self._client.disconnect()
        self._client.loop_stop()

    def wake(self) -> None:
        """New events are in the outbox."""
        with self._cond:
            self._wake = True
            self._cond.notify()

    def request_health(self) -> None:
        """Something in the health changed: publish it soon (coalesced)."""
        with self._cond:
            self._health_dirty = True
            self._wake = True
            self._cond.notify()

    def rebirth(self) -> None:
        """Republish status and health, and resend every unacknowledged event."""
        with self._cond:
            self._rebirth = True
            self._wake = True
            self._cond.notify()

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def connection(self) -> int:
        """The number of the current (or last) connection, as in the status messages."""
        return self._connection

    # paho callbacks (network thread): record and wake, nothing more -----------------------

    def _on_pre_connect(self, client: mqtt.Client, userdata: Any) -> None:
        self._connection = self._outbox.next_connection()
        will = Properties(PacketTypes.WILLMESSAGE)
        will.WillDelayInterval = self._will_delay_s
        payload = encode(Status(self.kiosk_id, "offline", self._clock(), self._connection,
                                "connection_lost"))
        client.will_set(self._status_topic, payload, qos=1, retain=True, properties=will)

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any,
                    reason: Any, properties: Any) -> None:
        if reason.is_failure:
            log.error("telemetry: broker %s:%d refused the connection: %s",
                      self.address.host, self.address.port, reason)
            return
        client.subscribe([(self._cmd_topic, SubscribeOptions(qos=1)),
                          (self._ack_topic, SubscribeOptions(qos=1))])
        log.info("telemetry: connected to %s:%d (connection %d)", self.address.host,
                 self.address.port, self._connection)
        self._failed_attempts = 0
        with self._cond:
            self._connected = True
            self._epoch += 1
            self._wake = True
            self._cond.notify()

    def _on_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        self._failed_attempts += 1
        if self._failed_attempts in (1, 10) or self._failed_attempts % 100 == 0:
            log.warning("telemetry: cannot reach the broker %s:%d (%d attempts); retrying",
                        self.address.host, self.address.port, self._failed_attempts)

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any,
                       reason: Any, properties: Any) -> None:
        with self._cond:
            was_connected, self._connected = self._connected, False
            self._cond.notify()
        if was_connected and not self._stopping:
            log.warning("telemetry: disconnected from %s:%d (%s); reconnecting",
                        self.address.host, self.address.port, reason)

    def _on_message(self, client: mqtt.Client, userdata: Any,
                    message: mqtt.MQTTMessage) -> None:
        with self._cond:
            if message.topic == self._ack_topic:
                try:
                    ack = decode(None, message.payload)
                except TelemetryError as exc:
                    log.warning("telemetry: ignored a malformed ack: %s", exc)
                    return
                if not isinstance(ack, Ack) or ack.kiosk_id != self.kiosk_id:
                    log.warning("telemetry: ignored an ack for another kiosk")
                    return
                self._pending_ack = max(self._pending_ack or 0, ack.up_to_seq)
            elif message.topic == self._cmd_topic:
                if len(self._commands) >= MAX_PENDING_COMMANDS:
                    log.warning("telemetry: too many pending commands; one dropped")
                    return
                self._commands.append(bytes(message.payload))
            else:
                return
            self._wake = True
            self._cond.notify()

    def _on_publish(self, client: mqtt.Client, userdata: Any, mid: int, reason: Any,
                    properties: Any) -> None:
        if reason.is_failure:
            self.refused_publishes += 1
            if self.refused_publishes == 1 or self.refused_publishes % 1000 == 0:
                log.error("telemetry: the broker refused a publish (%s); check the ACL and "
                          "the certificate CN (%d refused so far)", reason,
                          self.refused_publishes)
        with self._cond:
            self._wake = True
            self._cond.notify()

    # Sender thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._wake:
                    self._cond.wait(self._next_timeout())
                self._wake = False
                if self._stopping:
                    return
                ack, self._pending_ack = self._pending_ack, None
                commands = list(self._commands)
                self._commands.clear()
                connected, epoch = self._connected, self._epoch
                rebirth, self._rebirth = self._rebirth, False
            try:
                self._step(ack, commands, connected, epoch, rebirth)
            except Exception:
                log.exception("telemetry: sender step failed; retrying")
                with self._cond:
                    self._cond.wait(1.0)

    def _next_timeout(self) -> float:
        if not self._connected:
            return 5.0  # on_connect, acks and commands wake the sender anyway
        now = time.monotonic()
        deadlines = [now + 1.0, self._last_health + self._health_interval_s]
        if self._health_dirty:
            deadlines.append(self._last_health + self.tuning.health_min_interval_s)
        if self._awaiting_since is not None:
            deadlines.append(self._awaiting_since + self._ack_timeout)
        if len(self._inflight) >= self.tuning.inflight_window:
            deadlines.append(now + 0.01)
        return max(0.0, min(deadlines) - now)

    def _step(self, ack: int | None, commands: list[bytes], connected: bool, epoch: int,
              rebirth: bool) -> None:
        now = time.monotonic()
        if ack is not None:
            self._apply_ack(ack, now)
        for payload in commands:
            self._command_sink(payload)
        if not connected:
            return
        if epoch != self._handled_epoch or rebirth:
            self._handled_epoch = epoch
            self._publish_status("online", "connected")
            self._rewind("rebirth" if rebirth else "connect")
            self._last_health = float("-inf")
        self._maybe_publish_health(now)
        if (self._awaiting_since is not None
                and now - self._awaiting_since >= self._ack_timeout):
            self._rewind("ack timeout")
            self._ack_timeout = min(self._ack_timeout * 2, self.tuning.ack_timeout_max_s)
        self._send_events(now)

    def _apply_ack(self, up_to_seq: int, now: float) -> None:
        before = self._outbox.acked_through
        self._outbox.ack(up_to_seq)
        acked = self._outbox.acked_through
        if acked > before:
            self._ack_timeout = self.tuning.ack_timeout_s
            self._awaiting_since = now if self._cursor > acked else None
        if self._cursor < acked:
            self._cursor = self._prev = acked

    def _rewind(self, why: str) -> None:
        acked = self._outbox.acked_through
        if self._cursor > acked:
            self.rewinds += 1
            log.info("telemetry: resending events after seq %d (%s)", acked, why)
        self._cursor = self._prev = acked
        self._awaiting_since = None

    def _maybe_publish_health(self, now: float) -> None:
        stats = self._outbox.stats()
        flags = (stats.near_full, stats.dropped)
        if flags != self._last_outbox_flags:
            self._last_outbox_flags = flags
            self._health_dirty = True
        since = now - self._last_health
        if since >= self._health_interval_s or (
                self._health_dirty and since >= self.tuning.health_min_interval_s):
            self._health_dirty = False
            self._last_health = now
            try:
                payload = self._health_payload()
            except TelemetryError as exc:
                log.error("telemetry: health not published, it breaks the contract: %s", exc)
                return
            self._client.publish(self._health_topic, payload, qos=1)

    def _send_events(self, now: float) -> None:
        while self._inflight and self._inflight[0].is_published():
            self._inflight.popleft()
        window = self.tuning.inflight_window
        while len(self._inflight) < window:
            ceiling = self._outbox.acked_through + self.tuning.ack_window
            if self._cursor >= ceiling:
                return
            rows = self._outbox.read_after(self._cursor, min(self.tuning.batch,
                                                             window - len(self._inflight)),
                                           ceiling)
            if not rows:
                return
            for row in rows:
                try:
                    payload = encode(Event(self.kiosk_id, row.seq, self._prev, row.ts,
                                           row.kind, json.loads(row.payload)))
                except (TelemetryError, ValueError) as exc:
                    log.error("telemetry: stored event %d (%s) is unreadable, dropped: %s",
                              row.seq, row.kind, exc)
                    self._outbox.discard(row.seq)
                    continue
                info = self._client.publish(self._event_topic, payload, qos=1)
                if info.rc == mqtt.MQTT_ERR_NO_CONN:
                    return
                if self._awaiting_since is None:
                    self._awaiting_since = now
                self._inflight.append(info)
                self._cursor = self._prev = row.seq
                self.published_events += 1

    def _publish_status(self, state: str, reason: str) -> mqtt.MQTTMessageInfo:
        payload = encode(Status(self.kiosk_id, state, self._clock(), self._connection, reason))
        return self._client.publish(self._status_topic, payload, qos=1, retain=True)
