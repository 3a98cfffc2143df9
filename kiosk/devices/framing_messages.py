"""Payloads of our framed serial protocol: field helpers, responses and the common messages.

Follows docs/protocols/framing.md §1 (big-endian integers, lp-strings), §5 (a response is a
code byte and a result), §9 (HELLO, STATUS, PING, BOOTED, STATUS_CHANGED) and §12 (trailing
bytes a version-1 receiver does not know are ignored). The device codecs build their messages
as frozen dataclasses on ``FixedMessage``. Pure: the standard library, ``kiosk.errors`` and
``kiosk.devices.framing`` only.
"""

from __future__ import annotations

import struct
from dataclasses import astuple, dataclass
from enum import IntEnum
from typing import Any, ClassVar, TypeVar

from kiosk.devices.framing import MAX_DATA, PROTOCOL, Frame, encode_frame, is_response, response_cmd
from kiosk.errors import ProtocolError

PROTOCOL_VERSION = 1  # framing.md §9.1

# ProtocolError.fault values raised by the payload helpers.
FAULT_PAYLOAD = "payload"
FAULT_UNKNOWN_COMMAND = "unknown_command"


class CommonCmd(IntEnum):
    """Requests and events every device implements (framing.md §9)."""

    HELLO = 0x20
    STATUS = 0x21
    PING = 0x23
    BOOTED = 0xE0
    STATUS_CHANGED = 0xE1


class ResultCode(IntEnum):
    """Response codes common to all devices (framing.md §5); devices add 0x10-0x3F."""

    OK = 0x00
    UNKNOWN_COMMAND = 0x01
    BAD_PARAMETER = 0x02
    BUSY = 0x03
    NOT_READY = 0x04
    INTERNAL_ERROR = 0x05


class DeviceKind(IntEnum):
    """HELLO's device_kind (framing.md §9.1)."""

    BINDER = 0x01
    CARD_READER = 0x02
    PANEL = 0x03


class ResetCause(IntEnum):
    """BOOTED's reset_cause (framing.md §9.4)."""

    POWER_ON = 0x01
    WATCHDOG = 0x02
    BROWN_OUT = 0x03
    OTHER = 0x04


# ---------------------------------------------------------------------- payload helpers


MessageT = TypeVar("MessageT", bound="FixedMessage")


def unpack_fixed(layout: struct.Struct, data: bytes, protocol: str, what: str) -> tuple[Any, ...]:
    """Unpack a fixed layout; trailing bytes are ignored (framing.md §12).

    Raises:
        ProtocolError: ``data`` is shorter than the layout.
    """
    if len(data) < layout.size:
        raise ProtocolError(protocol, f"{what}: {len(data)} byte(s), need {layout.size}",
                            fault=FAULT_PAYLOAD)
    return layout.unpack_from(data)


class FixedMessage:
    """Mixin for frozen dataclasses whose fields map in order onto a ``struct`` layout.

    Subclasses set ``CMD``, ``LAYOUT`` and ``PROTOCOL``; fields typed as IntEnums are converted
    in ``__post_init__`` by the subclass, raising ``ValueError`` for unknown values.
    """

    CMD: ClassVar[int]
    LAYOUT: ClassVar[struct.Struct] = struct.Struct("")
    PROTOCOL: ClassVar[str] = PROTOCOL

    def payload(self) -> bytes:
        try:
            return self.LAYOUT.pack(*astuple(self))  # type: ignore[call-overload]
        except struct.error as exc:
            raise ValueError(f"{type(self).__name__}: field out of range: {exc}") from None

    @classmethod
    def from_payload(cls: type[MessageT], data: bytes) -> MessageT:
        values = unpack_fixed(cls.LAYOUT, data, cls.PROTOCOL, cls.__name__)
        try:
            return cls(*values)
        except ValueError as exc:
            raise ProtocolError(cls.PROTOCOL, f"{cls.__name__}: {exc}",
                                fault=FAULT_PAYLOAD) from None


def encode_message(seq: int, message: FixedMessage) -> bytes:
    """The frame carrying ``message`` (a request or an event) with sequence number ``seq``."""
    return encode_frame(seq, message.CMD, message.payload())


def parse_message(frame: Frame, registry: dict[int, type[MessageT]], protocol: str,
                  what: str) -> MessageT:
    """Parse ``frame`` with the message class its CMD names in ``registry``.

    Raises:
        ProtocolError: unknown CMD (fault ``unknown_command``) or a bad payload.
    """
    message_class = registry.get(frame.cmd)
    if message_class is None:
        raise ProtocolError(protocol, f"unknown {what} 0x{frame.cmd:02X}",
                            fault=FAULT_UNKNOWN_COMMAND)
    return message_class.from_payload(frame.data)


class PayloadReader:
    """Reads variable payloads field by field; every shortfall is a ``ProtocolError``."""

    def __init__(self, data: bytes, protocol: str, what: str) -> None:
        self._data = data
        self._offset = 0
        self._protocol = protocol
        self._what = what

    def _take(self, count: int, field: str) -> bytes:
        end = self._offset + count
        if end > len(self._data):
            raise ProtocolError(self._protocol, f"{self._what}: {field} is truncated",
                                fault=FAULT_PAYLOAD)
        chunk = self._data[self._offset:end]
        self._offset = end
        return chunk

    def u8(self, field: str) -> int:
        return self._take(1, field)[0]

    def u32(self, field: str) -> int:
        return int.from_bytes(self._take(4, field), "big")

    def text(self, field: str, max_len: int) -> str:
        """An lp-string of printable ASCII of at most ``max_len`` characters.

        Errors name the field, never its content.
        """
        length = self.u8(field)
        if length > max_len:
            raise ProtocolError(self._protocol, f"{self._what}: {field} has {length} "
                                f"characters, at most {max_len}", fault=FAULT_PAYLOAD)
        raw = self._take(length, field)
        if any(byte < 0x20 or byte > 0x7E for byte in raw):
            raise ProtocolError(self._protocol, f"{self._what}: {field} is not printable ASCII",
                                fault=FAULT_PAYLOAD)
        return raw.decode("ascii")


def pack_text(text: str, max_len: int) -> bytes:
    """An lp-string (framing.md §1).

    Raises:
        ValueError: ``text`` is longer than ``max_len`` or not printable ASCII.
    """
    if len(text) > max_len or not text.isascii() or not text.isprintable():
        raise ValueError(f"text must be printable ASCII of at most {max_len} characters")
    return bytes((len(text),)) + text.encode("ascii")


# --------------------------------------------------------------------- common messages


@dataclass(frozen=True, slots=True)
class Reply:
    """A response split into its code and the result that follows it (framing.md §5)."""

    seq: int
    cmd: int
    code: int
    body: bytes


def parse_reply(frame: Frame, protocol: str = PROTOCOL) -> Reply:
    """Split a response frame.

    Raises:
        ProtocolError: the frame is not a response or carries no code.
    """
    if not is_response(frame.cmd) or not frame.data:
        raise ProtocolError(protocol, f"frame 0x{frame.cmd:02X} is not a response with a code",
                            fault=FAULT_PAYLOAD)
    return Reply(seq=frame.seq, cmd=frame.cmd, code=frame.data[0], body=frame.data[1:])


def encode_response(seq: int, request_cmd: int, code: int, body: bytes = b"") -> bytes:
    """The response to ``request_cmd`` numbered ``seq`` (the request's SEQ)."""
    return encode_frame(seq, response_cmd(request_cmd), bytes((code,)) + body)


@dataclass(frozen=True, slots=True)
class Hello(FixedMessage):
    """HELLO request (framing.md §9.1)."""

    CMD: ClassVar[int] = CommonCmd.HELLO
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">B")
    protocol_version: int = PROTOCOL_VERSION


@dataclass(frozen=True, slots=True)
class StatusRequest(FixedMessage):
    """STATUS request (framing.md §9.2): no data."""

    CMD: ClassVar[int] = CommonCmd.STATUS


@dataclass(frozen=True, slots=True)
class Ping(FixedMessage):
    """PING request (framing.md §9.3): arbitrary data, echoed."""

    CMD: ClassVar[int] = CommonCmd.PING
    data: bytes = b""

    def payload(self) -> bytes:
        if len(self.data) > MAX_DATA - 1:
            raise ValueError(f"ping data is at most {MAX_DATA - 1} bytes")
        return bytes(self.data)

    @classmethod
    def from_payload(cls, data: bytes) -> Ping:
        return cls(bytes(data))


@dataclass(frozen=True, slots=True)
class Booted(FixedMessage):
    """BOOTED event (framing.md §9.4), always sent with SEQ 0."""

    CMD: ClassVar[int] = CommonCmd.BOOTED
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">B")
    cause: ResetCause = ResetCause.POWER_ON

    def __post_init__(self) -> None:
        object.__setattr__(self, "cause", ResetCause(self.cause))


@dataclass(frozen=True, slots=True)
class HelloReply:
    """HELLO's result (framing.md §9.1)."""

    protocol_version: int
    kind: int
    firmware: str
    serial_number: str

    def payload(self) -> bytes:
        return (bytes((self.protocol_version, self.kind)) + pack_text(self.firmware, 32)
                + pack_text(self.serial_number, 32))

    @classmethod
    def from_payload(cls, data: bytes) -> HelloReply:
        reader = PayloadReader(data, PROTOCOL, "HELLO reply")
        return cls(protocol_version=reader.u8("protocol_version"), kind=reader.u8("kind"),
                   firmware=reader.text("firmware", 32),
                   serial_number=reader.text("serial_number", 32))


#: The common requests, for the device codecs' registries.
COMMON_REQUESTS: dict[int, type[FixedMessage]] = {
    CommonCmd.HELLO: Hello, CommonCmd.STATUS: StatusRequest, CommonCmd.PING: Ping,
}
