"""The frame codec against the byte vectors written by hand in docs/protocols/framing.md §10,
and the decoder's rules of §2.3 (noise, aborted frames, bad escape, LEN, CRC, overflow)."""

from __future__ import annotations

import pytest

from kiosk.devices.codec_api import MAX_BUFFERED_BYTES
from kiosk.devices.framing import (
    FAULT_CRC,
    FAULT_FRAMING,
    FAULT_LENGTH,
    FAULT_NOISE,
    MAX_DATA,
    DuplicateFilter,
    Frame,
    FrameDecoder,
    NakReason,
    SequenceCounter,
    crc16,
    encode_ack,
    encode_frame,
    encode_nak,
    is_event,
    is_request,
    is_response,
    response_cmd,
    stuff,
    unstuff,
)
from kiosk.devices.framing_messages import (
    Booted,
    DeviceKind,
    Hello,
    HelloReply,
    PayloadReader,
    ResetCause,
    pack_text,
    parse_reply,
)
from kiosk.errors import ProtocolError

# (SEQ, CMD, DATA, wire bytes) copied from framing.md §10.
VECTORS = [
    (0, 0x20, b"\x01", "02 01 00 20 01 E4 B3 03"),
    (0, 0xA0, bytes.fromhex("00 01 01") + b"\x07sim-1.0" + b"\x08BND00001",
     "02 14 00 A0 00 01 01 07 73 69 6D 2D 31 2E 30 08 42 4E 44 30 30 30 30 31 8C 01 03"),
    (1, 0x21, b"", "02 00 01 21 CB EE 03"),
    (53, 0x21, b"", "02 00 35 21 10 22 BF 03"),
    (5, 0x06, b"", "02 00 05 06 53 AF 03"),
    (41, 0x06, b"", "02 00 29 06 10 30 24 03"),
    (0, 0x15, b"\x01", "02 01 00 15 01 1E D3 03"),
    (2, 0x23, b"\x10\x02", "02 10 22 10 22 23 10 30 10 22 44 40 03"),
]


def decode_all(data: bytes) -> tuple[list[Frame], list[ProtocolError]]:
    decoder = FrameDecoder()
    decoder.feed(data)
    frames: list[Frame] = []
    errors: list[ProtocolError] = []
    while True:
        try:
            frame = decoder.next_message()
        except ProtocolError as exc:
            errors.append(exc)
            continue
        if frame is None:
            return frames, errors
        frames.append(frame)


def test_crc_is_ccitt_false_with_its_check_value() -> None:
    assert crc16(b"123456789") == 0x29B1


@pytest.mark.parametrize(("seq", "cmd", "data", "wire"), VECTORS)
def test_worked_frames_encode_and_decode(seq: int, cmd: int, data: bytes, wire: str) -> None:
    expected = bytes.fromhex(wire)
    assert encode_frame(seq, cmd, data) == expected
    assert decode_all(expected) == ([Frame(seq, cmd, data)], [])


def test_ack_and_nak_helpers_match_the_document() -> None:
    assert encode_ack(5) == bytes.fromhex("02 00 05 06 53 AF 03")
    assert encode_nak(NakReason.CRC) == bytes.fromhex("02 01 00 15 01 1E D3 03")


def test_stuffing_table() -> None:
    assert stuff(bytes([0x02, 0x03, 0x10, 0x41])) == bytes.fromhex("10 22 10 23 10 30 41")
    assert unstuff(bytes.fromhex("10 22 10 23 10 30 41")) == bytes([0x02, 0x03, 0x10, 0x41])
    assert stuff(bytes.fromhex("10 30")) == bytes.fromhex("10 30 30")


@pytest.mark.parametrize("raw", ["10", "10 41", "41 10 10 30", "10 02"])
def test_bad_escape_is_a_framing_error(raw: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        unstuff(bytes.fromhex(raw))
    assert caught.value.fault == FAULT_FRAMING


def test_every_split_point_gives_the_same_frame() -> None:
    wire = bytes.fromhex(VECTORS[-1][3])
    for cut in range(len(wire) + 1):
        decoder = FrameDecoder()
        decoder.feed(wire[:cut])
        first = decoder.next_message() if cut < len(wire) else None
        decoder.feed(wire[cut:])
        second = decoder.next_message()
        assert [frame for frame in (first, second) if frame] == [Frame(2, 0x23, b"\x10\x02")]


def test_noise_before_a_frame_is_skipped_with_one_error() -> None:
    frames, errors = decode_all(bytes.fromhex("FF 00 41 03") + bytes.fromhex(VECTORS[2][3]))
    assert frames == [Frame(1, 0x21, b"")]
    assert [error.fault for error in errors] == [FAULT_NOISE]
    assert "4 byte(s)" in str(errors[0])


def test_stx_inside_a_frame_aborts_it_and_the_next_frame_survives() -> None:
    truncated = bytes.fromhex("02 05 10 23 30")  # a BIND cut off after CMD
    frames, errors = decode_all(truncated + bytes.fromhex(VECTORS[2][3]))
    assert frames == [Frame(1, 0x21, b"")]
    assert [error.fault for error in errors] == [FAULT_FRAMING]


def test_bad_crc_is_rejected_and_decoding_goes_on() -> None:
    corrupted = bytearray.fromhex(VECTORS[2][3])
    corrupted[-2] ^= 0x01
    frames, errors = decode_all(bytes(corrupted) + bytes.fromhex(VECTORS[4][3]))
    assert frames == [Frame(5, 0x06, b"")]
    assert [error.fault for error in errors] == [FAULT_CRC]


@pytest.mark.parametrize("body", [
    "01 01 21 CB EE",  # LEN 1 but no data byte
    "00 01 21 00 CB EE",  # one data byte, LEN 0
    "00 01 21",  # shorter than five bytes
    "F1" + " 00" * 246,  # LEN 241 > 240
])
def test_length_errors(body: str) -> None:
    raw = bytes.fromhex(body)
    frames, errors = decode_all(b"\x02" + stuff(raw) + b"\x03")
    assert frames == []
    assert [error.fault for error in errors] == [FAULT_LENGTH]


def test_an_endless_frame_overflows_and_decoding_resumes() -> None:
    frames, errors = decode_all(b"\x02" + b"\x41" * 600 + bytes.fromhex(VECTORS[2][3]))
    assert frames == [Frame(1, 0x21, b"")]
    assert [error.fault for error in errors] == [FAULT_FRAMING]


def test_partial_frame_waits_for_more_bytes() -> None:
    decoder = FrameDecoder()
    decoder.feed(bytes.fromhex("02 00 01 21 CB"))
    assert decoder.next_message() is None
    decoder.feed(bytes.fromhex("EE 03"))
    assert decoder.next_message() == Frame(1, 0x21, b"")
    assert decoder.next_message() is None


def test_largest_frame_fully_stuffed_fits_492_bytes() -> None:
    wire = encode_frame(0x02, 0x23, b"\x03" * MAX_DATA)
    assert len(wire) <= 492
    assert decode_all(wire) == ([Frame(0x02, 0x23, b"\x03" * MAX_DATA)], [])


@pytest.mark.parametrize(("seq", "cmd", "data"), [(256, 0x20, b""), (0, -1, b""),
                                                  (0, 0x20, b"x" * 241)])
def test_encode_rejects_out_of_range_values(seq: int, cmd: int, data: bytes) -> None:
    with pytest.raises(ValueError):
        encode_frame(seq, cmd, data)


def test_message_classes_by_cmd() -> None:
    assert is_request(0x20) and is_request(0x5F) and not is_request(0x60)
    assert is_response(0xA0) and is_response(0xDF) and not is_response(0xE0)
    assert is_event(0xE0) and is_event(0xFE) and not is_event(0xFF)
    assert response_cmd(0x30) == 0xB0


def test_sequence_counter_skips_zero_on_wrap() -> None:
    counter = SequenceCounter()
    numbers = [counter.next() for _ in range(257)]
    assert numbers[:2] == [1, 2]
    assert numbers[254:257] == [255, 1, 2]
    counter.reset()
    assert counter.next() == 1


def test_duplicate_filter_rules() -> None:
    duplicates = DuplicateFilter()
    event = Frame(7, 0xE8, b"5")
    assert not duplicates.is_duplicate(event)
    assert duplicates.is_duplicate(event)
    assert not duplicates.is_duplicate(Frame(7, 0xE8, b"6"))  # same SEQ, new content
    booted = Frame(0, 0xE0, b"\x01")
    assert not duplicates.is_duplicate(booted)
    assert not duplicates.is_duplicate(booted)  # SEQ 0 is never a duplicate
    assert not duplicates.is_duplicate(Frame(7, 0xE8, b"6"))  # memory was reset by SEQ 0


def test_hello_reply_from_the_worked_example() -> None:
    frames, _ = decode_all(bytes.fromhex(VECTORS[1][3]))
    reply = parse_reply(frames[0])
    assert reply.code == 0
    assert HelloReply.from_payload(reply.body) == HelloReply(1, DeviceKind.BINDER, "sim-1.0",
                                                             "BND00001")
    assert Hello().payload() == b"\x01"
    assert Booted.from_payload(b"\x02").cause is ResetCause.WATCHDOG


def test_payload_reader_errors_name_the_field_not_the_content() -> None:
    with pytest.raises(ProtocolError, match="serial is truncated"):
        PayloadReader(b"\x05ab", "test", "hello").text("serial", 32)
    with pytest.raises(ProtocolError, match="not printable") as caught:
        PayloadReader(b"\x02\x00\x7f", "test", "hello").text("secret", 32)
    assert "\\x7f" not in str(caught.value)
    with pytest.raises(ValueError):
        pack_text("한글", 32)
    with pytest.raises(ValueError):
        pack_text("x" * 33, 32)


def test_unread_input_beyond_the_bound_is_dropped_and_reported() -> None:
    decoder = FrameDecoder()
    decoder.feed(b"\x41" * (MAX_BUFFERED_BYTES + 10) + bytes.fromhex(VECTORS[2][3]))
    with pytest.raises(ProtocolError, match="dropped 17 byte"):
        decoder.next_message()
    frames, errors = [], []
    while True:
        try:
            frame = decoder.next_message()
        except ProtocolError as exc:
            errors.append(exc.fault)
            continue
        if frame is None:
            break
        frames.append(frame)
    assert frames == [Frame(1, 0x21, b"")]
    assert errors == [FAULT_NOISE]
