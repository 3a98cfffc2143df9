"""PJL codec: request and job bytes, replies written from the HP PJL Technical Reference
(status readback, job separation), resynchronisation, round trips over any split, fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.devices.codec_api import drain
from kiosk.devices.printer.codec import (
    UEL,
    EchoReply,
    InfoReply,
    InvalidJob,
    JobEvent,
    PageCount,
    PageEvent,
    Reply,
    ReplyDecoder,
    StatusReport,
    echo_request,
    frame_job,
    info_pagecount_request,
    info_status_request,
    pjl,
    ustatus_off_request,
    ustatus_request,
)
from kiosk.errors import DeviceError, ProtocolError

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def decode(data: bytes, chunk: int | None = None) -> tuple[list[Reply], int]:
    decoder = ReplyDecoder()
    errors: list[ProtocolError] = []
    replies: list[Reply] = []
    step = chunk or max(len(data), 1)
    for start in range(0, len(data), step):
        decoder.feed(data[start:start + step])
        replies += drain(decoder, errors.append)
    return replies, len(errors)


# ------------------------------------------------------------------- requests


def test_request_bytes() -> None:
    assert UEL == b"\x1b%-12345X"
    assert info_status_request() == b"\x1b%-12345X@PJL\r\n@PJL INFO STATUS\r\n\x1b%-12345X"
    assert info_pagecount_request() == (
        b"\x1b%-12345X@PJL\r\n@PJL INFO PAGECOUNT\r\n\x1b%-12345X")
    assert echo_request("kiosk-7") == b"\x1b%-12345X@PJL\r\n@PJL ECHO kiosk-7\r\n\x1b%-12345X"
    assert ustatus_request() == (
        b"\x1b%-12345X@PJL\r\n@PJL USTATUS DEVICE=ON\r\n@PJL USTATUS JOB=ON\r\n"
        b"@PJL USTATUS PAGE=ON\r\n\x1b%-12345X")
    assert ustatus_off_request() == b"\x1b%-12345X@PJL\r\n@PJL USTATUSOFF\r\n\x1b%-12345X"


@pytest.mark.parametrize("command", ["INFO STATUS\r\n@PJL RESET", "ECHO \x1b", ""])
def test_pjl_refuses_commands_that_break_lines(command: str) -> None:
    with pytest.raises(ValueError):
        pjl(command)


def test_job_framing_bytes() -> None:
    assert frame_job("T-20250301-0001", PDF) == (
        b'\x1b%-12345X@PJL\r\n@PJL JOB NAME="T-20250301-0001"\r\n'
        b"@PJL ENTER LANGUAGE=PDF\r\n" + PDF +
        b'\x1b%-12345X@PJL EOJ NAME="T-20250301-0001"\r\n\x1b%-12345X')


@pytest.mark.parametrize(("name", "pdf", "match"), [
    ('bad"name', PDF, "job name"),
    ("", PDF, "job name"),
    ("x" * 81, PDF, "job name"),
    ("이름", PDF, "job name"),
    ("ok", b"PK\x03\x04 not a pdf", "not a PDF"),
    ("ok", PDF + UEL + b"@PJL RESET\r\n", "UEL"),
])
def test_jobs_that_cannot_be_framed_are_refused(name: str, pdf: bytes, match: str) -> None:
    with pytest.raises(InvalidJob, match=match) as caught:
        frame_job(name, pdf)
    assert isinstance(caught.value, DeviceError)
    assert caught.value.code == "printer.invalid_job"


# -------------------------------------------------------------------- replies

HP_VECTORS: list[tuple[bytes, Reply]] = [
    (b'@PJL INFO STATUS\r\nCODE=10001\r\nDISPLAY="00 READY"\r\nONLINE=TRUE\r\n\x0c',
     StatusReport(10001, True, "00 READY")),
    (b'@PJL USTATUS DEVICE\r\nCODE=40021\r\nDISPLAY="12 PRINTER OPEN"\r\nONLINE=FALSE\r\n\x0c',
     StatusReport(40021, False, "12 PRINTER OPEN", solicited=False)),
    (b'@PJL USTATUS DEVICE\r\nCODE=10006\r\nDISPLAY="16 TONER LOW"\r\nONLINE=TRUE\r\n\x0c',
     StatusReport(10006, True, "16 TONER LOW", solicited=False)),
    (b'@PJL USTATUS TIMED\r\nCODE=10001\r\nDISPLAY="00 READY"\r\nONLINE=TRUE\r\n\x0c',
     StatusReport(10001, True, "00 READY", solicited=False, category="TIMED")),
    (b'@PJL USTATUS JOB\r\nSTART\r\nNAME="job name"\r\nID=346\r\n\x0c',
     JobEvent("START", "job name", job_id=346)),
    (b'@PJL USTATUS JOB\r\nEND\r\nNAME="job name"\r\nPAGES=123\r\nID=346\r\nRESULT=OK\r\n\x0c',
     JobEvent("END", "job name", 123, 346, "OK")),
    (b'@PJL USTATUS JOB\r\nCANCELED\r\nNAME="job name"\r\nID=346\r\n'
     b'RESULT=USER_CANCELED\r\n\x0c',
     JobEvent("CANCELED", "job name", None, 346, "USER_CANCELED")),
    (b"@PJL USTATUS PAGE\r\n3\r\n\x0c", PageEvent(3)),
    (b"@PJL INFO PAGECOUNT\r\n183933\r\n\x0c", PageCount(183933, keyed=False)),
    (b"@PJL INFO PAGECOUNT\r\nPAGECOUNT=183933\r\n\x0c", PageCount(183933)),
    (b"@PJL ECHO kiosk-1 sync\r\n\x0c", EchoReply("kiosk-1 sync")),
    (b"@PJL INFO FONTS\r\n?\r\n\x0c", InfoReply("FONTS", ("?",))),
    (b'@PJL INFO ID\r\n"HP LaserJet"\r\n\x0c', InfoReply("ID", ('"HP LaserJet"',))),
    (b'@PJL INFO STATUS\nCODE = 10001\nDISPLAY="00 READY"\nONLINE=TRUE\n\x0c',
     StatusReport(10001, True, "00 READY")),
]


@pytest.mark.parametrize(("data", "expected"), HP_VECTORS)
def test_reply_vectors(data: bytes, expected: Reply) -> None:
    assert decode(data) == ([expected], 0)
    assert decode(data, chunk=1) == ([expected], 0)


def test_unsupported_info_is_flagged() -> None:
    replies, _ = decode(b"@PJL INFO FONTS\r\n?\r\n\x0c")
    assert isinstance(replies[0], InfoReply) and replies[0].unsupported


@pytest.mark.parametrize(("data", "match"), [
    (b'@PJL INFO STATUS\r\nDISPLAY="00 READY"\r\nONLINE=TRUE\r\n\x0c', "CODE="),
    (b"@PJL INFO STATUS\r\nCODE=1001\r\nONLINE=TRUE\r\n\x0c", "CODE="),
    (b"@PJL INFO STATUS\r\nCODE=10001\r\nONLINE=MAYBE\r\n\x0c", "ONLINE"),
    (b"@PJL USTATUS JOB\r\nPAUSED\r\n\x0c", "START, END or CANCELED"),
    (b"@PJL USTATUS JOB\r\nEND\r\nPAGES=many\r\n\x0c", "PAGES="),
    (b"@PJL USTATUS PAGE\r\nfirst\r\n\x0c", "page number"),
    (b"@PJL INFO PAGECOUNT\r\nlots\r\n\x0c", "no number"),
    (b"@PJL BOGUS\r\n\x0c", "unknown reply category"),
    (b"@PJL\r\n\x0c", "does not start"),
])
def test_malformed_replies_raise_protocol_error(data: bytes, match: str) -> None:
    decoder = ReplyDecoder()
    decoder.feed(data + HP_VECTORS[0][0])
    with pytest.raises(ProtocolError, match=match):
        decoder.next_message()
    assert decoder.next_message() == HP_VECTORS[0][1]


def test_garbage_is_skipped_and_the_next_reply_found() -> None:
    replies, errors = decode(b"\x00\xff\x0c garbage" + HP_VECTORS[0][0] + b"\r\n" +
                             b"\xfe\xfd" + HP_VECTORS[7][0])
    assert replies == [HP_VECTORS[0][1], HP_VECTORS[7][1]]
    assert errors == 2


def test_a_reply_cut_short_by_the_next_is_rejected() -> None:
    replies, errors = decode(b"@PJL INFO STATUS\r\nCODE=100" + HP_VECTORS[7][0])
    assert (replies, errors) == ([HP_VECTORS[7][1]], 1)


def test_an_endless_reply_is_dropped() -> None:
    decoder = ReplyDecoder()
    decoder.feed(b"@PJL INFO CONFIG\r\n" + b"x" * 9000)
    with pytest.raises(ProtocolError, match="longer than"):
        decoder.next_message()
    decoder.feed(b"\x0c" + HP_VECTORS[7][0])
    assert list(drain(decoder)) == [HP_VECTORS[7][1]]


# ------------------------------------------------------------- properties

field_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E,
                                            exclude_characters='"@='),
                     min_size=1, max_size=20).map(str.strip).filter(bool)
replies = st.one_of(
    st.builds(StatusReport, st.integers(10000, 69999), st.booleans(), field_text,
              st.booleans(), st.sampled_from(["DEVICE", "TIMED"])).map(
        lambda report: report if not report.solicited
        else StatusReport(report.code, report.online, report.display)),
    st.builds(JobEvent, st.sampled_from(["START", "END", "CANCELED"]),
              st.none() | field_text, st.none() | st.integers(0, 9999),
              st.none() | st.integers(0, 32767),
              st.none() | st.sampled_from(["OK", "USER_CANCELED", "RESOURCE_CANCELED"])),
    st.builds(PageEvent, st.integers(0, 9999)),
    st.builds(PageCount, st.integers(0, 10**9), st.booleans()),
    st.builds(EchoReply, field_text),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(replies, max_size=6), st.integers(1, 17))
def test_round_trip_over_any_split(messages: list[Reply], chunk: int) -> None:
    data = b"".join(message.encode() for message in messages)
    assert decode(data, chunk) == (messages, 0)


garbage = st.binary(max_size=12).filter(lambda data: b"@" not in data)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(garbage, replies), max_size=5), st.integers(1, 9))
def test_every_reply_survives_garbage_between_replies(pairs: list[tuple[bytes, Reply]],
                                                      chunk: int) -> None:
    data = b"".join(junk + message.encode() for junk, message in pairs)
    decoded, _ = decode(data, chunk)
    assert decoded == [message for _, message in pairs]


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=300), st.integers(1, 32))
def test_fuzz_only_protocol_errors_and_always_progress(data: bytes, chunk: int) -> None:
    decoder = ReplyDecoder()
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
