"""The packet layer of the ZFM / R30x / AS608 fingerprint protocol: framing and deframing.

Pure: standard library, ``kiosk.errors`` and ``kiosk.devices.codec_api`` only; reached through
``kiosk.devices.fingerprint.codec``, which adds the instruction layer. The layout, from the
ZhianTec ZFM-20 datasheet as summarised in reference/devices.md section 1.2::

    EF 01 | address (4, BE) | PID (1) | length (2, BE) = payload + 2 | payload | sum (2, BE)

where the checksum is the sum of PID, both length bytes and every payload byte, kept to
16 bits. Data transfers (UpChar, UpImage, DownChar) are a run of PID 02 packets ended by one
PID 08 packet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.devices.codec_api import MAX_BUFFERED_BYTES
from kiosk.devices.fingerprint.codes import PacketType
from kiosk.errors import ProtocolError

PROTOCOL = "fingerprint"  # the ``device`` named in this codec's ProtocolErrors
HEADER = b"\xef\x01"  # reference 1.2: start code EF01
DEFAULT_ADDRESS = 0xFFFFFFFF  # reference 1.1: factory module address
PACKET_SIZES = (32, 64, 128, 256)  # reference 1.2: data packet size by code 0..3
IMAGE_SIZE = 256 * 288 // 2  # reference 1.4 (UpImage): 256 x 288 px at 4 bit/px
FRAME_PREFIX_SIZE = 9  # header 2 + address 4 + PID 1 + length 2
CHECKSUM_SIZE = 2
MAX_PAYLOAD = max(PACKET_SIZES)  # the largest payload any packet carries
MAX_TRANSFER_BYTES = IMAGE_SIZE  # the largest data-packet transfer (UpImage)


@dataclass(frozen=True, slots=True)
class Packet:
    """One packet. ``repr`` never shows the payload: data packets carry templates."""

    pid: PacketType
    payload: bytes = field(repr=False)
    address: int = DEFAULT_ADDRESS

    @property
    def size(self) -> int:
        return len(self.payload)


def protocol_error(detail: str) -> ProtocolError:
    """A ``ProtocolError`` naming this protocol."""
    return ProtocolError(PROTOCOL, detail)


def checksum(pid: int, payload: bytes) -> int:
    """The 16-bit sum of PID, both length bytes and the payload (reference 1.2)."""
    length = len(payload) + CHECKSUM_SIZE
    return (pid + (length >> 8) + (length & 0xFF) + sum(payload)) & 0xFFFF


def check_u32(name: str, value: int) -> None:
    if not 0 <= value <= 0xFFFFFFFF:
        raise ValueError(f"{name} must be a 32-bit unsigned value")


def encode_packet(pid: PacketType, payload: bytes, address: int = DEFAULT_ADDRESS) -> bytes:
    """One packet on the wire: header, address, PID, length, payload, checksum."""
    check_u32("address", address)
    if not 1 <= len(payload) <= MAX_PAYLOAD:
        raise ValueError(f"payload must be 1..{MAX_PAYLOAD} bytes, got {len(payload)}")
    length = len(payload) + CHECKSUM_SIZE
    return (HEADER + address.to_bytes(4, "big") + bytes([PacketType(pid)])
            + length.to_bytes(2, "big") + payload
            + checksum(pid, payload).to_bytes(2, "big"))


def encode_data_packets(data: bytes, packet_size: int,
                        address: int = DEFAULT_ADDRESS) -> bytes:
    """``data`` as data packets of ``packet_size`` bytes: PID 02 ..., the last one PID 08."""
    if packet_size not in PACKET_SIZES:
        raise ValueError(f"packet size must be one of {PACKET_SIZES}, got {packet_size}")
    if not data:
        raise ValueError("no data to send")
    chunks = [data[i:i + packet_size] for i in range(0, len(data), packet_size)]
    return b"".join(
        encode_packet(PacketType.END_DATA if index == len(chunks) - 1 else PacketType.DATA,
                      chunk, address)
        for index, chunk in enumerate(chunks))


class DataAssembler:
    """Collects data packets (PID 02 ... 08) into one transfer, e.g. an UpChar template."""

    def __init__(self, limit: int = MAX_TRANSFER_BYTES) -> None:
        self.limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self.complete = False

    def add(self, packet: Packet) -> bytes | None:
        """Add a packet; returns the whole transfer once the last packet (PID 08) arrived."""
        if packet.pid not in (PacketType.DATA, PacketType.END_DATA):
            raise protocol_error(f"expected a data packet, got PID {packet.pid:#04x}")
        if self.complete:
            raise protocol_error("data packet after the end of the transfer")
        self._size += packet.size
        if self._size > self.limit:
            raise protocol_error(f"data transfer longer than {self.limit} bytes")
        self._chunks.append(packet.payload)
        if packet.pid == PacketType.END_DATA:
            self.complete = True
            return b"".join(self._chunks)
        return None


class PacketDecoder:
    """Incremental decoder (``kiosk.devices.codec_api.IncrementalDecoder[Packet]``).

    Accepts bytes split anywhere; skips garbage up to the next ``EF 01``; rejects an unknown
    PID, an impossible length, a bad checksum (dropping only the header, so a real packet
    hidden behind a false header is still found) and, if ``address`` is set, a well-formed
    packet for another address (dropped whole). Each rejection is one ``ProtocolError``.
    """

    def __init__(self, address: int | None = DEFAULT_ADDRESS) -> None:
        self.address = address
        self._buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self._buffer += data
        overflow = len(self._buffer) - MAX_BUFFERED_BYTES
        if overflow > 0:
            del self._buffer[:overflow]

    def next_message(self) -> Packet | None:
        buffer = self._buffer
        start = buffer.find(HEADER)
        if start < 0:
            keep = 1 if buffer.endswith(HEADER[:1]) else 0
            skipped = len(buffer) - keep
            if skipped:
                del buffer[:skipped]
                raise protocol_error(f"skipped {skipped} byte(s) without a packet header")
            return None
        if start:
            del buffer[:start]
            raise protocol_error(f"skipped {start} byte(s) before a packet header")
        if len(buffer) < FRAME_PREFIX_SIZE:
            return None
        pid = buffer[6]
        length = int.from_bytes(buffer[7:9], "big")
        if pid not in PacketType._value2member_map_:
            del buffer[:2]
            raise protocol_error(f"unknown packet identifier {pid:#04x}")
        if not CHECKSUM_SIZE + 1 <= length <= CHECKSUM_SIZE + MAX_PAYLOAD:
            del buffer[:2]
            raise protocol_error(f"impossible packet length {length}")
        total = FRAME_PREFIX_SIZE + length
        if len(buffer) < total:
            return None
        payload = bytes(buffer[FRAME_PREFIX_SIZE:total - CHECKSUM_SIZE])
        received = int.from_bytes(buffer[total - CHECKSUM_SIZE:total], "big")
        if received != checksum(pid, payload):
            del buffer[:2]
            raise protocol_error("bad checksum")
        address = int.from_bytes(buffer[2:6], "big")
        del buffer[:total]
        if self.address is not None and address != self.address:
            raise protocol_error(
                f"packet for address {address:#010x}, expected {self.address:#010x}")
        return Packet(PacketType(pid), payload, address)
