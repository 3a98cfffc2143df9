"""Binder-stapler/presenter messages on our framed protocol (pure).

Follows docs/protocols/binder.md (protocol version 1): the requests BIND, PRESENT, RETRACT,
CLEAR_JAM, RESET, CARTRIDGE_REPLACED, UNIT_REPLACED, BIN_EMPTIED; the events BIND_DONE,
PRESENT_DONE, MEDIA_TAKEN, MEDIA_RETRACTED, ACTION_DONE, STATUS_CHANGED; the 62-byte status
block and the response codes. Framing, CRC and the common messages are in
``kiosk.devices.framing``. The standard library, ``kiosk.errors`` and framing only.
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

PROTOCOL = "binder"

MIN_SHEETS = 2  # binder.md §1: one sheet is presented without binding
MAX_SHEETS = 50  # binder.md §1: more is TOO_THICK
STAPLES_PER_BIND = 2  # binder.md: two staples on the left edge
MAX_CARTRIDGE_STAPLES = 10_000  # binder.md §1: CARTRIDGE_REPLACED range
MAX_JOB = 0xFFFF_FFFF


class BinderCmd(IntEnum):
    """Binder requests (binder.md §1)."""

    BIND = 0x30
    PRESENT = 0x31
    RETRACT = 0x32
    CLEAR_JAM = 0x33
    RESET = 0x34
    CARTRIDGE_REPLACED = 0x35
    UNIT_REPLACED = 0x36
    BIN_EMPTIED = 0x37


class BinderEventCmd(IntEnum):
    """Binder events (binder.md §2)."""

    BIND_DONE = 0xE8
    PRESENT_DONE = 0xE9
    MEDIA_TAKEN = 0xEA
    MEDIA_RETRACTED = 0xEB
    ACTION_DONE = 0xEC


class BinderCode(IntEnum):
    """Response codes and event results (framing.md §5 and binder.md §1.1)."""

    OK = 0x00
    UNKNOWN_COMMAND = 0x01
    BAD_PARAMETER = 0x02
    BUSY = 0x03
    NOT_READY = 0x04
    INTERNAL_ERROR = 0x05
    PAPER_JAM = 0x10
    STAPLE_JAM = 0x11
    STAPLES_OUT = 0x12
    COVER_OPEN = 0x13
    MOTOR_FAULT = 0x14
    RETRACT_BIN_FULL = 0x15
    MEDIA_AT_EXIT = 0x16
    TOO_THICK = 0x17
    NOTHING_TO_RETRACT = 0x18


class BinderFlag(IntFlag):
    """Status block ``flags`` (binder.md §3)."""

    BUSY = 1 << 0
    PAPER_JAM = 1 << 1
    STAPLE_JAM = 1 << 2
    STAPLES_LOW = 1 << 3
    STAPLES_OUT = 1 << 4
    CARTRIDGE_MISSING = 1 << 5
    COVER_OPEN = 1 << 6
    MOTOR_FAULT = 1 << 7
    RETRACT_BIN_HIGH = 1 << 8
    RETRACT_BIN_FULL = 1 << 9
    MEDIA_AT_EXIT = 1 << 10
    WEAR_NEAR_END = 1 << 11
    WEAR_OVER = 1 << 12


NO_FLAGS = BinderFlag(0)
KNOWN_FLAGS = BinderFlag((1 << 13) - 1)


class Activity(IntEnum):
    IDLE = 0
    BINDING = 1
    PRESENTING = 2
    RETRACTING = 3
    CLEARING_JAM = 4
    RESETTING = 5


class ExitState(IntEnum):
    NONE = 0
    PRESENTED = 1
    TAKEN = 2
    RETRACTED = 3


class RetractReason(IntEnum):
    TAKE_TIMEOUT = 1
    HOST = 2
    RESET = 3


class _BinderMessage(FixedMessage):
    PROTOCOL: ClassVar[str] = PROTOCOL


# --------------------------------------------------------------------------- status


@dataclass(frozen=True, slots=True)
class BinderStatus(_BinderMessage):
    """The status block (binder.md §3): STATUS's result and the STATUS_CHANGED event.

    Unknown flag bits are dropped (framing.md §12).
    """

    CMD: ClassVar[int] = CommonCmd.STATUS_CHANGED
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">HBBIHHHIIHHIIIIIIIII")

    flags: BinderFlag = NO_FLAGS
    activity: Activity = Activity.IDLE
    exit_state: ExitState = ExitState.NONE
    exit_job: int = 0
    staples_left: int = 0
    retract_bin_count: int = 0
    retract_bin_capacity: int = 0
    unit_cycles: int = 0
    unit_rated_cycles: int = 0
    last_cycle_ms: int = 0
    motor_peak_ma: int = 0
    cycles: int = 0
    staples_used: int = 0
    jams: int = 0
    presented: int = 0
    taken: int = 0
    retracted: int = 0
    cartridges_replaced: int = 0
    unit_replacements: int = 0
    events_dropped: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "flags", BinderFlag(self.flags & KNOWN_FLAGS))
        object.__setattr__(self, "activity", Activity(self.activity))
        object.__setattr__(self, "exit_state", ExitState(self.exit_state))


# -------------------------------------------------------------------------- requests


@dataclass(frozen=True, slots=True)
class Bind(_BinderMessage):
    CMD: ClassVar[int] = BinderCmd.BIND
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">BI")
    sheets: int
    job: int


@dataclass(frozen=True, slots=True)
class Present(_BinderMessage):
    CMD: ClassVar[int] = BinderCmd.PRESENT
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">IB")
    job: int
    take_timeout_s: int


@dataclass(frozen=True, slots=True)
class Retract(_BinderMessage):
    CMD: ClassVar[int] = BinderCmd.RETRACT
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">I")
    job: int = 0


@dataclass(frozen=True, slots=True)
class ClearJam(_BinderMessage):
    CMD: ClassVar[int] = BinderCmd.CLEAR_JAM


@dataclass(frozen=True, slots=True)
class Reset(_BinderMessage):
    CMD: ClassVar[int] = BinderCmd.RESET


@dataclass(frozen=True, slots=True)
class CartridgeReplaced(_BinderMessage):
    CMD: ClassVar[int] = BinderCmd.CARTRIDGE_REPLACED
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">H")
    staples: int


@dataclass(frozen=True, slots=True)
class UnitReplaced(_BinderMessage):
    CMD: ClassVar[int] = BinderCmd.UNIT_REPLACED
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">I")
    rated_cycles: int = 0


@dataclass(frozen=True, slots=True)
class BinEmptied(_BinderMessage):
    CMD: ClassVar[int] = BinderCmd.BIN_EMPTIED


BinderRequest = (Bind | Present | Retract | ClearJam | Reset | CartridgeReplaced | UnitReplaced
                 | BinEmptied)

REQUESTS: dict[int, type[FixedMessage]] = {
    **COMMON_REQUESTS,
    **{cls.CMD: cls for cls in (Bind, Present, Retract, ClearJam, Reset, CartridgeReplaced,
                                UnitReplaced, BinEmptied)},
}


# ---------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class BindDone(_BinderMessage):
    CMD: ClassVar[int] = BinderEventCmd.BIND_DONE
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">IBHHB")
    job: int
    result: BinderCode
    cycle_ms: int
    motor_peak_ma: int
    staples_fired: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "result", BinderCode(self.result))


@dataclass(frozen=True, slots=True)
class PresentDone(_BinderMessage):
    CMD: ClassVar[int] = BinderEventCmd.PRESENT_DONE
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">IB")
    job: int
    result: BinderCode

    def __post_init__(self) -> None:
        object.__setattr__(self, "result", BinderCode(self.result))


@dataclass(frozen=True, slots=True)
class MediaTaken(_BinderMessage):
    CMD: ClassVar[int] = BinderEventCmd.MEDIA_TAKEN
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">II")
    job: int
    waited_ms: int


@dataclass(frozen=True, slots=True)
class MediaRetracted(_BinderMessage):
    CMD: ClassVar[int] = BinderEventCmd.MEDIA_RETRACTED
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">IB")
    job: int
    reason: RetractReason

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", RetractReason(self.reason))


@dataclass(frozen=True, slots=True)
class ActionDone(_BinderMessage):
    """End of CLEAR_JAM or RESET; ``action`` is the request's CMD."""

    CMD: ClassVar[int] = BinderEventCmd.ACTION_DONE
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">BB")
    action: BinderCmd
    result: BinderCode

    def __post_init__(self) -> None:
        action = BinderCmd(self.action)
        if action not in (BinderCmd.CLEAR_JAM, BinderCmd.RESET):
            raise ValueError(f"ACTION_DONE for {action.name}, expected CLEAR_JAM or RESET")
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "result", BinderCode(self.result))


BinderEvent = (BindDone | PresentDone | MediaTaken | MediaRetracted | ActionDone | BinderStatus
               | Booted)

EVENTS: dict[int, type[FixedMessage]] = {
    cls.CMD: cls for cls in (BindDone, PresentDone, MediaTaken, MediaRetracted, ActionDone,
                             BinderStatus, Booted)
}


def parse_request(frame: Frame) -> FixedMessage:
    """A host request (the emulator's side).

    Raises:
        ProtocolError: unknown CMD (fault ``unknown_command``) or a short/invalid payload.
    """
    return parse_message(frame, REQUESTS, PROTOCOL, "request")


def parse_event(frame: Frame) -> BinderEvent:
    """A binder event (the host's side).

    Raises:
        ProtocolError: unknown event or a short/invalid payload.
    """
    return parse_message(frame, EVENTS, PROTOCOL, "event")  # type: ignore[return-value]


def parse_status(body: bytes) -> BinderStatus:
    """STATUS's result (the response body after the code).

    Raises:
        ProtocolError: the block is short or holds an unknown activity/exit state.
    """
    return BinderStatus.from_payload(body)
