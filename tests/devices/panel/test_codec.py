"""Panel codec against the byte vectors written by hand in docs/protocols/panel.md §6, key
labels, round trips and a parser fuzz (only ProtocolError)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.devices.framing import Frame, FrameDecoder, encode_frame
from kiosk.devices.framing_messages import Ping, encode_message, encode_response, parse_reply
from kiosk.devices.panel.codec import (
    DoorChanged,
    HeadsetChanged,
    Key,
    KeyPressed,
    PanelFlag,
    PanelStatus,
    ServiceKeyChanged,
    ServiceKeyPosition,
    TamperChanged,
    parse_event,
    parse_request,
    parse_status,
)
from kiosk.errors import ProtocolError


def decode_one(data: bytes) -> Frame:
    decoder = FrameDecoder()
    decoder.feed(data)
    frame = decoder.next_message()
    assert frame is not None
    return frame


@pytest.mark.parametrize(("seq", "event", "text"), [
    (1, KeyPressed(Key.D5), "02 01 01 E8 35 3A A9 03"),
    (2, KeyPressed(Key.ENTER), "02 01 10 22 E8 0D D4 A2 03"),
    (3, KeyPressed(Key.CANCEL), "02 01 10 23 E8 18 A1 06 03"),
    (4, HeadsetChanged(True), "02 01 04 E9 01 94 BF 03"),
    (5, ServiceKeyChanged(ServiceKeyPosition.MAINTENANCE), "02 01 05 EA 01 F6 DC 03"),
    (6, DoorChanged(True), "02 01 06 EB 01 9C BD 03"),
    (7, TamperChanged(True), "02 01 07 EC 01 32 1A 03"),
])
def test_event_vectors(seq: int, event: object, text: str) -> None:
    assert encode_message(seq, event) == bytes.fromhex(text)  # type: ignore[arg-type]
    assert parse_event(decode_one(bytes.fromhex(text))) == event


def test_status_and_ping_vectors() -> None:
    text = ("02 17 09 A1 00 01 00 00 00 00 0C 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00"
            " 13 5A 03")
    status = parse_status(parse_reply(decode_one(bytes.fromhex(text))).body)
    assert status == PanelStatus(PanelFlag.HEADSET_PLUGGED, ServiceKeyPosition.RUN,
                                 key_presses=12, headset_plugs=1)
    assert encode_response(9, 0x21, 0, status.payload()) == bytes.fromhex(text)
    assert encode_message(10, Ping(b"hi")) == bytes.fromhex("02 10 22 0A 23 68 69 9D BE 03")
    assert parse_request(decode_one(bytes.fromhex("02 10 22 0A 23 68 69 9D BE 03"))) == Ping(b"hi")
    reply = parse_reply(decode_one(bytes.fromhex("02 10 23 0A A3 00 68 69 88 F8 03")))
    assert (reply.code, reply.body) == (0, b"hi")


def test_key_labels_cover_the_keypad() -> None:
    labels = [key.label for key in Key]
    assert labels == [*"0123456789", "*", "#", "enter", "cancel", "help", "vol_up", "vol_down"]
    assert all(Key.from_label(label).label == label for label in labels)
    with pytest.raises(ValueError, match="known: 0, 1"):
        Key.from_label("F1")


@pytest.mark.parametrize(("cmd", "data", "message"), [
    (0xE8, b"A", "not a valid Key"),
    (0xE9, b"\x02", "plugged must be 0 or 1"),
    (0xEA, b"\x03", "not a valid ServiceKeyPosition"),
    (0xEB, b"", "need 1"),
    (0xE1, b"", "unknown event 0xE1"),  # the panel never sends STATUS_CHANGED
])
def test_bad_events(cmd: int, data: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse_event(Frame(1, cmd, data))


events = st.one_of(
    st.builds(KeyPressed, st.sampled_from(Key)),
    st.builds(HeadsetChanged, st.booleans()),
    st.builds(ServiceKeyChanged, st.sampled_from(ServiceKeyPosition)),
    st.builds(DoorChanged, st.booleans()),
    st.builds(TamperChanged, st.booleans()),
)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 255), events)
def test_event_round_trip(seq: int, event: object) -> None:
    assert parse_event(decode_one(encode_message(seq, event))) == event  # type: ignore[arg-type]


@settings(max_examples=600, deadline=None)
@given(st.integers(0x20, 0xFE), st.binary(max_size=40))
def test_fuzz_parsers_raise_only_protocol_errors(cmd: int, data: bytes) -> None:
    frame = decode_one(encode_frame(1, cmd, data))
    for parse in (parse_event, parse_request, lambda f: parse_status(f.data)):
        try:
            parse(frame)
        except ProtocolError:
            pass
