"""The ZFM / R30x / AS608 fingerprint-sensor serial protocol: the one place it is written down.

Pure: standard library, ``kiosk.errors`` and ``kiosk.devices.codec_api`` only; the driver and
the simulator's emulator both speak through it. Byte-compatible with the ZhianTec ZFM-20
datasheet as summarised in reference/devices.md section 1. The packet layer (header EF01,
4-byte address, PID, length = payload + 2, 16-bit sum; the incremental ``PacketDecoder``;
data packets) lives in ``packets`` and is re-exported here; this module adds the instruction
layer: a builder per command, replies and their results. Defaults: address FFFFFFFF,
password 00000000, 57,600 baud (9600 x 6).

Bad input: the encoders raise ``ValueError`` (a programming error); the decoder and the
parsers raise ``ProtocolError`` (bytes from the wire) and never anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.devices.fingerprint.codes import (
    AuraColour,
    AuraMode,
    Confirmation,
    Instruction,
    PacketType,
    SystemParameter,
)
from kiosk.devices.fingerprint.packets import (
    CHECKSUM_SIZE,
    DEFAULT_ADDRESS,
    FRAME_PREFIX_SIZE,
    HEADER,
    IMAGE_SIZE,
    MAX_PAYLOAD,
    MAX_TRANSFER_BYTES,
    PACKET_SIZES,
    PROTOCOL,
    DataAssembler,
    Packet,
    PacketDecoder,
    check_u32,
    checksum,
    encode_data_packets,
    encode_packet,
    protocol_error,
)

__all__ = [
    "BAUD_UNIT", "CHAR_BUFFERS", "CHECKSUM_SIZE", "COMMAND_PARAM_SIZES", "DEFAULT_ADDRESS",
    "DEFAULT_BAUDRATE", "DEFAULT_PASSWORD", "FRAME_PREFIX_SIZE", "HEADER", "IMAGE_SIZE",
    "MAX_PAYLOAD", "MAX_TRANSFER_BYTES", "PACKET_SIZES", "PROTOCOL", "REPLY_DATA_SIZES",
    "TEMPLATE_SIZE", "Command", "DataAssembler", "Packet", "PacketDecoder", "Reply",
    "SystemParameters", "checksum", "encode_aura", "encode_command", "encode_data_packets",
    "encode_delete_char", "encode_down_char", "encode_empty", "encode_gen_img",
    "encode_get_random_code", "encode_img2tz", "encode_index_page", "encode_load_char",
    "encode_match", "encode_packet", "encode_read_con_list", "encode_read_sys_para",
    "encode_reg_model", "encode_reply", "encode_search", "encode_set_adder", "encode_set_pwd",
    "encode_set_sys_para", "encode_store", "encode_system_parameters", "encode_templete_num",
    "encode_up_char", "encode_vfy_pwd", "parse_command", "parse_index_page",
    "parse_match_score", "parse_reply", "parse_search", "parse_system_parameters",
    "parse_template_count",
]

DEFAULT_PASSWORD = 0x00000000  # reference 1.1: factory handshake password
BAUD_UNIT = 9600  # reference 1.1: baud = 9600 x N, N = 1..12
DEFAULT_BAUDRATE = 57600  # reference 1.1: factory N = 6
TEMPLATE_SIZE = 512  # reference 1.6: a template (character file upload) is 512 bytes
CHAR_BUFFERS = (1, 2)  # reference 1.4: CharBuffer1 and CharBuffer2

#: Parameter bytes each instruction takes (reference 1.4; R503 AuraLedConfig: 4).
COMMAND_PARAM_SIZES: dict[int, int] = {
    Instruction.GEN_IMG: 0, Instruction.IMG2TZ: 1, Instruction.MATCH: 0,
    Instruction.SEARCH: 5, Instruction.REG_MODEL: 0, Instruction.STORE: 3,
    Instruction.LOAD_CHAR: 3, Instruction.UP_CHAR: 1, Instruction.DOWN_CHAR: 1,
    Instruction.UP_IMAGE: 0, Instruction.DOWN_IMAGE: 0, Instruction.DELETE_CHAR: 4,
    Instruction.EMPTY: 0, Instruction.SET_SYS_PARA: 2, Instruction.READ_SYS_PARA: 0,
    Instruction.SET_PWD: 4, Instruction.VFY_PWD: 4, Instruction.GET_RANDOM_CODE: 0,
    Instruction.SET_ADDER: 4, Instruction.PORT_CONTROL: 1, Instruction.WRITE_NOTEPAD: 33,
    Instruction.READ_NOTEPAD: 1, Instruction.HIGH_SPEED_SEARCH: 5,
    Instruction.TEMPLETE_NUM: 0, Instruction.READ_CON_LIST: 1,
    Instruction.AURA_LED_CONFIG: 4, Instruction.SOFT_RESET: 0,
}
#: Result bytes after the confirmation code (reference 1.4 "Bytes" column minus 12); a
#: fixed-length reader expects them even when the confirmation is not OK.
REPLY_DATA_SIZES: dict[int, int] = {
    Instruction.MATCH: 2, Instruction.SEARCH: 4, Instruction.HIGH_SPEED_SEARCH: 4,
    Instruction.READ_SYS_PARA: 16, Instruction.GET_RANDOM_CODE: 4,
    Instruction.TEMPLETE_NUM: 2, Instruction.READ_CON_LIST: 32, Instruction.READ_NOTEPAD: 32,
}


@dataclass(frozen=True, slots=True)
class Command:
    """A decoded command packet: instruction code and raw parameter bytes."""

    instruction: int
    params: bytes


@dataclass(frozen=True, slots=True)
class Reply:
    """A decoded reply: confirmation code and the result bytes after it (hidden in repr)."""

    confirmation: int
    data: bytes = field(default=b"", repr=False)

    @property
    def ok(self) -> bool:
        return self.confirmation == Confirmation.OK


@dataclass(frozen=True, slots=True)
class SystemParameters:
    """The 16-byte ReadSysPara block (reference 1.4), big-endian words."""

    status_register: int = 0
    system_id: int = 0x0000
    library_size: int = 1000
    security_level: int = 3
    address: int = DEFAULT_ADDRESS
    packet_size_code: int = 2
    baud_multiplier: int = 6

    @property
    def packet_size(self) -> int:
        return PACKET_SIZES[self.packet_size_code]

    @property
    def baudrate(self) -> int:
        return BAUD_UNIT * self.baud_multiplier


def encode_command(instruction: Instruction, params: bytes = b"",
                   address: int = DEFAULT_ADDRESS) -> bytes:
    """A command packet; ``params`` must have the instruction's size (``COMMAND_PARAM_SIZES``)."""
    expected = COMMAND_PARAM_SIZES[Instruction(instruction)]
    if len(params) != expected:
        raise ValueError(f"{Instruction(instruction).name} takes {expected} parameter bytes, "
                         f"got {len(params)}")
    return encode_packet(PacketType.COMMAND, bytes([instruction]) + params, address)


def _buffer(buffer: int) -> bytes:
    if buffer not in CHAR_BUFFERS:
        raise ValueError(f"char buffer must be 1 or 2, got {buffer}")
    return bytes([buffer])


def _u16(name: str, value: int) -> bytes:
    if not 0 <= value <= 0xFFFF:
        raise ValueError(f"{name} must be 0..65535, got {value}")
    return value.to_bytes(2, "big")


def _u32(name: str, value: int) -> bytes:
    check_u32(name, value)
    return value.to_bytes(4, "big")


# ------------------------------------------------------------------ command builders


def encode_vfy_pwd(password: int = DEFAULT_PASSWORD, address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.VFY_PWD, _u32("password", password), address)


def encode_set_pwd(password: int, address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.SET_PWD, _u32("password", password), address)


def encode_set_adder(new_address: int, address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.SET_ADDER, _u32("new address", new_address), address)


def encode_read_sys_para(address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.READ_SYS_PARA, b"", address)


def encode_set_sys_para(parameter: SystemParameter, value: int,
                        address: int = DEFAULT_ADDRESS) -> bytes:
    if not 0 <= value <= 0xFF:
        raise ValueError(f"parameter value must be one byte, got {value}")
    return encode_command(Instruction.SET_SYS_PARA,
                          bytes([SystemParameter(parameter), value]), address)


def encode_templete_num(address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.TEMPLETE_NUM, b"", address)


def encode_read_con_list(page: int, address: int = DEFAULT_ADDRESS) -> bytes:
    if not 0 <= page <= 3:
        raise ValueError(f"index page must be 0..3, got {page}")
    return encode_command(Instruction.READ_CON_LIST, bytes([page]), address)


def encode_gen_img(address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.GEN_IMG, b"", address)


def encode_img2tz(buffer: int = 1, address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.IMG2TZ, _buffer(buffer), address)


def encode_up_char(buffer: int = 1, address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.UP_CHAR, _buffer(buffer), address)


def encode_down_char(buffer: int = 1, address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.DOWN_CHAR, _buffer(buffer), address)


def encode_match(address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.MATCH, b"", address)


def encode_search(buffer: int, start: int, count: int, address: int = DEFAULT_ADDRESS) -> bytes:
    params = _buffer(buffer) + _u16("start page", start) + _u16("page count", count)
    return encode_command(Instruction.SEARCH, params, address)


def encode_reg_model(address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.REG_MODEL, b"", address)


def encode_store(buffer: int, page: int, address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.STORE, _buffer(buffer) + _u16("page", page), address)


def encode_load_char(buffer: int, page: int, address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.LOAD_CHAR, _buffer(buffer) + _u16("page", page), address)


def encode_delete_char(page: int, count: int = 1, address: int = DEFAULT_ADDRESS) -> bytes:
    params = _u16("page", page) + _u16("page count", count)
    return encode_command(Instruction.DELETE_CHAR, params, address)


def encode_empty(address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.EMPTY, b"", address)


def encode_get_random_code(address: int = DEFAULT_ADDRESS) -> bytes:
    return encode_command(Instruction.GET_RANDOM_CODE, b"", address)


def encode_aura(mode: AuraMode, colour: AuraColour, speed: int = 0x80, count: int = 0,
                address: int = DEFAULT_ADDRESS) -> bytes:
    """R503 AuraLedConfig: control code, speed, colour index, cycle count (0 = endless)."""
    if not (0 <= speed <= 0xFF and 0 <= count <= 0xFF):
        raise ValueError("aura speed and count must be one byte each")
    params = bytes([AuraMode(mode), speed, AuraColour(colour), count])
    return encode_command(Instruction.AURA_LED_CONFIG, params, address)


# -------------------------------------------------------------------- replies and data


def encode_reply(instruction: int, confirmation: int, data: bytes = b"",
                 address: int = DEFAULT_ADDRESS) -> bytes:
    """A reply packet; a failed reply is zero-padded to the instruction's fixed length."""
    if not 0 <= confirmation <= 0xFF:
        raise ValueError(f"confirmation must be one byte, got {confirmation}")
    size = REPLY_DATA_SIZES.get(instruction, 0)
    if confirmation != Confirmation.OK and not data:
        data = bytes(size)
    return encode_packet(PacketType.ACK, bytes([confirmation]) + data, address)


def encode_system_parameters(params: SystemParameters) -> bytes:
    """The 16-byte ReadSysPara result block."""
    if params.packet_size_code not in range(len(PACKET_SIZES)):
        raise ValueError("packet size code must be 0..3")
    return (_u16("status register", params.status_register) + _u16("system id", params.system_id)
            + _u16("library size", params.library_size)
            + _u16("security level", params.security_level) + _u32("address", params.address)
            + _u16("packet size code", params.packet_size_code)
            + _u16("baud multiplier", params.baud_multiplier))


def parse_command(packet: Packet) -> Command:
    """A command packet's instruction and parameters."""
    if packet.pid != PacketType.COMMAND:
        raise protocol_error(f"expected a command packet, got PID {packet.pid:#04x}")
    return Command(packet.payload[0], packet.payload[1:])


def parse_reply(packet: Packet) -> Reply:
    """A reply packet's confirmation code and result bytes."""
    if packet.pid != PacketType.ACK:
        raise protocol_error(f"expected a reply packet, got PID {packet.pid:#04x}")
    return Reply(packet.payload[0], packet.payload[1:])


def _result(reply: Reply, instruction: Instruction) -> bytes:
    size = REPLY_DATA_SIZES[instruction]
    if len(reply.data) != size:
        raise protocol_error(f"{instruction.name} reply carries {len(reply.data)} result bytes, "
                     f"expected {size}")
    return reply.data


def parse_system_parameters(reply: Reply) -> SystemParameters:
    data = _result(reply, Instruction.READ_SYS_PARA)
    words = [int.from_bytes(data[i:i + 2], "big") for i in range(0, 16, 2)]
    params = SystemParameters(
        status_register=words[0], system_id=words[1], library_size=words[2],
        security_level=words[3], address=int.from_bytes(data[8:12], "big"),
        packet_size_code=words[6], baud_multiplier=words[7])
    if params.packet_size_code not in range(len(PACKET_SIZES)):
        raise protocol_error(f"packet size code {params.packet_size_code} is not 0..3")
    if not 1 <= params.baud_multiplier <= 12:
        raise protocol_error(f"baud multiplier {params.baud_multiplier} is not 1..12")
    return params


def parse_template_count(reply: Reply) -> int:
    return int.from_bytes(_result(reply, Instruction.TEMPLETE_NUM), "big")


def parse_match_score(reply: Reply) -> int:
    return int.from_bytes(_result(reply, Instruction.MATCH), "big")


def parse_search(reply: Reply) -> tuple[int, int]:
    """(page, score) of a Search reply."""
    data = _result(reply, Instruction.SEARCH)
    return int.from_bytes(data[:2], "big"), int.from_bytes(data[2:], "big")


def parse_index_page(reply: Reply) -> list[bool]:
    """ReadConList: 256 slots, bit ``n % 8`` of byte ``n // 8`` set if slot n is used."""
    data = _result(reply, Instruction.READ_CON_LIST)
    return [bool(data[slot // 8] >> (slot % 8) & 1) for slot in range(len(data) * 8)]


def encode_index_page(used: set[int], page: int) -> bytes:
    """The 32-byte ReadConList bitmap of library ``page`` (slots page*256 .. +255)."""
    bitmap = bytearray(32)
    for slot in used:
        offset = slot - page * 256
        if 0 <= offset < 256:
            bitmap[offset // 8] |= 1 << (offset % 8)
    return bytes(bitmap)
