"""The one telemetry wire contract between a kiosk and the fleet: topics, payloads, versions.

Written down in docs/telemetry.md; imported by the kiosk's publisher, the fleet monitor and the
simulator alike, none of which copies it. Pure: the standard library, ``kiosk.status`` and
``kiosk.errors`` only (plus the ``wire_*`` modules it re-exports), no I/O, no clock.

Topics (MQTT 5, QoS 1)::

    kiosk/v1/<site>/<kiosk_id>/status   retained   online | offline (will, clean shutdown)
    kiosk/v1/<site>/<kiosk_id>/health              device statuses, consumables, wear, ...
    kiosk/v1/<site>/<kiosk_id>/event               sequenced events, kept until acked
    kiosk/v1/<site>/<kiosk_id>/cmd                 signed fleet commands
    fleet/v1/ack/<kiosk_id>             retained   the fleet's cumulative receipt

Every payload is one compact UTF-8 JSON object of at most ``MAX_PAYLOAD_BYTES`` with a version
field ``v``. Decoding is strict: unknown versions (``UnsupportedVersion``), malformed JSON,
missing, unknown or ill-typed fields (``SchemaError``), oversized payloads
(``PayloadTooLarge``) and bad topics or ids (``TopicError``) each raise their own
``TelemetryError``, and nothing else escapes a decoder.

Delivery (docs/telemetry.md, "Ack and dedupe"): each event carries its ``seq`` and the
``prev_seq`` the kiosk sent before it; the receiver applies an event only when
:func:`classify_event` says ``APPLY`` and acknowledges the highest applied ``seq``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from kiosk.errors import PayloadTooLarge, SchemaError, TopicError, UnsupportedVersion
from kiosk.status import DeviceStatus
from kiosk.telemetry import wire_fields as f
from kiosk.telemetry.wire_command import (
    ARG_SCHEMAS,
    COMMAND_FORMAT,
    MAX_COMMAND_LIFETIME_S,
    Command,
    CommandName,
    Signer,
    make_command,
    sign_command,
    signing_bytes,
)
from kiosk.telemetry.wire_events import (
    CRITICAL_KINDS,
    PAYLOAD_SCHEMAS,
    EventKind,
    IssuanceOutcome,
    check_payload,
    event_kind,
)
from kiosk.telemetry.wire_fields import KIOSK_ID_PATTERN, RESERVED_KIOSK_IDS, SITE_PATTERN
from kiosk.telemetry.wire_health import (
    MAX_DEVICES,
    SOFTWARE_VERSION_PATTERN,
    BackendHealth,
    Consumables,
    OutboxHealth,
    PaperState,
    ServiceInfo,
    ServiceState,
    Wear,
    check_device_status,
    device_status_from_wire,
)

__all__ = [
    "ARG_SCHEMAS", "COMMAND_FORMAT", "CRITICAL_KINDS", "KIOSK_ID_PATTERN",
    "MAX_COMMAND_LIFETIME_S", "MAX_PAYLOAD_BYTES", "PAYLOAD_SCHEMAS", "PROTOCOL_VERSION",
    "RESERVED_KIOSK_IDS", "SITE_PATTERN", "Ack", "AckTopic", "BackendHealth", "Channel",
    "Command", "CommandName", "Consumables", "Delivery", "Event", "EventKind", "Health",
    "IssuanceOutcome", "KioskTopic", "OutboxHealth", "PaperState", "ServiceInfo",
    "ServiceState", "Signer", "Status", "StatusState", "Wear", "ack_topic", "classify_event",
    "decode", "encode", "kiosk_filter", "kiosk_topic", "make_command", "parse_message",
    "parse_topic", "sign_command", "signing_bytes",
]

PROTOCOL_VERSION = 1
MAX_PAYLOAD_BYTES = 64 * 1024  # per message; mosquitto's max_packet_size sits above it
KIOSK_ROOT = ("kiosk", "v1")
ACK_ROOT = ("fleet", "v1", "ack")
_FORBIDDEN_IN_IDS = frozenset("+#/\0")


class Channel(StrEnum):
    """The last level of a kiosk topic."""

    STATUS = "status"
    HEALTH = "health"
    EVENT = "event"
    CMD = "cmd"


class StatusState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


class Delivery(StrEnum):
    """What a receiver does with an event (:func:`classify_event`)."""

    APPLY = "apply"  # new and contiguous: apply it, then ack its seq
    DUPLICATE = "duplicate"  # seen before: drop it (and re-ack the high-water mark)
    GAP = "gap"  # an earlier event is missing: drop it; the kiosk resends in order


def _topic_id(value: Any, where: str, pattern: Any) -> str:
    if not isinstance(value, str) or not value:
        raise TopicError(f"{where}: empty or not a string")
    if _FORBIDDEN_IN_IDS & set(value):
        raise TopicError(f"{where}: wildcards, '/' and NUL are not allowed in ids")
    if not pattern.match(value):
        raise TopicError(f"{where}: does not match {pattern.pattern}")
    if where == "kiosk_id" and value in RESERVED_KIOSK_IDS:
        raise TopicError("kiosk_id: the id is reserved for the fleet monitor")
    return value


@dataclass(frozen=True)
class KioskTopic:
    site: str
    kiosk_id: str
    channel: Channel

    def __str__(self) -> str:
        return "/".join((*KIOSK_ROOT, self.site, self.kiosk_id, self.channel.value))


@dataclass(frozen=True)
class AckTopic:
    kiosk_id: str

    def __str__(self) -> str:
        return "/".join((*ACK_ROOT, self.kiosk_id))


def kiosk_topic(site: str, kiosk_id: str, channel: Channel | str) -> str:
    """``kiosk/v1/<site>/<kiosk_id>/<channel>``, with both ids checked (``TopicError``)."""
    return str(KioskTopic(_topic_id(site, "site", SITE_PATTERN),
                          _topic_id(kiosk_id, "kiosk_id", KIOSK_ID_PATTERN),
                          Channel(channel)))


def ack_topic(kiosk_id: str) -> str:
    """``fleet/v1/ack/<kiosk_id>``."""
    return str(AckTopic(_topic_id(kiosk_id, "kiosk_id", KIOSK_ID_PATTERN)))


def kiosk_filter(channel: Channel | str, *, site: str = "+", kiosk_id: str = "+") -> str:
    """A subscription filter over kiosk topics, e.g. ``kiosk/v1/+/+/event`` for the fleet."""
    site_level = site if site == "+" else _topic_id(site, "site", SITE_PATTERN)
    id_level = kiosk_id if kiosk_id == "+" else _topic_id(kiosk_id, "kiosk_id",
                                                          KIOSK_ID_PATTERN)
    return "/".join((*KIOSK_ROOT, site_level, id_level, Channel(channel).value))


def parse_topic(topic: Any) -> KioskTopic | AckTopic:
    """Which kiosk and channel a received topic names; ``TopicError`` for anything else."""
    if not isinstance(topic, str) or len(topic) > 512:
        raise TopicError("topic: not a string of at most 512 characters")
    levels = topic.split("/")
    if len(levels) == 5 and tuple(levels[:2]) == KIOSK_ROOT:
        try:
            channel = Channel(levels[4])
        except ValueError:
            raise TopicError("topic: unknown channel") from None
        return KioskTopic(_topic_id(levels[2], "site", SITE_PATTERN),
                          _topic_id(levels[3], "kiosk_id", KIOSK_ID_PATTERN), channel)
    if len(levels) == 4 and tuple(levels[:3]) == ACK_ROOT:
        return AckTopic(_topic_id(levels[3], "kiosk_id", KIOSK_ID_PATTERN))
    raise TopicError("topic: not a kiosk/v1/<site>/<kiosk_id>/<channel> or "
                     "fleet/v1/ack/<kiosk_id> topic")


def _check_version(data: Mapping[str, Any], where: str) -> None:
    if "v" not in data:
        raise SchemaError(f"{where}: missing field ['v']")
    version = data["v"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise SchemaError(f"{where}.v: must be an integer")
    if version != PROTOCOL_VERSION:
        raise UnsupportedVersion(f"{where}: only version {PROTOCOL_VERSION} is spoken")


@dataclass(frozen=True)
class Status:
    """Retained liveness: ``online`` on connect, ``offline`` by will or clean shutdown.

    ``connection`` counts the kiosk's connections (it survives restarts), so an ``offline``
    will from an older connection can be told from the current one; ``reason`` is
    ``connected``, ``connection_lost`` (the will) or ``shutdown``.
    """

    kiosk_id: str
    state: str
    ts: float
    connection: int
    reason: str
    v: int = PROTOCOL_VERSION

    def __post_init__(self) -> None:
        _check_version({"v": self.v}, "status")
        f.kiosk_id(self.kiosk_id, "status.kiosk_id")
        object.__setattr__(self, "state", f.choice(str(self.state), "status.state",
                                                   {s.value for s in StatusState}))
        f.timestamp(self.ts, "status.ts")
        f.integer(self.connection, "status.connection")
        f.choice(self.reason, "status.reason", {"connected", "connection_lost", "shutdown"})

    def to_dict(self) -> dict[str, Any]:
        return {"v": self.v, "kiosk_id": self.kiosk_id, "state": self.state, "ts": self.ts,
                "connection": self.connection, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Status:
        d = f.fields(data, "status", ("v", "kiosk_id", "state", "ts", "connection", "reason"))
        return cls(kiosk_id=d["kiosk_id"], state=d["state"], ts=d["ts"],
                   connection=d["connection"], reason=d["reason"], v=d["v"])


@dataclass(frozen=True)
class Health:
    """Everything the dashboard shows about one kiosk at ``ts``."""

    kiosk_id: str
    ts: float
    devices: tuple[DeviceStatus, ...] = ()
    consumables: Consumables = field(default_factory=Consumables)
    wear: Wear = field(default_factory=Wear)
    service: ServiceInfo = field(default_factory=ServiceInfo)
    backend: BackendHealth = field(default_factory=BackendHealth)
    outbox: OutboxHealth = field(default_factory=OutboxHealth)
    software_version: str = "0"
    uptime_s: float = 0.0
    v: int = PROTOCOL_VERSION

    def __post_init__(self) -> None:
        _check_version({"v": self.v}, "health")
        f.kiosk_id(self.kiosk_id, "health.kiosk_id")
        f.timestamp(self.ts, "health.ts")
        devices = tuple(self.devices)
        if len(devices) > MAX_DEVICES:
            raise SchemaError(f"health.devices: at most {MAX_DEVICES}")
        for index, status in enumerate(devices):
            check_device_status(status, f"health.devices[{index}]")
        if len({status.device for status in devices}) != len(devices):
            raise SchemaError("health.devices: device names must be unique")
        object.__setattr__(self, "devices", devices)
        for name, kind in (("consumables", Consumables), ("wear", Wear),
                           ("service", ServiceInfo), ("backend", BackendHealth),
                           ("outbox", OutboxHealth)):
            if not isinstance(getattr(self, name), kind):
                raise SchemaError(f"health.{name}: must be a {kind.__name__}")
        f.string(self.software_version, "health.software_version", SOFTWARE_VERSION_PATTERN)
        f.number(self.uptime_s, "health.uptime_s")

    def to_dict(self) -> dict[str, Any]:
        return {"v": self.v, "kiosk_id": self.kiosk_id, "ts": self.ts,
                "devices": [status.to_dict() for status in self.devices],
                "consumables": self.consumables.to_dict(), "wear": self.wear.to_dict(),
                "service": self.service.to_dict(), "backend": self.backend.to_dict(),
                "outbox": self.outbox.to_dict(), "software_version": self.software_version,
                "uptime_s": self.uptime_s}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Health:
        d = f.fields(data, "health", ("v", "kiosk_id", "ts", "devices", "consumables", "wear",
                                      "service", "backend", "outbox", "software_version",
                                      "uptime_s"))
        if not isinstance(d["devices"], list) or len(d["devices"]) > MAX_DEVICES:
            raise SchemaError(f"health.devices: must be a list of at most {MAX_DEVICES}")
        return cls(
            v=d["v"], kiosk_id=d["kiosk_id"], ts=d["ts"],
            devices=tuple(device_status_from_wire(item, f"health.devices[{index}]")
                          for index, item in enumerate(d["devices"])),
            consumables=Consumables.from_dict(d["consumables"], "health.consumables"),
            wear=Wear.from_dict(d["wear"], "health.wear"),
            service=ServiceInfo.from_dict(d["service"], "health.service"),
            backend=BackendHealth.from_dict(d["backend"], "health.backend"),
            outbox=OutboxHealth.from_dict(d["outbox"], "health.outbox"),
            software_version=d["software_version"], uptime_s=d["uptime_s"])


@dataclass(frozen=True)
class Event:
    """One sequenced event. ``seq`` grows by one per event the kiosk records (it survives
    restarts); ``prev_seq`` is the seq the kiosk sent before this one in the same ordered
    stream (smaller; gaps between them are events the kiosk's outbox dropped)."""

    kiosk_id: str
    seq: int
    prev_seq: int
    ts: float
    kind: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    v: int = PROTOCOL_VERSION

    def __post_init__(self) -> None:
        _check_version({"v": self.v}, "event")
        f.kiosk_id(self.kiosk_id, "event.kiosk_id")
        f.integer(self.seq, "event.seq", 1)
        f.integer(self.prev_seq, "event.prev_seq", 0, self.seq - 1)
        f.timestamp(self.ts, "event.ts")
        kind = event_kind(self.kind, "event.kind")
        object.__setattr__(self, "kind", kind.value)
        object.__setattr__(self, "payload", MappingProxyType(check_payload(kind,
                                                                           self.payload)))

    @property
    def critical(self) -> bool:
        return self.kind in CRITICAL_KINDS

    def to_dict(self) -> dict[str, Any]:
        return {"v": self.v, "kiosk_id": self.kiosk_id, "seq": self.seq,
                "prev_seq": self.prev_seq, "ts": self.ts, "kind": self.kind,
                "payload": dict(self.payload)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        d = f.fields(data, "event", ("v", "kiosk_id", "seq", "prev_seq", "ts", "kind",
                                     "payload"))
        return cls(v=d["v"], kiosk_id=d["kiosk_id"], seq=d["seq"], prev_seq=d["prev_seq"],
                   ts=d["ts"], kind=d["kind"], payload=d["payload"])


@dataclass(frozen=True)
class Ack:
    """The fleet has applied every event of ``kiosk_id`` up to ``up_to_seq`` (cumulative)."""

    kiosk_id: str
    up_to_seq: int
    v: int = PROTOCOL_VERSION

    def __post_init__(self) -> None:
        _check_version({"v": self.v}, "ack")
        f.kiosk_id(self.kiosk_id, "ack.kiosk_id")
        f.integer(self.up_to_seq, "ack.up_to_seq")

    def to_dict(self) -> dict[str, Any]:
        return {"v": self.v, "kiosk_id": self.kiosk_id, "up_to_seq": self.up_to_seq}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ack:
        d = f.fields(data, "ack", ("v", "kiosk_id", "up_to_seq"))
        return cls(v=d["v"], kiosk_id=d["kiosk_id"], up_to_seq=d["up_to_seq"])


Message = Status | Health | Event | Ack | Command
_DECODERS: Mapping[Channel | None, Any] = MappingProxyType({
    Channel.STATUS: Status, Channel.HEALTH: Health, Channel.EVENT: Event,
    Channel.CMD: Command, None: Ack})


def encode(message: Message) -> bytes:
    """Compact JSON bytes of ``message`` (``PayloadTooLarge`` beyond the limit)."""
    if isinstance(message, Command) and not message.signature:
        raise SchemaError("command.signature: sign the command before sending it")
    data = f.dump_json(message.to_dict())
    if len(data) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge(f"{type(message).__name__.lower()}: {len(data)} bytes > "
                              f"{MAX_PAYLOAD_BYTES}")
    return data


def decode(channel: Channel | str | None, payload: bytes) -> Any:
    """The message a payload on ``channel`` carries (``None`` = the ack topic)."""
    kind = None if channel is None else Channel(channel)
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise SchemaError("payload: must be bytes")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge(f"payload: {len(payload)} bytes > {MAX_PAYLOAD_BYTES}")
    data = f.parse_json_object(bytes(payload))
    where = "ack" if kind is None else kind.value
    _check_version(data, where)
    return _DECODERS[kind].from_dict(data)


def parse_message(topic: str, payload: bytes) -> tuple[KioskTopic | AckTopic, Any]:
    """Topic and message together; the body's ``kiosk_id`` must equal the topic's."""
    parsed = parse_topic(topic)
    message = decode(parsed.channel if isinstance(parsed, KioskTopic) else None, payload)
    if message.kiosk_id != parsed.kiosk_id:
        raise TopicError("kiosk_id in the payload differs from the topic's")
    return parsed, message


def classify_event(high_water: int, event: Event) -> Delivery:
    """The receiver's dedupe rule on (kiosk_id, seq), given the highest seq it applied."""
    if event.seq <= high_water:
        return Delivery.DUPLICATE
    if event.prev_seq <= high_water:
        return Delivery.APPLY
    return Delivery.GAP
