"""The printer-side ESC/POS decoder: what python-escpos and our driver send, DLE EOT between
and inside commands, Korean cells never split, round trips over any split, fuzz."""

from __future__ import annotations

import pytest
from escpos.printer import Dummy
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.devices.codec_api import drain
from kiosk.devices.receipt.codec import EOT, SELECT_KOREA, UnprintableText, encode_text
from kiosk.devices.receipt.stream import (
    PREFIXES,
    Command,
    CommandDecoder,
    Message,
    Realtime,
    Text,
    render_text,
)
from kiosk.errors import ProtocolError


def decode(data: bytes, chunk: int | None = None) -> tuple[list[Message], int]:
    decoder = CommandDecoder()
    errors: list[ProtocolError] = []
    messages: list[Message] = []
    step = chunk or max(len(data), 1)
    for start in range(0, len(data), step):
        decoder.feed(data[start:start + step])
        messages += drain(decoder, errors.append)
    return messages, len(errors)


def merged(messages: list[Message]) -> list[Message]:
    """Join adjacent text pieces of the same mode (a split run decodes in pieces)."""
    out: list[Message] = []
    for message in messages:
        previous = out[-1] if out else None
        if (isinstance(message, Text) and isinstance(previous, Text)
                and previous.double_byte == message.double_byte):
            out[-1] = Text(previous.data + message.data, message.double_byte)
        else:
            out.append(message)
    return out


def test_python_escpos_output_decodes_completely() -> None:
    builder = Dummy()
    builder.hw("INIT")
    builder.set(align="center", bold=True, double_height=True)
    builder.text("Kiosk\n")
    builder.set_with_default()
    builder.barcode("4006381333931", "EAN13")
    builder.qr("hello")
    builder.cut()
    messages, errors = decode(builder.output)
    assert errors == 0
    names = [message.name for message in messages if isinstance(message, Command)]
    assert names[0] == "init" and names[-2:] == ["feed_lines", "cut"]
    assert {"align", "bold", "barcode", "raster"} <= set(names)
    assert Text(b"Kiosk\n") in messages


def test_realtime_requests_between_and_inside_commands() -> None:
    # Between commands, and splitting ESC d's parameter from its introducer (section 2.1:
    # the printer scans for DLE EOT in its receive buffer).
    data = b"\x1b@" + b"\x10\x04\x04" + b"\x1bd" + b"\x10\x04\x01" + b"\x03" + b"\x10\x05\x02"
    messages, errors = decode(data)
    assert errors == 0
    realtime = [message for message in messages if isinstance(message, Realtime)]
    assert realtime == [Realtime(EOT, 4), Realtime(EOT, 1), Realtime(0x05, 2)]
    assert Command("feed_lines", b"\x03") in messages


def test_realtime_request_is_answered_before_an_incomplete_command() -> None:
    decoder = CommandDecoder()
    decoder.feed(b"\x1dv0\x00\x01\x00\x02")  # raster header, waiting for more
    decoder.feed(b"\x00")
    decoder.feed(b"\x10\x04\x02")
    assert decoder.next_message() == Realtime(EOT, 2)
    assert decoder.next_message() is None
    decoder.feed(b"\xff\x0f")
    assert decoder.next_message() == Command("raster", b"\x00\x01\x00\x02\x00", b"\xff\x0f")


def test_trailing_dle_waits_for_the_next_byte() -> None:
    decoder = CommandDecoder()
    decoder.feed(b"\x10")
    assert decoder.next_message() is None
    decoder.feed(b"\x04")
    assert decoder.next_message() is None
    decoder.feed(b"\x03")
    assert decoder.next_message() == Realtime(EOT, 3)


@pytest.mark.parametrize(("data", "match"), [
    (b"\x10\x04\x09", "DLE EOT 9"),
    (b"\x1b\xee", "unknown command 1b ee"),
    (b"\x1dV\x07", "unknown cut mode"),
    (b"\x1dv0\x00\x00\x00\x01\x00", "out of range"),
    (b"\x1c&\x80\xa1", "cannot start a KS X 1001 cell"),
    (b"\x1c&\xb0\x41", "not a KS X 1001 cell"),
    (b"\x07", "unknown command 07"),
])
def test_bad_commands_raise_protocol_error_and_resynchronise(data: bytes, match: str) -> None:
    decoder = CommandDecoder()
    decoder.feed(data + b"\x1b@")
    with pytest.raises(ProtocolError, match=match):
        for _ in range(len(data) + 2):
            decoder.next_message()
    remaining = list(drain(decoder))
    assert remaining[-1] == Command("init")


def test_korean_cells_are_never_split() -> None:
    decoder = CommandDecoder()
    decoder.feed(b"\x1c&\xb0")
    assert decoder.next_message() == Command("korean_on")
    assert decoder.next_message() is None
    decoder.feed(b"\xa1\xb3")
    assert decoder.next_message() == Text(b"\xb0\xa1", double_byte=True)
    decoder.feed(b"\xaa\x1c.")
    assert decoder.next_message() == Text(b"\xb3\xaa", double_byte=True)
    assert decoder.next_message() == Command("korean_off")
    assert not decoder.double_byte


def test_korean_receipt_renders_back_to_the_same_text() -> None:
    line = "문서: 주민등록표 등본 ₩200 (2매)\n"
    messages, errors = decode(SELECT_KOREA + encode_text(line), chunk=3)
    assert errors == 0
    text = "".join(render_text(message, korea_set=True) for message in messages
                   if isinstance(message, Text))
    assert text == line
    assert "?" not in text


def test_what_python_escpos_text_sends_for_korean_is_question_marks() -> None:
    builder = Dummy()
    builder.text("안녕\n")
    messages, _ = decode(builder.output)
    text = "".join(render_text(message, korea_set=False) for message in messages
                   if isinstance(message, Text))
    assert text == "??\n"  # reference 2.4: silently replaced; this is why we encode ourselves


# ---------------------------------------------------------------- properties

_SIMPLE = sorted(name for name in PREFIXES
                 if name not in {"cut", "raster", "bit_image", "extended", "barcode",
                                 "tab_positions", "korean_on", "korean_off", "init"})
_COUNTS = {"drawer_pulse": 3, "panel_buttons": 2, "absolute_position": 2,
           "relative_position": 2, "left_margin": 2, "print_width": 2, "motion_units": 2,
           "korean_spacing": 2, "nv_image": 2}
_NO_PARAMS = {"default_line_spacing", "legacy_full_cut", "legacy_partial_cut",
              "standard_mode", "page_mode", "form_feed", "cancel_page"}
param_byte = st.integers(0, 255).filter(lambda value: value != 0x10)  # DLE would be real-time


@st.composite
def commands(draw: st.DrawFn) -> Message:
    kind = draw(st.sampled_from(["simple", "text", "realtime", "raster", "cut"]))
    if kind == "text":
        return Text(draw(st.binary(min_size=1, max_size=12).filter(
            lambda data: all(byte >= 0x20 or byte in b"\n\r\t" for byte in data))))
    if kind == "realtime":
        return Realtime(EOT, draw(st.integers(1, 4)))
    if kind == "raster":
        width, height = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        data = bytes(draw(st.lists(param_byte, min_size=width * height,
                                   max_size=width * height)))
        return Command("raster", bytes((0, width, 0, height, 0)), data)
    if kind == "cut":
        return Command("cut", draw(st.sampled_from([b"\x00", b"\x01", b"\x42\x05"])))
    name = draw(st.sampled_from(_SIMPLE))
    count = 0 if name in _NO_PARAMS else _COUNTS.get(name, 1)
    return Command(name, bytes(draw(st.lists(param_byte, min_size=count, max_size=count))))


@settings(max_examples=400, deadline=None)
@given(st.lists(commands(), max_size=12), st.integers(1, 7))
def test_round_trip_over_any_split(messages: list[Message], chunk: int) -> None:
    data = b"".join(message.encode() if not isinstance(message, Text) else message.data
                    for message in messages)
    decoded, errors = decode(data, chunk)
    assert errors == 0

    def realtime(items: list[Message]) -> list[Message]:
        return [item for item in items if isinstance(item, Realtime)]

    def buffered(items: list[Message]) -> list[Message]:
        return merged([item for item in items if not isinstance(item, Realtime)])

    assert realtime(decoded) == realtime(messages)
    assert buffered(decoded) == buffered(messages)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="euc_kr", exclude_characters="\u3164"),
               max_size=30), st.integers(1, 5))
def test_printable_text_round_trips_through_the_printer(text: str, chunk: int) -> None:
    try:
        encoded = encode_text(text)
    except UnprintableText:
        return
    messages, errors = decode(SELECT_KOREA + encoded, chunk)
    assert errors == 0
    rendered = "".join(render_text(message, korea_set=True) for message in messages
                       if isinstance(message, Text))
    assert rendered == text


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=200), st.integers(1, 16))
def test_fuzz_only_protocol_errors_and_always_progress(data: bytes, chunk: int) -> None:
    decoder = CommandDecoder()
    for start in range(0, len(data), chunk):
        decoder.feed(data[start:start + chunk])
        for _ in range(len(data) + 10):  # each call consumes a byte or ends the loop
            try:
                if decoder.next_message() is None:
                    break
            except ProtocolError:
                continue
        else:
            pytest.fail("decoder did not stop handing out messages")
