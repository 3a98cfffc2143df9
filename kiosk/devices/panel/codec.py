"""I/O panel messages on our framed protocol (pure).

Follows docs/protocols/panel.md (protocol version 1): the events KEY (12-key keypad plus enter,
cancel, help and volume keys), HEADSET (jack plugged/unplugged), SERVICE_KEY (XFS4IoT
operatorSwitch run/maintenance/supervisor), DOOR and TAMPER, and the 22-byte status block. The
panel has only the common requests (HELLO, STATUS, PING). The standard library,
``kiosk.errors`` and ``kiosk.devices.framing`` only.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum, IntFlag
from typing import ClassVar

from kiosk.devices.framing import Frame
from kiosk.devices.framing_messages import (
    COMMON_REQUESTS,
    Booted,
    CommonCmd,
    FixedMessage,
    parse_message,
)

PROTOCOL = "panel"


class PanelEventCmd(IntEnum):
    """Panel events (panel.md §2)."""

    KEY = 0xE8
    HEADSET = 0xE9
    SERVICE_KEY = 0xEA
    DOOR = 0xEB
    TAMPER = 0xEC


class Key(IntEnum):
    """Key codes (panel.md §2): ASCII where a character exists."""

    D0 = 0x30
    D1 = 0x31
    D2 = 0x32
    D3 = 0x33
    D4 = 0x34
    D5 = 0x35
    D6 = 0x36
    D7 = 0x37
    D8 = 0x38
    D9 = 0x39
    STAR = 0x2A
    HASH = 0x23
    ENTER = 0x0D
    CANCEL = 0x18
    HELP = 0x3F
    VOL_UP = 0x2B
    VOL_DOWN = 0x2D

    @property
    def label(self) -> str:
        """The key's name as the simulator's CLI and the UI spell it: '0'-'9', '*', '#',
        'enter', 'cancel', 'help', 'vol_up', 'vol_down'."""
        if self.name.startswith("D"):
            return self.name[1:]
        return {"STAR": "*", "HASH": "#"}.get(self.name, self.name.lower())

    @classmethod
    def from_label(cls, label: str) -> Key:
        """The key named ``label``.

        Raises:
            ValueError: unknown label; the message lists the valid ones.
        """
        for key in cls:
            if key.label == label:
                return key
        raise ValueError(f"unknown key {label!r}; known: {', '.join(k.label for k in cls)}")


class ServiceKeyPosition(IntEnum):
    """The service key switch (XFS4IoT Auxiliaries operatorSwitch)."""

    RUN = 0
    MAINTENANCE = 1
    SUPERVISOR = 2

    @property
    def label(self) -> str:
        return self.name.lower()


class PanelFlag(IntFlag):
    """Status block ``flags`` (panel.md §3)."""

    HEADSET_PLUGGED = 1 << 0
    DOOR_OPEN = 1 << 1
    TAMPER = 1 << 2


NO_FLAGS = PanelFlag(0)
KNOWN_FLAGS = PanelFlag((1 << 3) - 1)


class _PanelMessage(FixedMessage):
    PROTOCOL: ClassVar[str] = PROTOCOL


def _switch(value: object, name: str) -> bool:
    if value not in (0, 1):
        raise ValueError(f"{name} must be 0 or 1, got {value!r}")
    return bool(value)


@dataclass(frozen=True, slots=True)
class PanelStatus(_PanelMessage):
    """The status block (panel.md §3): STATUS's result."""

    CMD: ClassVar[int] = CommonCmd.STATUS_CHANGED
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">BBIIIII")

    flags: PanelFlag = NO_FLAGS
    service_key: ServiceKeyPosition = ServiceKeyPosition.RUN
    key_presses: int = 0
    headset_plugs: int = 0
    door_openings: int = 0
    tamper_events: int = 0
    events_dropped: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "flags", PanelFlag(self.flags & KNOWN_FLAGS))
        object.__setattr__(self, "service_key", ServiceKeyPosition(self.service_key))


@dataclass(frozen=True, slots=True)
class KeyPressed(_PanelMessage):
    CMD: ClassVar[int] = PanelEventCmd.KEY
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">B")
    key: Key

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", Key(self.key))


@dataclass(frozen=True, slots=True)
class HeadsetChanged(_PanelMessage):
    CMD: ClassVar[int] = PanelEventCmd.HEADSET
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">B")
    plugged: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "plugged", _switch(self.plugged, "plugged"))


@dataclass(frozen=True, slots=True)
class ServiceKeyChanged(_PanelMessage):
    CMD: ClassVar[int] = PanelEventCmd.SERVICE_KEY
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">B")
    position: ServiceKeyPosition

    def __post_init__(self) -> None:
        object.__setattr__(self, "position", ServiceKeyPosition(self.position))


@dataclass(frozen=True, slots=True)
class DoorChanged(_PanelMessage):
    CMD: ClassVar[int] = PanelEventCmd.DOOR
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">B")
    open: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "open", _switch(self.open, "open"))


@dataclass(frozen=True, slots=True)
class TamperChanged(_PanelMessage):
    CMD: ClassVar[int] = PanelEventCmd.TAMPER
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">B")
    active: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "active", _switch(self.active, "active"))


PanelEvent = KeyPressed | HeadsetChanged | ServiceKeyChanged | DoorChanged | TamperChanged | Booted

EVENTS: dict[int, type[FixedMessage]] = {
    cls.CMD: cls for cls in (KeyPressed, HeadsetChanged, ServiceKeyChanged, DoorChanged,
                             TamperChanged, Booted)
}

#: The panel implements only the common requests.
REQUESTS: dict[int, type[FixedMessage]] = dict(COMMON_REQUESTS)


def parse_request(frame: Frame) -> FixedMessage:
    """A host request (the emulator's side).

    Raises:
        ProtocolError: unknown CMD (fault ``unknown_command``) or a bad payload.
    """
    return parse_message(frame, REQUESTS, PROTOCOL, "request")


def parse_event(frame: Frame) -> PanelEvent:
    """A panel event (the host's side).

    Raises:
        ProtocolError: unknown event, unknown key code or a switch value other than 0/1.
    """
    return parse_message(frame, EVENTS, PROTOCOL, "event")  # type: ignore[return-value]


def parse_status(body: bytes) -> PanelStatus:
    """STATUS's result.

    Raises:
        ProtocolError: the block is short or the service key position unknown.
    """
    return PanelStatus.from_payload(body)
