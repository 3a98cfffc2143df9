"""The fingerprint codec against the worked frames of reference/devices.md 1.3 and the rules of
the packet layout (1.2): header, address, PID, length = payload + 2, 16-bit sum."""

from __future__ import annotations

import pytest

from kiosk.devices.codec_api import drain
from kiosk.devices.fingerprint import codec
from kiosk.devices.fingerprint.codec import (
    DataAssembler,
    Packet,
    PacketDecoder,
    Reply,
    SystemParameters,
)
from kiosk.devices.fingerprint.codes import (
    AuraColour,
    AuraMode,
    Confirmation,
    Instruction,
    PacketType,
    SystemParameter,
)
from kiosk.errors import ProtocolError


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(text)


# reference/devices.md 1.3, verbatim
WORKED_FRAMES = [
    ("VfyPwd(0)", lambda: codec.encode_vfy_pwd(0),
     "EF 01 FF FF FF FF 01 00 07 13 00 00 00 00 00 1B"),
    ("GenImg", codec.encode_gen_img, "EF 01 FF FF FF FF 01 00 03 01 00 05"),
    ("Img2Tz(buffer 1)", lambda: codec.encode_img2tz(1),
     "EF 01 FF FF FF FF 01 00 04 02 01 00 08"),
    ("RegModel", codec.encode_reg_model, "EF 01 FF FF FF FF 01 00 03 05 00 09"),
    ("Store(buf 1, #0)", lambda: codec.encode_store(1, 0),
     "EF 01 FF FF FF FF 01 00 06 06 01 00 00 00 0E"),
    ("Search(1, 0, 1000)", lambda: codec.encode_search(1, 0, 1000),
     "EF 01 FF FF FF FF 01 00 08 04 01 00 00 03 E8 00 F9"),
    ("TempleteNum", codec.encode_templete_num, "EF 01 FF FF FF FF 01 00 03 1D 00 21"),
    ("ReadSysPara", codec.encode_read_sys_para, "EF 01 FF FF FF FF 01 00 03 0F 00 13"),
    ("reply: OK", lambda: codec.encode_reply(Instruction.GEN_IMG, Confirmation.OK),
     "EF 01 FF FF FF FF 07 00 03 00 00 0A"),
    ("reply: no finger", lambda: codec.encode_reply(Instruction.GEN_IMG, Confirmation.NO_FINGER),
     "EF 01 FF FF FF FF 07 00 03 02 00 0C"),
]

FRAME_NAMES = [frame[0] for frame in WORKED_FRAMES]


@pytest.mark.parametrize(("name", "build", "wire"), WORKED_FRAMES, ids=FRAME_NAMES)
def test_worked_frames_encode_byte_for_byte(name: str, build, wire: str) -> None:
    assert build() == hexbytes(wire), name


@pytest.mark.parametrize(("name", "build", "wire"), WORKED_FRAMES, ids=FRAME_NAMES)
def test_worked_frames_decode(name: str, build, wire: str) -> None:
    del build
    frame = hexbytes(wire)
    decoder = PacketDecoder()
    decoder.feed(frame)
    packet = decoder.next_message()
    assert packet is not None, name
    assert packet.address == 0xFFFFFFFF
    assert packet.pid == frame[6]
    assert packet.payload == frame[9:-2]
    assert decoder.next_message() is None


def test_datasheet_defaults() -> None:
    assert codec.DEFAULT_ADDRESS == 0xFFFFFFFF
    assert codec.DEFAULT_PASSWORD == 0
    assert codec.DEFAULT_BAUDRATE == 57600 == SystemParameters().baudrate
    assert SystemParameters().packet_size == 128


def test_every_instruction_has_a_parameter_size() -> None:
    assert set(codec.COMMAND_PARAM_SIZES) == set(Instruction)
    assert set(codec.REPLY_DATA_SIZES) <= set(Instruction)


def test_other_command_frames() -> None:
    assert codec.encode_up_char(2) == hexbytes("EF01 FFFFFFFF 01 0004 08 02 000F")
    assert codec.encode_down_char(1) == hexbytes("EF01 FFFFFFFF 01 0004 09 01 000F")
    assert codec.encode_match() == hexbytes("EF01 FFFFFFFF 01 0003 03 0007")
    assert codec.encode_empty() == hexbytes("EF01 FFFFFFFF 01 0003 0D 0011")
    assert codec.encode_load_char(2, 0x0102) == hexbytes("EF01 FFFFFFFF 01 0006 07 02 0102 0013")
    assert codec.encode_delete_char(5, 2) == hexbytes("EF01 FFFFFFFF 01 0007 0C 0005 0002 001B")
    assert codec.encode_read_con_list(1) == hexbytes("EF01 FFFFFFFF 01 0004 1F 01 0025")
    assert codec.encode_get_random_code() == hexbytes("EF01 FFFFFFFF 01 0003 14 0018")
    assert codec.encode_set_sys_para(SystemParameter.SECURITY_LEVEL, 4) == hexbytes(
        "EF01 FFFFFFFF 01 0005 0E 05 04 001D")
    assert codec.encode_set_pwd(0x01020304) == hexbytes("EF01 FFFFFFFF 01 0007 12 01020304 0024")
    assert codec.encode_set_adder(0xA0B0C0D0) == hexbytes(
        "EF01 FFFFFFFF 01 0007 15 A0B0C0D0 02FD")
    # Adafruit's set_led: [0x35, mode, speed, colour, cycles]
    assert codec.encode_aura(AuraMode.BREATHING, AuraColour.BLUE, 0x80, 0) == hexbytes(
        "EF01 FFFFFFFF 01 0007 35 01 80 02 00 00C0")


def test_address_is_big_endian_and_not_in_the_checksum() -> None:
    frame = codec.encode_gen_img(address=0x12345678)
    assert frame == hexbytes("EF01 12345678 01 0003 01 0005")


def test_checksum_is_kept_to_16_bits() -> None:
    payload = b"\xff" * 256
    frame = codec.encode_packet(PacketType.DATA, payload)
    assert frame[-2:] == ((0x02 + 0x01 + 0x02 + 0xFF * 256) & 0xFFFF).to_bytes(2, "big")
    assert frame[7:9] == (258).to_bytes(2, "big")


def test_failed_replies_keep_their_fixed_length() -> None:
    # reference 1.4 "Bytes": Search 16, Match 14, ReadSysPara 28, TempleteNum 14
    assert len(codec.encode_reply(Instruction.SEARCH, Confirmation.NOT_FOUND)) == 16
    assert len(codec.encode_reply(Instruction.MATCH, Confirmation.NO_MATCH)) == 14
    failed = codec.encode_reply(Instruction.READ_SYS_PARA, Confirmation.PACKET_RECEIVE_ERROR)
    assert len(failed) == 28
    assert len(codec.encode_reply(Instruction.TEMPLETE_NUM, Confirmation.OK, b"\x00\x07")) == 14
    assert len(codec.encode_reply(Instruction.GEN_IMG, Confirmation.NO_FINGER)) == 12


def test_system_parameters_round_trip_and_layout() -> None:
    params = SystemParameters(status_register=0x000C, system_id=0x0009, library_size=162,
                              security_level=5, address=0xCAFEBABE, packet_size_code=3,
                              baud_multiplier=12)
    block = codec.encode_system_parameters(params)
    assert block == hexbytes("000C 0009 00A2 0005 CAFEBABE 0003 000C")
    parsed = codec.parse_system_parameters(Reply(0, block))
    assert parsed == params
    assert (parsed.packet_size, parsed.baudrate) == (256, 115200)


@pytest.mark.parametrize("block", [
    "0000 0000 03E8 0003 FFFFFFFF 0004 0006",  # packet size code 4
    "0000 0000 03E8 0003 FFFFFFFF 0002 000D",  # baud multiplier 13
    "0000 0000 03E8 0003 FFFFFFFF 0002",  # too short
])
def test_bad_system_parameters_are_protocol_errors(block: str) -> None:
    with pytest.raises(ProtocolError):
        codec.parse_system_parameters(Reply(0, hexbytes(block)))


def test_result_parsers() -> None:
    assert codec.parse_template_count(Reply(0, b"\x01\x02")) == 258
    assert codec.parse_match_score(Reply(0, b"\x00\xc8")) == 200
    assert codec.parse_search(Reply(0, b"\x00\x05\x00\x64")) == (5, 100)
    with pytest.raises(ProtocolError, match="TEMPLETE_NUM reply carries 3 result bytes"):
        codec.parse_template_count(Reply(0, b"\x00\x00\x00"))


def test_index_page_bits_follow_pyfingerprint_order() -> None:
    bitmap = codec.encode_index_page({0, 9, 255, 256, 300}, page=0)
    assert bitmap[0] == 0b1 and bitmap[1] == 0b10 and bitmap[31] == 0x80
    slots = codec.parse_index_page(Reply(0, bitmap))
    assert [i for i, used in enumerate(slots) if used] == [0, 9, 255]
    page1 = codec.parse_index_page(Reply(0, codec.encode_index_page({256, 300}, page=1)))
    assert [i for i, used in enumerate(page1) if used] == [0, 44]


def test_parse_command_and_reply_check_the_packet_type() -> None:
    command = codec.parse_command(Packet(PacketType.COMMAND, b"\x02\x01"))
    assert (command.instruction, command.params) == (Instruction.IMG2TZ, b"\x01")
    reply = codec.parse_reply(Packet(PacketType.ACK, b"\x00\x00\x05"))
    assert reply.ok and reply.data == b"\x00\x05"
    with pytest.raises(ProtocolError, match="expected a reply"):
        codec.parse_reply(Packet(PacketType.COMMAND, b"\x01"))
    with pytest.raises(ProtocolError, match="expected a command"):
        codec.parse_command(Packet(PacketType.DATA, b"\x01"))


def test_data_packets_split_and_reassemble() -> None:
    template = bytes(range(256)) * 2
    wire = codec.encode_data_packets(template, 128)
    decoder = PacketDecoder()
    decoder.feed(wire)
    packets = list(drain(decoder))
    assert [p.pid for p in packets] == [PacketType.DATA] * 3 + [PacketType.END_DATA]
    assembler = DataAssembler()
    results = [assembler.add(packet) for packet in packets]
    assert results[:3] == [None, None, None]
    assert results[3] == template
    with pytest.raises(ProtocolError, match="after the end"):
        assembler.add(packets[0])


def test_data_assembler_refuses_other_packets_and_overlong_transfers() -> None:
    with pytest.raises(ProtocolError, match="expected a data packet"):
        DataAssembler().add(Packet(PacketType.ACK, b"\x00"))
    assembler = DataAssembler(limit=200)
    assembler.add(Packet(PacketType.DATA, bytes(128)))
    with pytest.raises(ProtocolError, match="longer than 200"):
        assembler.add(Packet(PacketType.DATA, bytes(128)))


def test_packet_repr_never_shows_the_payload() -> None:
    secret = bytes([0xAB]) * 64
    text = repr(Packet(PacketType.DATA, secret)) + repr(Reply(0, secret))
    assert "ab" not in text.lower().replace("address", "")
    assert "\\xab" not in text


@pytest.mark.parametrize(("call", "message"), [
    (lambda: codec.encode_img2tz(3), "char buffer must be 1 or 2"),
    (lambda: codec.encode_store(1, 70000), "page must be 0..65535"),
    (lambda: codec.encode_vfy_pwd(-1), "password must be a 32-bit"),
    (lambda: codec.encode_gen_img(address=1 << 32), "address must be a 32-bit"),
    (lambda: codec.encode_read_con_list(4), "index page must be 0..3"),
    (lambda: codec.encode_command(Instruction.IMG2TZ), "IMG2TZ takes 1 parameter bytes"),
    (lambda: codec.encode_packet(PacketType.DATA, b""), "payload must be 1..256"),
    (lambda: codec.encode_packet(PacketType.DATA, bytes(257)), "payload must be 1..256"),
    (lambda: codec.encode_data_packets(b"x", 100), "packet size must be one of"),
    (lambda: codec.encode_aura(AuraMode.ON, AuraColour.RED, speed=256), "one byte"),
])
def test_encoders_reject_bad_arguments(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------- decoder errors


def decode_all(data: bytes, address: int | None = 0xFFFFFFFF) -> tuple[list[Packet], list[str]]:
    decoder = PacketDecoder(address)
    decoder.feed(data)
    errors: list[str] = []
    packets = list(drain(decoder,
                         lambda exc: errors.append(str(exc).removeprefix("fingerprint: "))))
    return packets, errors


GEN_IMG = codec.encode_gen_img()


def test_bad_checksum_is_rejected_and_the_next_packet_still_decodes() -> None:
    corrupt = GEN_IMG[:-1] + bytes([GEN_IMG[-1] ^ 0x01])
    packets, errors = decode_all(corrupt + GEN_IMG)
    assert errors[0] == "bad checksum"
    assert len(packets) == 1 and packets[0].payload == b"\x01"


def test_wrong_address_is_rejected_whole() -> None:
    other = codec.encode_gen_img(address=0x00000001)
    packets, errors = decode_all(other + GEN_IMG)
    assert errors == ["packet for address 0x00000001, expected 0xffffffff"]
    assert len(packets) == 1
    anything, none = decode_all(other, address=None)
    assert anything[0].address == 1 and none == []


@pytest.mark.parametrize(("length", "message"), [
    (0x0002, "impossible packet length 2"),
    (0x0103, "impossible packet length 259"),
    (0xFFFF, "impossible packet length 65535"),
])
def test_impossible_lengths_are_rejected_at_once(length: int, message: str) -> None:
    frame = hexbytes("EF01 FFFFFFFF 07") + length.to_bytes(2, "big")
    packets, errors = decode_all(frame + GEN_IMG)
    assert errors[0] == message
    assert len(packets) == 1


def test_unknown_packet_identifier_is_rejected() -> None:
    packets, errors = decode_all(hexbytes("EF01 FFFFFFFF 05 0003 00 0008") + GEN_IMG)
    assert errors[0] == "unknown packet identifier 0x05"
    assert len(packets) == 1


def test_garbage_before_a_packet_is_skipped_with_one_error() -> None:
    packets, errors = decode_all(b"\x55\x00\x13\xfe" + GEN_IMG)
    assert errors == ["skipped 4 byte(s) before a packet header"]
    assert len(packets) == 1


def test_a_false_header_in_garbage_does_not_swallow_the_real_packet() -> None:
    # a plausible false frame claiming 200 bytes, then the real reply, then more traffic
    false_header = hexbytes("EF01 FFFFFFFF 07 00C8")
    stream = false_header + GEN_IMG + bytes(200)
    packets, errors = decode_all(stream)
    assert "bad checksum" in errors
    assert [p.payload for p in packets] == [b"\x01"]


def test_a_trailing_header_byte_is_kept_for_the_next_chunk() -> None:
    decoder = PacketDecoder()
    decoder.feed(b"\x00\x00" + GEN_IMG[:1])
    with pytest.raises(ProtocolError, match="skipped 2 byte"):
        decoder.next_message()
    assert decoder.next_message() is None
    decoder.feed(GEN_IMG[1:])
    packet = decoder.next_message()
    assert packet is not None and packet.payload == b"\x01"


def test_partial_packets_wait_for_more_bytes() -> None:
    decoder = PacketDecoder()
    for byte in GEN_IMG[:-1]:
        decoder.feed(bytes([byte]))
        assert decoder.next_message() is None
    decoder.feed(GEN_IMG[-1:])
    assert decoder.next_message() is not None


def test_decoder_buffer_is_bounded() -> None:
    decoder = PacketDecoder()
    decoder.feed(b"\xef\x01\xff\xff\xff\xff\x07\x01\x02")  # waits for 258 more bytes
    decoder.feed(b"\x00" * (2 << 20))
    assert len(decoder._buffer) <= 1 << 20
