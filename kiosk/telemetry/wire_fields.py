"""Field checks for the telemetry wire contract: strict JSON parsing and typed field readers.

Pure (standard library and ``kiosk.errors``): used by ``kiosk.telemetry.protocol`` on both sides
of the wire. Every failure raises ``SchemaError`` naming the field path; nothing else escapes.
Strings on the wire are short tokens or enumerations, never free text, and none may hold an
RRN- or card-shaped digit run, so a telemetry payload has no place for a name, an RRN or a card
number (docs/telemetry.md, "No personal data"). Error texts name the field, never its value.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from kiosk.errors import SchemaError

T = TypeVar("T")

#: Largest integer every JSON reader keeps exactly (IEEE 754 double, RFC 8259 section 6).
MAX_SAFE_INT = 2**53 - 1
#: Codes, kinds, reasons, device and document names: lower-case tokens.
TOKEN_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,63}\Z")
#: A kiosk id: also its certificate CN and MQTT username (same as kiosk.config.KIOSK_ID_PATTERN).
KIOSK_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,63}\Z")
#: A site slug, the third topic level (same as kiosk.config.SITE_PATTERN).
SITE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{1,63}\Z")
#: Ids no kiosk may have: the fleet monitor's certificate CN (examples/mosquitto/acl).
RESERVED_KIOSK_IDS = frozenset({"fleet-monitor"})
#: A run of 13 or more digits, single spaces or dashes allowed between them: the shape of a
#: resident registration number (6+7 digits) or a card number (13-19 digits). No string on the
#: wire may contain one, whatever field it is in (docs/telemetry.md, "No personal data").
PERSONAL_DIGITS_PATTERN = re.compile(r"\d(?:[ -]?\d){12,}")
#: Earliest and latest accepted timestamp (the epoch, so a kiosk whose clock is unset still
#: reports, .. 2100-01-01 UTC), seconds.
MIN_TS = 0.0
MAX_TS = 4_102_444_800.0


def _shown(key: Any) -> str:
    """A field name fit for an error text: tokens as they are, anything else masked."""
    text = str(key)
    if TOKEN_PATTERN.match(text) and not PERSONAL_DIGITS_PATTERN.search(text):
        return repr(text)
    return "'<masked>'"


def masked(text: str) -> str:
    """``text`` with RRN- and card-shaped digit runs masked, for error texts quoting others."""
    return PERSONAL_DIGITS_PATTERN.sub("[masked]", text)[:200]


def _reject_constant(name: str) -> Any:
    raise SchemaError(f"malformed JSON: {name} is not a JSON number")


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise SchemaError(f"malformed JSON: duplicate key {_shown(key)}")
        result[key] = value
    return result


def parse_json_object(data: bytes) -> dict[str, Any]:
    """Strict JSON: UTF-8, one object, no duplicate keys, no NaN/Infinity, bounded nesting."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SchemaError("malformed JSON: not UTF-8") from None
    try:
        value = json.loads(text, object_pairs_hook=_unique_object,
                           parse_constant=_reject_constant)
    except SchemaError:
        raise
    except (ValueError, RecursionError) as exc:
        raise SchemaError(f"malformed JSON: {type(exc).__name__}") from None
    if not isinstance(value, dict):
        raise SchemaError("malformed JSON: the payload must be an object")
    return value


def dump_json(value: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON, keys sorted, NaN and Infinity refused."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def fields(data: Any, where: str, required: Collection[str],
           optional: Collection[str] = ()) -> Mapping[str, Any]:
    """``data`` as an object with exactly the required keys and some of the optional ones."""
    if not isinstance(data, Mapping):
        raise SchemaError(f"{where}: must be an object, got {type(data).__name__}")
    missing = [key for key in required if key not in data]
    if missing:
        raise SchemaError(f"{where}: missing field(s) {sorted(missing)}")
    unknown = [key for key in data if key not in required and key not in optional]
    if unknown:
        raise SchemaError(f"{where}: unknown field(s) {sorted(map(_shown, unknown))[:8]}")
    return data


def integer(value: Any, where: str, low: int = 0, high: int = MAX_SAFE_INT) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SchemaError(f"{where}: must be an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise SchemaError(f"{where}: must be in {low}..{high}")
    return value


def number(value: Any, where: str, low: float = 0.0, high: float = float(MAX_SAFE_INT)) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SchemaError(f"{where}: must be a number, got {type(value).__name__}")
    if not math.isfinite(value) or not low <= value <= high:
        raise SchemaError(f"{where}: must be a finite number in {low}..{high}")
    return float(value)


def timestamp(value: Any, where: str) -> float:
    """Seconds since the Unix epoch (UTC), between 2000 and 2100."""
    return number(value, where, MIN_TS, MAX_TS)


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise SchemaError(f"{where}: must be true or false, got {type(value).__name__}")
    return value


def string(value: Any, where: str, pattern: re.Pattern[str] = TOKEN_PATTERN) -> str:
    if not isinstance(value, str):
        raise SchemaError(f"{where}: must be a string, got {type(value).__name__}")
    if not pattern.match(value):
        raise SchemaError(f"{where}: does not match {pattern.pattern}")
    check_no_personal_digits(value, where)
    return value


def check_no_personal_digits(value: str, where: str) -> None:
    """Refuse a string shaped like an RRN or a card number (the value is never echoed)."""
    if PERSONAL_DIGITS_PATTERN.search(value):
        raise SchemaError(f"{where}: contains a long digit run (personal data is not allowed)")


def kiosk_id(value: Any, where: str = "kiosk_id") -> str:
    checked = string(value, where, KIOSK_ID_PATTERN)
    if checked in RESERVED_KIOSK_IDS:
        raise SchemaError(f"{where}: the id is reserved for the fleet monitor")
    return checked


def token(value: Any, where: str) -> str:
    return string(value, where, TOKEN_PATTERN)


def choice(value: Any, where: str, choices: Collection[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise SchemaError(f"{where}: must be one of {sorted(choices)}")
    return value


def optional(check: Callable[..., T], value: Any, where: str, *args: Any) -> T | None:
    return None if value is None else check(value, where, *args)


def token_list(value: Any, where: str, max_items: int) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        raise SchemaError(f"{where}: must be a list, got {type(value).__name__}")
    if len(value) > max_items:
        raise SchemaError(f"{where}: at most {max_items} items, got {len(value)}")
    items = tuple(token(item, f"{where}[{index}]") for index, item in enumerate(value))
    if len(set(items)) != len(items):
        raise SchemaError(f"{where}: items must be unique")
    return items
