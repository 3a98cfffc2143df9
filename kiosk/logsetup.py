"""Structured logging: one JSON object per line on stdout (journald reads it), with redaction.

The redaction filter is the second line of defence behind "personal data is never logged":
anything shaped like a Korean resident registration number (6 digits, optional dash, 7 digits)
or a long card number (13-19 digits, optionally grouped by spaces or dashes) is masked in the
message, its arguments, extra fields and exception text before any handler writes it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any, TextIO

RRN_PATTERN = re.compile(r"(?<!\d)\d{6}[- ]?\d{7}(?!\d)")
CARD_PATTERN = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
RRN_MASK = "[RRN]"
CARD_MASK = "[CARD]"

_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "taskName"}


def redact(text: str) -> str:
    """Mask RRN-shaped and card-number-shaped digit runs in ``text``."""
    return CARD_PATTERN.sub(CARD_MASK, RRN_PATTERN.sub(RRN_MASK, text))


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (int,)) and not isinstance(value, bool):
        text = str(value)
        masked = redact(text)
        return value if masked == text else masked
    if isinstance(value, dict):
        return {key: _redact_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_redact_value(item) for item in value)
    return value


class RedactionFilter(logging.Filter):
    """Rewrites each record so that no RRN or card number survives to a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS:
                setattr(record, key, _redact_value(value))
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, msg, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_text:
            entry["exc"] = record.exc_text
        elif record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record, redacted, as JSON lines to ``stream`` (stdout by default).

    Returns the installed handler (tests remove it again).
    """
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactionFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_kiosk_handler", False):
            root.removeHandler(existing)
    handler._kiosk_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return handler
