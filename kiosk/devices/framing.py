"""The pure codec of our framed serial protocol, shared by the binder, card reader and I/O panel.

Follows docs/protocols/framing.md (version 1): ``STX LEN SEQ CMD DATA CRC ETX`` with DLE byte
stuffing between STX and ETX, CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, not reflected,
check 0x29B1) sent high byte first, ACK/NAK frames, sequence numbers with SEQ 0 starting a new
sequence, and the small pure pieces both ends of the link need (sequence counter, duplicate
filter). Message payloads and the common messages are in ``kiosk.devices.framing_messages``.

Pure: the standard library, ``kiosk.errors`` and ``kiosk.devices.codec_api`` only; no I/O,
no clocks.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from enum import IntEnum

from kiosk.devices.codec_api import MAX_BUFFERED_BYTES
from kiosk.errors import ProtocolError

PROTOCOL = "framing"

STX = 0x02  # framing.md §2
ETX = 0x03
DLE = 0x10
STUFF_XOR = 0x20  # framing.md §2.2: DLE, byte XOR 0x20
MAX_DATA = 240  # framing.md §2: LEN range 0-240
HEADER_AND_CRC = 5  # LEN, SEQ, CMD and two CRC bytes
MAX_WIRE_FRAME = 2 + 2 * (MAX_DATA + HEADER_AND_CRC)  # framing.md §2.2: 492 bytes
CRC_INIT = 0xFFFF  # framing.md §2.1

ACK = 0x06  # framing.md §3
NAK = 0x15
REQUEST_FIRST, REQUEST_LAST = 0x20, 0x5F
RESPONSE_FLAG = 0x80
EVENT_FIRST, EVENT_LAST = 0xE0, 0xFE

# ProtocolError.fault values raised by the decoder.
FAULT_NOISE = "noise"
FAULT_FRAMING = "framing"
FAULT_LENGTH = "length"
FAULT_CRC = "crc"


class NakReason(IntEnum):
    """Why a frame was rejected (framing.md §6)."""

    CRC = 0x01
    LENGTH = 0x02
    FRAMING = 0x03
    UNKNOWN_CMD = 0x04


#: Which decoder faults are answered with a NAK, and with which reason (noise is not).
NAK_REASON_FOR_FAULT: dict[str, NakReason] = {
    FAULT_CRC: NakReason.CRC, FAULT_LENGTH: NakReason.LENGTH, FAULT_FRAMING: NakReason.FRAMING,
}


# ----------------------------------------------------------------------------- frames


@dataclass(frozen=True, slots=True)
class Frame:
    """One intact frame: its sequence number, message code and payload."""

    seq: int
    cmd: int
    data: bytes = b""


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE of ``data`` (binascii.crc_hqx is exactly this with init 0xFFFF)."""
    return binascii.crc_hqx(data, CRC_INIT)


def stuff(body: bytes) -> bytes:
    """Escape STX, ETX and DLE as ``DLE, byte ^ 0x20`` (DLE first, so no byte is escaped twice)."""
    return (body.replace(b"\x10", b"\x10\x30").replace(b"\x02", b"\x10\x22")
            .replace(b"\x03", b"\x10\x23"))


def unstuff(raw: bytes) -> bytes:
    """Undo ``stuff``.

    Raises:
        ProtocolError: a DLE is last or is followed by anything but 0x22, 0x23 or 0x30.
    """
    if DLE not in raw:
        return raw
    head, *escaped = raw.split(b"\x10")
    out = bytearray(head)
    for part in escaped:
        if not part or part[0] ^ STUFF_XOR not in (STX, ETX, DLE):
            raise ProtocolError(PROTOCOL, "bad DLE escape in frame", fault=FAULT_FRAMING)
        out.append(part[0] ^ STUFF_XOR)
        out += part[1:]
    return bytes(out)


def encode_frame(seq: int, cmd: int, data: bytes = b"") -> bytes:
    """The wire bytes of one frame.

    Raises:
        ValueError: ``seq`` or ``cmd`` is not a byte, or ``data`` is longer than 240 bytes.
    """
    if not 0 <= seq <= 0xFF or not 0 <= cmd <= 0xFF:
        raise ValueError(f"seq and cmd must be bytes, got seq={seq} cmd={cmd}")
    if len(data) > MAX_DATA:
        raise ValueError(f"frame data is {len(data)} bytes, at most {MAX_DATA} allowed")
    body = bytes((len(data), seq, cmd)) + bytes(data)
    body += crc16(body).to_bytes(2, "big")
    return b"\x02" + stuff(body) + b"\x03"


def encode_ack(seq: int) -> bytes:
    """ACK of the event numbered ``seq`` (framing.md §6)."""
    return encode_frame(seq, ACK)


def encode_nak(reason: NakReason) -> bytes:
    """NAK with SEQ 0 and a reason (framing.md §6)."""
    return encode_frame(0, NAK, bytes((reason,)))


def is_request(cmd: int) -> bool:
    return REQUEST_FIRST <= cmd <= REQUEST_LAST


def is_response(cmd: int) -> bool:
    return REQUEST_FIRST | RESPONSE_FLAG <= cmd <= REQUEST_LAST | RESPONSE_FLAG


def is_event(cmd: int) -> bool:
    return EVENT_FIRST <= cmd <= EVENT_LAST


def response_cmd(request_cmd: int) -> int:
    """The CMD of the response to ``request_cmd`` (framing.md §3)."""
    return request_cmd | RESPONSE_FLAG


def _parse_body(body: bytes) -> Frame:
    if len(body) < HEADER_AND_CRC:
        raise ProtocolError(PROTOCOL, f"frame of {len(body)} bytes is too short",
                            fault=FAULT_LENGTH)
    length = body[0]
    if length > MAX_DATA or len(body) != length + HEADER_AND_CRC:
        raise ProtocolError(PROTOCOL, f"LEN {length} disagrees with a frame of "
                            f"{len(body) - HEADER_AND_CRC} data bytes", fault=FAULT_LENGTH)
    received = int.from_bytes(body[-2:], "big")
    if crc16(body[:-2]) != received:
        raise ProtocolError(PROTOCOL, "CRC mismatch", fault=FAULT_CRC)
    return Frame(seq=body[1], cmd=body[2], data=bytes(body[3:-2]))


class FrameDecoder:
    """Incremental decoder (kiosk.devices.codec_api.IncrementalDecoder) of frames.

    Bytes may be split anywhere. Noise before an STX is dropped (one ``ProtocolError`` with
    fault ``noise`` per run); an STX inside a frame aborts it; a bad escape, LEN or CRC rejects
    the frame. Every error consumes the bytes it is about, so the next call goes on.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._scanned = 1  # bytes after the STX already known to hold no STX/ETX
        self._dropped = 0

    def feed(self, data: bytes) -> None:
        self._buffer += data
        excess = len(self._buffer) - MAX_BUFFERED_BYTES
        if excess > 0:
            del self._buffer[:excess]
            self._dropped += excess
            self._scanned = 1

    def next_message(self) -> Frame | None:
        if self._dropped:
            dropped, self._dropped = self._dropped, 0
            raise ProtocolError(PROTOCOL, f"input overflow: dropped {dropped} byte(s)",
                                fault=FAULT_FRAMING)
        buffer = self._buffer
        if not buffer:
            return None
        if buffer[0] != STX:
            start = buffer.find(STX)
            skipped = len(buffer) if start < 0 else start
            del buffer[:skipped]
            self._scanned = 1
            raise ProtocolError(PROTOCOL, f"skipped {skipped} byte(s) of noise before STX",
                                fault=FAULT_NOISE)
        end = self._find_delimiter()
        if end < 0:
            if len(buffer) > MAX_WIRE_FRAME:
                del buffer[:]
                self._scanned = 1
                raise ProtocolError(PROTOCOL, f"no ETX within {MAX_WIRE_FRAME} bytes",
                                    fault=FAULT_FRAMING)
            return None
        self._scanned = 1
        if buffer[end] == STX:
            del buffer[:end]
            raise ProtocolError(PROTOCOL, "frame cut short by a new STX", fault=FAULT_FRAMING)
        raw = bytes(buffer[1:end])
        del buffer[:end + 1]
        if len(raw) + 2 > MAX_WIRE_FRAME:
            raise ProtocolError(PROTOCOL, f"frame longer than {MAX_WIRE_FRAME} bytes",
                                fault=FAULT_FRAMING)
        return _parse_body(unstuff(raw))

    def _find_delimiter(self) -> int:
        """Index of the first STX or ETX after the leading STX, or -1."""
        buffer = self._buffer
        start = self._scanned
        next_stx = buffer.find(STX, start)
        next_etx = buffer.find(ETX, start)
        if next_stx < 0 and next_etx < 0:
            self._scanned = len(buffer)
            return -1
        if next_stx < 0:
            return next_etx
        if next_etx < 0:
            return next_stx
        return min(next_stx, next_etx)


# -------------------------------------------------------------------------- link state


class SequenceCounter:
    """A side's SEQ counter: 1..255 then 1 again; 0 is reserved for HELLO/BOOTED (§4)."""

    def __init__(self) -> None:
        self._last = 0

    def reset(self) -> None:
        self._last = 0

    def next(self) -> int:
        self._last = 1 if self._last >= 0xFF else self._last + 1
        return self._last


class DuplicateFilter:
    """Remembers the last accepted frame; an equal one (SEQ != 0) is a retransmission (§7)."""

    def __init__(self) -> None:
        self._last: Frame | None = None

    def reset(self) -> None:
        self._last = None

    def is_duplicate(self, frame: Frame) -> bool:
        """True if ``frame`` repeats the last accepted one; otherwise remember it."""
        if frame.seq == 0:
            self._last = None
            return False
        if frame == self._last:
            return True
        self._last = frame
        return False
