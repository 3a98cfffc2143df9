"""The telemetry event kinds and the exact payload schema of each (docs/telemetry.md, "event").

Pure (standard library, ``kiosk.status`` and ``kiosk.errors``); part of the wire contract that
``kiosk.telemetry.protocol`` re-exports. Payload values are tokens, enumerations and numbers
only: no kind has a field that could carry a name, an RRN, a template or a card number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from kiosk.errors import SchemaError
from kiosk.status import DeviceState
from kiosk.telemetry import wire_fields as f


class EventKind(StrEnum):
    """What happened; each kind has its own payload schema (``PAYLOAD_SCHEMAS``)."""

    ISSUANCE = "issuance"
    JOB_MISMATCH = "job_mismatch"
    SATISFACTION = "satisfaction"
    DEVICE_FAULT = "device_fault"
    DEVICE_RECOVERED = "device_recovered"
    SERVICE_MODE_ENTERED = "service_mode_entered"
    SERVICE_MODE_EXITED = "service_mode_exited"
    SERVICE_ACTION = "service_action"
    PART_REPLACED = "part_replaced"
    REFILL = "refill"
    COMMAND_REJECTED = "command_rejected"


class IssuanceOutcome(StrEnum):
    """How an issuance ended (DESIGN.md, 'Issuance': the saga's terminal states)."""

    COMPLETED = "completed"
    VOIDED = "voided"
    REFUNDED = "refunded"
    RETRACTED = "retracted"
    FAILED = "failed"


#: Kinds the outbox never drops, whatever its fill level: the record of what was issued and
#: what was refused (docs/telemetry.md, "Outbox policy").
CRITICAL_KINDS: frozenset[EventKind] = frozenset({EventKind.ISSUANCE, EventKind.JOB_MISMATCH})

#: Upper bounds that keep payloads plausible (a kiosk issues ~8,000 documents a year).
MAX_PAGES = 10_000
MAX_COPIES = 100
MAX_FEE_WON = 10_000_000
MAX_SESSION_S = 86_400.0

Check = Callable[[Any, str], Any]


def _token(value: Any, where: str) -> str:
    return f.token(value, where)


def _outcome(value: Any, where: str) -> str:
    return f.choice(value, where, {item.value for item in IssuanceOutcome})


def _state(value: Any, where: str) -> str:
    return f.choice(value, where, {item.value for item in DeviceState})


def _int_range(low: int, high: int) -> Check:
    return lambda value, where: f.integer(value, where, low, high)


def _seconds(value: Any, where: str) -> float:
    return f.number(value, where, 0.0, MAX_SESSION_S * 366)


#: kind -> (required fields, optional fields), each field with its check.
PAYLOAD_SCHEMAS: Mapping[EventKind, tuple[Mapping[str, Check], Mapping[str, Check]]] = \
    MappingProxyType({
        EventKind.ISSUANCE: (
            {"document": _token, "outcome": _outcome, "pages": _int_range(0, MAX_PAGES),
             "copies": _int_range(1, MAX_COPIES), "fee_won": _int_range(0, MAX_FEE_WON),
             "session_s": lambda value, where: f.number(value, where, 0.0, MAX_SESSION_S)},
            {"failure": _token}),
        EventKind.JOB_MISMATCH: ({"reason": _token}, {"document": _token}),
        EventKind.SATISFACTION: ({"score": _int_range(1, 5)}, {"document": _token}),
        EventKind.DEVICE_FAULT: ({"device": _token, "state": _state}, {"fault": _token}),
        EventKind.DEVICE_RECOVERED: ({"device": _token, "state": _state}, {"down_s": _seconds}),
        EventKind.SERVICE_MODE_ENTERED: ({"trigger": _token}, {}),
        EventKind.SERVICE_MODE_EXITED: ({}, {"duration_s": _seconds}),
        EventKind.SERVICE_ACTION: ({"action": _token}, {"device": _token, "result": _token}),
        EventKind.PART_REPLACED: ({"device": _token, "part": _token},
                                  {"counter_before": _int_range(0, f.MAX_SAFE_INT)}),
        EventKind.REFILL: ({"device": _token, "consumable": _token},
                           {"amount": _int_range(0, 1_000_000)}),
        EventKind.COMMAND_REJECTED: ({"reason": _token}, {"command": _token}),
    })


def event_kind(value: Any, where: str = "kind") -> EventKind:
    """Parse a kind, raising ``SchemaError`` for anything not in ``EventKind``."""
    return EventKind(f.choice(value, where, {item.value for item in EventKind}))


def check_payload(kind: EventKind, payload: Any) -> dict[str, Any]:
    """The payload of ``kind`` checked field by field; returns a plain copy.

    Raises:
        SchemaError: missing, unknown or ill-typed field (the message names it).
    """
    required, optional = PAYLOAD_SCHEMAS[kind]
    where = f"payload({kind.value})"
    data = f.fields(payload, where, required, optional)
    checked: dict[str, Any] = {}
    for name, value in data.items():
        check = required.get(name) or optional[name]
        if value is None:
            if name in required:
                raise SchemaError(f"{where}.{name}: must not be null")
            continue
        checked[name] = check(value, f"{where}.{name}")
    return checked
