"""Binder codec against the byte vectors written by hand in docs/protocols/binder.md §6, round
trips of every message, and a fuzz run of the parsers (only ProtocolError)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.devices.binder.codec import (
    ActionDone,
    Activity,
    Bind,
    BindDone,
    BinderCmd,
    BinderCode,
    BinderFlag,
    BinderStatus,
    ExitState,
    MediaRetracted,
    MediaTaken,
    Present,
    PresentDone,
    RetractReason,
    parse_event,
    parse_request,
    parse_status,
)
from kiosk.devices.framing import Frame, FrameDecoder, encode_frame
from kiosk.devices.framing_messages import encode_message, encode_response, parse_reply
from kiosk.errors import ProtocolError

u32 = st.integers(0, 0xFFFF_FFFF)
u16 = st.integers(0, 0xFFFF)


def wire(text: str) -> bytes:
    return bytes.fromhex(text)


def decode_one(data: bytes) -> Frame:
    decoder = FrameDecoder()
    decoder.feed(data)
    frame = decoder.next_message()
    assert frame is not None
    return frame


@pytest.mark.parametrize(("seq", "message", "text"), [
    (3, Bind(3, 42), "02 05 10 23 30 10 23 00 00 00 2A E5 74 03"),
    (4, Present(42, 60), "02 05 04 31 00 00 00 2A 3C CC 98 03"),
])
def test_request_vectors(seq: int, message: object, text: str) -> None:
    assert encode_message(seq, message) == wire(text)  # type: ignore[arg-type]
    assert parse_request(decode_one(wire(text))) == message


@pytest.mark.parametrize(("seq", "event", "text"), [
    (1, BindDone(42, BinderCode.OK, 845, 910, 2),
     "02 0A 01 E8 00 00 00 2A 00 10 23 4D 10 23 8E 10 22 0A 9B 03"),
    (2, PresentDone(42, BinderCode.OK), "02 05 10 22 E9 00 00 00 2A 00 33 94 03"),
    (3, MediaTaken(42, 2000), "02 08 10 23 EA 00 00 00 2A 00 00 07 D0 73 B1 03"),
    (3, MediaRetracted(42, RetractReason.TAKE_TIMEOUT),
     "02 05 10 23 EB 00 00 00 2A 01 10 30 94 03"),
])
def test_event_vectors(seq: int, event: object, text: str) -> None:
    assert encode_message(seq, event) == wire(text)  # type: ignore[arg-type]
    assert parse_event(decode_one(wire(text))) == event


def test_response_vectors() -> None:
    assert encode_response(3, BinderCmd.BIND, BinderCode.OK) == wire("02 01 10 23 B0 00 B5 29 03")
    reply = parse_reply(decode_one(wire("02 01 10 23 B0 12 87 5A 03")))
    assert (reply.seq, reply.code) == (3, BinderCode.STAPLES_OUT)


def test_status_block_of_a_new_binder() -> None:
    text = ("02 3F 01 A1 00 00 00 00 00 00 00 00 00 13 88 00 00 00 32 00 00 00 00 00 01 86 A0"
            + " 00" * 40 + " 33 35 03")
    reply = parse_reply(decode_one(wire(text)))
    status = parse_status(reply.body)
    assert status == BinderStatus(staples_left=5000, retract_bin_capacity=50,
                                  unit_rated_cycles=100_000)
    assert encode_response(1, 0x21, 0, status.payload()) == wire(text)


def test_status_flags_and_trailing_bytes() -> None:
    block = BinderStatus(flags=BinderFlag.PAPER_JAM | BinderFlag.COVER_OPEN,
                         activity=Activity.BINDING, exit_state=ExitState.PRESENTED).payload()
    assert block[:2] == bytes.fromhex("00 42")
    future = bytearray(block)
    future[0] |= 0x80  # a bit of a later protocol version
    parsed = parse_status(bytes(future) + b"extra")
    assert parsed.flags == BinderFlag.PAPER_JAM | BinderFlag.COVER_OPEN


@pytest.mark.parametrize(("cmd", "data", "message"), [
    (0xE8, b"\x00\x00\x00\x2a\x00", "need 10"),
    (0xE9, b"\x00\x00\x00\x2a\x99", "not a valid BinderCode"),
    (0xEB, b"\x00\x00\x00\x2a\x07", "not a valid RetractReason"),
    (0xEC, b"\x30\x00", "expected CLEAR_JAM or RESET"),
    (0xEF, b"", "unknown event 0xEF"),
])
def test_bad_events_are_protocol_errors(cmd: int, data: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse_event(Frame(1, cmd, data))


def test_bad_status_activity() -> None:
    block = bytearray(BinderStatus().payload())
    block[2] = 9
    with pytest.raises(ProtocolError, match="Activity"):
        parse_status(bytes(block))


events = st.one_of(
    st.builds(BindDone, u32, st.sampled_from(BinderCode), u16, u16, st.integers(0, 255)),
    st.builds(PresentDone, u32, st.sampled_from(BinderCode)),
    st.builds(MediaTaken, u32, u32),
    st.builds(MediaRetracted, u32, st.sampled_from(RetractReason)),
    st.builds(ActionDone, st.sampled_from([BinderCmd.CLEAR_JAM, BinderCmd.RESET]),
              st.sampled_from(BinderCode)),
    st.builds(BinderStatus, st.integers(0, (1 << 13) - 1), st.sampled_from(Activity),
              st.sampled_from(ExitState), u32, u16, u16, u16, u32, u32, u16, u16,
              *[u32] * 9),
)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 255), events)
def test_event_round_trip(seq: int, event: object) -> None:
    frame = decode_one(encode_message(seq, event))  # type: ignore[arg-type]
    assert frame.seq == seq
    assert parse_event(frame) == event


@settings(max_examples=600, deadline=None)
@given(st.integers(0x20, 0xFE), st.binary(max_size=80))
def test_fuzz_parsers_raise_only_protocol_errors(cmd: int, data: bytes) -> None:
    frame = decode_one(encode_frame(1, cmd, data))
    for parse in (parse_event, parse_request, lambda f: parse_status(f.data)):
        try:
            parse(frame)
        except ProtocolError:
            pass
