"""The printer-side PJL decoder: job framing, PJL syntax (HP ch. 3), UEL split anywhere,
round trips and fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.devices.codec_api import drain
from kiosk.devices.printer.codec import UEL, frame_job, info_status_request
from kiosk.devices.printer.stream import (
    PjlCommand,
    PrintData,
    Request,
    RequestDecoder,
    Uel,
    parse_line,
)
from kiosk.errors import ProtocolError

PDF = b"%PDF-1.7\n" + b"\x1b%-1234" + b" not a UEL\n%%EOF\n"


def decode(data: bytes, chunk: int | None = None) -> tuple[list[Request], int]:
    decoder = RequestDecoder()
    errors: list[ProtocolError] = []
    requests: list[Request] = []
    step = chunk or max(len(data), 1)
    for start in range(0, len(data), step):
        decoder.feed(data[start:start + step])
        requests += drain(decoder, errors.append)
    return requests, len(errors)


def joined(requests: list[Request]) -> list[Request]:
    out: list[Request] = []
    for request in requests:
        if isinstance(request, PrintData) and out and isinstance(out[-1], PrintData):
            out[-1] = PrintData(request.language, out[-1].data + request.data)
        else:
            out.append(request)
    return out


@pytest.mark.parametrize("chunk", [None, 1, 3, 11])
def test_job_frame_decodes_into_its_parts(chunk: int | None) -> None:
    requests, errors = decode(frame_job("T-0001", PDF), chunk)
    assert errors == 0
    assert joined(requests) == [
        Uel(), PjlCommand(), PjlCommand("JOB", options={"NAME": "T-0001"}),
        PjlCommand("ENTER", options={"LANGUAGE": "PDF"}), PrintData("PDF", PDF), Uel(),
        PjlCommand("EOJ", options={"NAME": "T-0001"}), Uel()]


@pytest.mark.parametrize(("line", "expected"), [
    (b'@PJL JOB NAME = "job name" START=2',
     PjlCommand("JOB", options={"NAME": "job name", "START": "2"})),
    (b"@PJL info status", PjlCommand("INFO", ("STATUS",))),
    (b"@PJL SET COPIES=1", PjlCommand("SET", options={"COPIES": "1"})),
    (b"@PJL ECHO  hello  world", PjlCommand("ECHO", text="hello  world")),
    (b"@PJL COMMENT a = b", PjlCommand("COMMENT", text="a = b")),
    (b"@PJL USTATUSOFF", PjlCommand("USTATUSOFF")),
    (b"@PJL", PjlCommand()),
])
def test_pjl_line_syntax(line: bytes, expected: PjlCommand) -> None:
    assert parse_line(line) == expected


@pytest.mark.parametrize(("line", "match"), [
    (b"PJL INFO STATUS", "not a @PJL command"),
    (b"@PJLX", "not a @PJL command"),
    (b'@PJL JOB NAME="open', "unterminated"),
    (b"@PJL SET =1", "without an option name"),
    (b"@PJL ECHO \xff", "not ASCII"),
])
def test_bad_lines_raise_protocol_error(line: bytes, match: str) -> None:
    with pytest.raises(ProtocolError, match=match):
        parse_line(line)


def test_bad_line_is_consumed_and_decoding_goes_on() -> None:
    requests, errors = decode(b"hello printer\r\n" + info_status_request())
    assert errors == 1
    assert PjlCommand("INFO", ("STATUS",)) in requests


def test_line_without_line_end_before_uel() -> None:
    requests, errors = decode(UEL + b"@PJL ECHO x" + UEL)
    assert (requests, errors) == ([Uel(), PjlCommand("ECHO", text="x"), Uel()], 0)


def test_endless_line_is_dropped() -> None:
    decoder = RequestDecoder()
    decoder.feed(b"@PJL COMMENT " + b"x" * 2000)
    with pytest.raises(ProtocolError, match="longer than"):
        decoder.next_message()


def test_uel_split_byte_by_byte_ends_print_data() -> None:
    decoder = RequestDecoder()
    decoder.feed(b"@PJL ENTER LANGUAGE=PDF\r\n%PDF-data")
    assert decoder.next_message() == PjlCommand("ENTER", options={"LANGUAGE": "PDF"})
    assert decoder.next_message() == PrintData("PDF", b"%PDF-data")
    for byte in UEL[:-1]:
        decoder.feed(bytes((byte,)))
        assert decoder.next_message() is None
    decoder.feed(UEL[-1:])
    assert decoder.next_message() == Uel()
    assert decoder.language is None


# ------------------------------------------------------------- properties

word = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8)
value = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E,
                                       exclude_characters='"='), min_size=1, max_size=10)
commands = st.builds(
    lambda verb, words, options: PjlCommand(verb, tuple(words), options),
    word.filter(lambda verb: verb not in ("ECHO", "COMMENT", "ENTER")),
    st.lists(word, max_size=2), st.dictionaries(word, value, max_size=3))
print_jobs = st.binary(min_size=1, max_size=40).filter(lambda data: UEL[:1] not in data)


@st.composite
def streams(draw: st.DrawFn) -> list[Request]:
    requests: list[Request] = []
    for kind in draw(st.lists(st.sampled_from(["command", "uel", "data"]), max_size=8)):
        if kind == "command":
            requests.append(draw(commands))
        elif kind == "uel":
            requests.append(Uel())
        else:
            requests += [PjlCommand("ENTER", options={"LANGUAGE": "PDF"}),
                         PrintData("PDF", draw(print_jobs)), Uel()]
    return requests


@settings(max_examples=400, deadline=None)
@given(streams(), st.integers(1, 13))
def test_round_trip_over_any_split(requests: list[Request], chunk: int) -> None:
    data = b"".join(request.encode() for request in requests)
    decoded, errors = decode(data, chunk)
    assert errors == 0
    assert joined(decoded) == requests


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=300), st.integers(1, 32))
def test_fuzz_only_protocol_errors_and_always_progress(data: bytes, chunk: int) -> None:
    decoder = RequestDecoder()
    for start in range(0, len(data), chunk):
        decoder.feed(data[start:start + chunk])
        for _ in range(len(data) + 10):
            try:
                if decoder.next_message() is None:
                    break
            except ProtocolError:
                continue
        else:
            pytest.fail("decoder did not stop handing out messages")
