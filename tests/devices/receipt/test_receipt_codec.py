"""Receipt codec: DLE EOT status bytes (reference/devices.md 2.1), strict KS X 1001 text,
the printer-to-host status decoder; byte vectors, round trips and fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.devices.receipt.codec import (
    ASB_OFF,
    FULL_CUT,
    INIT,
    KOREAN_MODE_OFF,
    KOREAN_MODE_ON,
    PAPER_SENSOR_IN_ORDER,
    SELECT_KOREA,
    PrinterFlags,
    StatusByte,
    StatusDecoder,
    StatusKind,
    UnprintableText,
    assess,
    check_realtime_byte,
    encode_text,
    printable,
    recover_request,
    status_request,
)
from kiosk.errors import DeviceError, ProtocolError

# ------------------------------------------------------------------ byte vectors


def test_command_bytes_match_the_reference() -> None:
    assert status_request(StatusKind.PRINTER) == bytes.fromhex("10 04 01")
    assert status_request(4) == bytes.fromhex("10 04 04")
    assert recover_request() == bytes.fromhex("10 05 02")
    assert recover_request(1) == bytes.fromhex("10 05 01")
    constants = [INIT, KOREAN_MODE_ON, KOREAN_MODE_OFF, SELECT_KOREA, PAPER_SENSOR_IN_ORDER,
                 ASB_OFF, FULL_CUT]
    assert [value.hex(" ") for value in constants] == [
        "1b 40", "1c 26", "1c 2e", "1b 52 0d", "1d 72 01", "1d 61 00", "1d 56 00"]


@pytest.mark.parametrize("bad", [0, 5, 7, 255])
def test_status_request_refuses_unknown_n(bad: int) -> None:
    with pytest.raises(ValueError):
        status_request(bad)


def test_healthy_printer_answers_0x12_to_every_n() -> None:
    healthy = PrinterFlags()
    assert [healthy.to_byte(kind) for kind in StatusKind] == [0x12] * 4
    assert PrinterFlags.from_bytes(0x12, 0x12, 0x12, 0x12) == healthy
    assessment = assess(healthy)
    assert (assessment.state, assessment.fault, assessment.paper) == ("online", None, "full")


@pytest.mark.parametrize(("kind", "value", "field"), [
    (StatusKind.PAPER, 0x1E, "paper_near_end"),  # reference 2.1: near end (n=4)
    (StatusKind.PAPER, 0x72, "paper_out"),  # paper out (n=4)
    (StatusKind.PRINTER, 0x1A, "offline"),  # offline (n=1)
    (StatusKind.OFFLINE_CAUSE, 0x16, "cover_open"),  # cover open (n=2)
    (StatusKind.OFFLINE_CAUSE, 0x32, "stopped_by_paper_end"),
    (StatusKind.OFFLINE_CAUSE, 0x52, "error"),
    (StatusKind.ERROR_CAUSE, 0x1A, "cutter_error"),
    (StatusKind.ERROR_CAUSE, 0x32, "unrecoverable_error"),
    (StatusKind.ERROR_CAUSE, 0x52, "auto_recoverable_error"),
    (StatusKind.PRINTER, 0x16, "drawer_pin3"),
])
def test_reference_status_bytes_decode(kind: StatusKind, value: int, field: str) -> None:
    replies = [0x12] * 4
    replies[kind - 1] = value
    flags = PrinterFlags.from_bytes(*replies)
    set_fields = {name for name, on in vars(flags).items() if on}
    assert set_fields == {field}
    assert flags.to_byte(kind) == value


@pytest.mark.parametrize(("replies", "state", "fault", "paper"), [
    ((0x12, 0x12, 0x12, 0x1E), "online", None, "low"),
    ((0x1A, 0x32, 0x12, 0x72), "userError", "paper_out", "out"),
    ((0x1A, 0x16, 0x12, 0x12), "userError", "cover_open", "full"),
    ((0x1A, 0x52, 0x1A, 0x12), "hardwareError", "cutter_error", "full"),
    ((0x1A, 0x52, 0x32, 0x12), "hardwareError", "unrecoverable_error", "full"),
    ((0x12, 0x12, 0x52, 0x12), "deviceBusy", "auto_recoverable_error", "full"),
    ((0x1A, 0x12, 0x12, 0x12), "offline", "offline", "full"),
    ((0x1A, 0x56, 0x1A, 0x72), "hardwareError", "cutter_error", "out"),  # worst first
])
def test_assessment_maps_to_xfs_states(replies: tuple[int, int, int, int], state: str,
                                       fault: str | None, paper: str) -> None:
    assessment = assess(PrinterFlags.from_bytes(*replies))
    assert (assessment.state, assessment.fault, assessment.paper) == (state, fault, paper)


@pytest.mark.parametrize("value", [0x00, 0x10, 0x13, 0x92, 0x93, 0xFF, 0x02, 0x90])
def test_invalid_status_bytes_are_rejected(value: int) -> None:
    with pytest.raises(ProtocolError, match="not a DLE EOT status byte"):
        check_realtime_byte(value)


def test_status_decoder_tells_real_time_from_in_order_bytes() -> None:
    decoder = StatusDecoder()
    decoder.feed(bytes([0x12, 0x03, 0x00, 0x1E]))
    assert decoder.next_message() == StatusByte(0x12)
    near_end = decoder.next_message()
    assert near_end == StatusByte(0x03, in_order=True) and near_end.paper_near_end
    assert decoder.next_message() == StatusByte(0x00, in_order=True)
    assert decoder.next_message() == StatusByte(0x1E)
    assert decoder.next_message() is None
    decoder.feed(b"\x80\x12")
    with pytest.raises(ProtocolError):
        decoder.next_message()
    assert decoder.next_message() == StatusByte(0x12)


def test_buffered_paper_byte_has_bit_4_clear() -> None:
    assert PrinterFlags().buffered_paper_byte() == 0x00
    assert PrinterFlags(paper_near_end=True).buffered_paper_byte() == 0x03
    assert PrinterFlags(paper_out=True).buffered_paper_byte() == 0x0C


# ----------------------------------------------------------------------- Korean


def test_korean_text_is_wrapped_in_double_byte_mode() -> None:
    assert encode_text("가") == bytes.fromhex("1c 26 b0 a1 1c 2e")
    assert encode_text("수수료: 200원\n") == (
        b"\x1c&\xbc\xf6\xbc\xf6\xb7\xe1\x1c.: 200\x1c&\xbf\xf8\x1c.\n")
    assert encode_text("abc") == b"abc"
    assert encode_text("₩1,000") == b"\\1,000"  # 0x5C is the won sign under ESC R 13


@pytest.mark.parametrize("syllable", ["똠", "믜", "쌰", "뷁", "햏"])
def test_syllables_outside_ks_x_1001_are_refused_loudly(syllable: str) -> None:
    # The trap: CPython's euc_kr does not fail, it writes an 8-byte make-up sequence.
    assert len(syllable.encode("euc_kr")) == 8
    with pytest.raises(UnprintableText, match="not in KS X 1001") as caught:
        encode_text(f"문서 {syllable}")
    assert isinstance(caught.value, DeviceError)
    assert caught.value.code == "receipt.unprintable_text"
    assert not printable(syllable)


@pytest.mark.parametrize("text", ["\x1b@", "tab\there", "\x00", "\x7f", "é", "😀", "\\"])
def test_controls_and_unknown_characters_are_refused(text: str) -> None:
    with pytest.raises(UnprintableText):
        encode_text(text)


def test_all_2350_ks_x_1001_syllables_print_and_no_others() -> None:
    syllables = [chr(code) for code in range(0xAC00, 0xD7A4)]
    assert sum(printable(syllable) for syllable in syllables) == 2350


@settings(max_examples=600, deadline=None)
@given(st.text(max_size=40))
def test_encode_text_only_raises_unprintable(text: str) -> None:
    try:
        encoded = encode_text(text)
    except UnprintableText:
        assert not printable(text)
        return
    runs = encoded.split(KOREAN_MODE_ON)
    assert all(byte < 0x80 for byte in runs[0])
    for run in runs[1:]:
        cells, _, after = run.partition(KOREAN_MODE_OFF)
        assert len(cells) % 2 == 0 and all(0xA1 <= byte <= 0xFE for byte in cells)
        assert all(byte < 0x80 for byte in after)


# ------------------------------------------------------------- round trip, fuzz

flags_strategy = st.builds(PrinterFlags, *[st.booleans()] * 11)


@settings(max_examples=300, deadline=None)
@given(flags_strategy)
def test_flags_round_trip_through_the_four_bytes(flags: PrinterFlags) -> None:
    replies = [flags.to_byte(kind) for kind in StatusKind]
    assert all(value & 0x93 == 0x12 for value in replies)
    assert PrinterFlags.from_bytes(*replies) == flags


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=64), st.lists(st.integers(1, 8), max_size=8))
def test_status_decoder_fuzz_only_protocol_errors(data: bytes, cuts: list[int]) -> None:
    decoder = StatusDecoder()
    seen = 0
    position = 0
    for size in [*cuts, len(data)]:
        decoder.feed(data[position:position + size])
        position += size
        while True:
            try:
                message = decoder.next_message()
            except ProtocolError:
                seen += 1
                continue
            if message is None:
                break
            seen += 1
    assert seen == len(data)
