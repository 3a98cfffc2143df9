"""The redaction filter: RRN-shaped and card-number-shaped digits never reach the log."""

from __future__ import annotations

import io
import json
import logging

import pytest

from kiosk.errors import DeviceTimeout
from kiosk.logsetup import configure_logging, redact

RRN = "900101-1234567"


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    handler = configure_logging("DEBUG", stream)
    yield stream
    logging.getLogger().removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize("text", [
    "900101-1234567", "9001011234567", "900101 1234567", "id=9001011234567;",
    "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "5409120012345678901",
])
def test_sensitive_shapes_are_masked(text: str) -> None:
    masked = redact(f"before {text} after")
    assert not any(ch.isdigit() for ch in masked), masked


@pytest.mark.parametrize("text", [
    "2026-11-23T02:14:05+09:00", "page 3 of 5", "fee 1200 won", "approval 12345678",
    "5409-12**-****-1234", "document 1234-5678-9012",
])
def test_ordinary_numbers_survive(text: str) -> None:
    assert redact(text) == text


def test_message_args_extra_and_exception_are_redacted(log_stream: io.StringIO) -> None:
    log = logging.getLogger("kiosk.test")
    log.info("identity for %s", RRN, extra={"card": "4111111111111111", "pages": 2})
    try:
        raise DeviceTimeout("card_reader", f"stuck on {RRN}")
    except DeviceTimeout:
        log.exception("failed")
    output = log_stream.getvalue()
    assert "1234567" not in output and "4111111111111111" not in output
    first, second = lines(log_stream)
    assert first["msg"] == "identity for [RRN]"
    assert first["card"] == "[CARD]" and first["pages"] == 2
    assert first["level"] == "INFO" and first["logger"] == "kiosk.test"
    assert "[RRN]" in str(second["exc"])


def test_each_record_is_one_json_line(log_stream: io.StringIO) -> None:
    logging.getLogger("kiosk.x").warning("한글 메시지\nsecond line")
    [entry] = lines(log_stream)
    assert entry["msg"] == "한글 메시지\nsecond line"
    assert str(entry["ts"]).endswith("Z")
