"""Card reader codec against the byte vectors written by hand in docs/protocols/card-reader.md
§9, the masked-card rule (no full card number ever parses), round trips and a parser fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.devices.card_reader.codec import (
    Approve,
    CardAction,
    CardCmd,
    CardCode,
    CardEvent,
    DeclineReason,
    LastTxn,
    Outcome,
    Query,
    ReaderActivity,
    ReaderFlag,
    ReaderStatus,
    Settlement,
    TxnRecord,
    check_masked_card,
    parse_event,
    parse_record,
    parse_request,
    parse_status,
)
from kiosk.devices.framing import Frame, FrameDecoder, encode_frame
from kiosk.devices.framing_messages import encode_message, encode_response, parse_reply
from kiosk.errors import ProtocolError

APPROVED = TxnRecord("TX-00042", Outcome.APPROVED, Settlement.NONE, 3000, 1732345200,
                     DeclineReason.NONE, "", "30012345", "5409-12**-****-1234",
                     "VAN20241123000042")
DECLINED = TxnRecord("TX-00042", Outcome.DECLINED, Settlement.NONE, 3000, 1732345200,
                     DeclineReason.INSUFFICIENT_FUNDS, "6B")


def decode_one(text: str | bytes) -> Frame:
    decoder = FrameDecoder()
    decoder.feed(bytes.fromhex(text) if isinstance(text, str) else text)
    frame = decoder.next_message()
    assert frame is not None
    return frame


@pytest.mark.parametrize(("seq", "message", "text"), [
    (4, Approve(3000, 26, "TX-00042"),
     "02 0E 04 40 00 00 0B B8 1A 08 54 58 2D 30 30 30 34 32 97 0D 03"),
    (5, Query("TX-00042"), "02 09 05 44 08 54 58 2D 30 30 30 34 32 1F 60 03"),
    (6, LastTxn(), "02 00 06 45 7E 5B 03"),
])
def test_request_vectors(seq: int, message: object, text: str) -> None:
    assert encode_message(seq, message).hex(" ").upper() == text  # type: ignore[arg-type]
    assert parse_request(decode_one(text)) == message


@pytest.mark.parametrize(("seq", "event", "text"), [
    (1, CardEvent(CardAction.IC_INSERTED), "02 01 01 E9 01 7F 4F 03"),
    (2, APPROVED,
     "02 44 10 22 E8 08 54 58 2D 30 30 30 34 32 01 00 00 00 0B B8 67 41 7D 70 00 00 08 33 30"
     " 30 31 32 33 34 35 13 35 34 30 39 2D 31 32 2A 2A 2D 2A 2A 2A 2A 2D 31 32 33 34 11 56 41"
     " 4E 32 30 32 34 31 31 32 33 30 30 30 30 34 32 54 00 03"),
    (2, DECLINED,
     "02 1A 10 22 E8 08 54 58 2D 30 30 30 34 32 10 22 00 00 00 0B B8 67 41 7D 70 01 10 22 36"
     " 42 00 00 00 A3 5E 03"),
])
def test_event_vectors(seq: int, event: object, text: str) -> None:
    assert encode_message(seq, event).hex(" ").upper() == text  # type: ignore[arg-type]
    assert parse_event(decode_one(text)) == event


@pytest.mark.parametrize(("code", "text"), [
    (CardCode.OK, "02 01 04 C0 00 38 E0 03"),
    (CardCode.VAN_LINK_DOWN, "02 01 04 C0 10 30 2A D1 03"),
])
def test_approve_response_vectors(code: CardCode, text: str) -> None:
    assert encode_response(4, CardCmd.APPROVE, code).hex(" ").upper() == text
    assert parse_reply(decode_one(text)).code == code


def test_query_unknown_key_vector() -> None:
    reply = parse_reply(decode_one("02 01 05 C4 13 E1 46 03"))
    assert (reply.cmd, reply.code, reply.body) == (0xC4, CardCode.UNKNOWN_KEY, b"")


@pytest.mark.parametrize("masked", [
    "5409-1234-5678-1234",  # a full card number
    "5409123456781234",
    "5409-12**-****-12345",  # 11 digits
    "5409-12*--1234",  # too few stars
    "5409-12**-****-1234\t",
])
def test_unmasked_card_numbers_never_parse_and_are_never_echoed(masked: str) -> None:
    with pytest.raises(ValueError) as direct:
        check_masked_card(masked)
    assert masked not in str(direct.value)
    record = APPROVED.payload().replace(b"\x135409-12**-****-1234",
                                        bytes((len(masked),)) + masked.encode())
    with pytest.raises(ProtocolError) as caught:
        parse_record(record)
    assert masked.strip() not in str(caught.value)
    assert "1234" not in str(caught.value)


def test_keys_are_checked_both_ways() -> None:
    for bad in ("", "x" * 41, "한글", "a b", "semi;colon"):
        with pytest.raises(ValueError):
            Query(bad)
    with pytest.raises(ProtocolError, match="idempotency key"):
        parse_request(Frame(1, CardCmd.QUERY, b"\x03a b"))
    assert Query("a.b_c:d-1").key == "a.b_c:d-1"


def test_status_block_layout() -> None:
    status = ReaderStatus(ReaderFlag.BUSY | ReaderFlag.VAN_LINK_DOWN, ReaderActivity.WAITING_CARD,
                          approvals=1, voids=2, events_dropped=3)
    block = status.payload()
    assert len(block) == 38
    assert block[:2] == bytes.fromhex("11 01")
    assert block[2:6] == (1).to_bytes(4, "big") and block[30:34] == (2).to_bytes(4, "big")
    assert parse_status(block + b"future") == status
    with pytest.raises(ProtocolError, match="need 38"):
        parse_status(block[:-1])


text = st.text(alphabet="0123456789", max_size=8)
keys = st.from_regex(r"[A-Za-z0-9._:-]{1,40}", fullmatch=True)
records = st.builds(
    TxnRecord, keys, st.sampled_from(Outcome), st.sampled_from(Settlement),
    st.integers(0, 0xFFFF_FFFF), st.integers(0, 0xFFFF_FFFF), st.sampled_from(DeclineReason),
    st.text(alphabet="0123456789AB", max_size=4), text,
    st.sampled_from(["", "5409-12**-****-1234", "**** **** **** 1234", "4111-11**-****-1111"]),
    st.from_regex(r"[A-Z0-9]{0,32}", fullmatch=True))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 255), records)
def test_record_round_trip(seq: int, record: TxnRecord) -> None:
    assert parse_event(decode_one(encode_message(seq, record))) == record


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 0xFFFF_FFFF), st.integers(0, 255), keys)
def test_approve_round_trip(amount: int, wait: int, key: str) -> None:
    message = Approve(amount, wait, key)
    assert parse_request(decode_one(encode_message(7, message))) == message


@settings(max_examples=600, deadline=None)
@given(st.integers(0x20, 0xFE), st.binary(max_size=120))
def test_fuzz_parsers_raise_only_protocol_errors(cmd: int, data: bytes) -> None:
    frame = decode_one(encode_frame(1, cmd, data))
    for parse in (parse_event, parse_request, lambda f: parse_status(f.data),
                  lambda f: parse_record(f.data)):
        try:
            parse(frame)
        except ProtocolError:
            pass
