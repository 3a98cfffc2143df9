"""The parts of the telemetry ``health`` message (docs/telemetry.md, "health").

Pure (standard library, ``kiosk.status`` and ``kiosk.errors``); part of the wire contract that
``kiosk.telemetry.protocol`` re-exports. Each part is a frozen dataclass that checks itself on
construction (``SchemaError``), with ``to_dict``/``from_dict`` for its JSON form. Unknown
values are ``null``: a kiosk without a receipt printer reports ``receipt_paper: "unknown"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any, ClassVar, Self

from kiosk.errors import SchemaError
from kiosk.status import DeviceStatus
from kiosk.telemetry import wire_fields as f

MAX_DEVICES = 32  # the kiosk has six devices; room for more without unbounded lists
MAX_UNAVAILABLE = 64  # documents or devices listed as unavailable while degraded
MAX_DETAIL_STRING = 128  # characters in one DeviceStatus detail value
MAX_COUNTER = f.MAX_SAFE_INT
SOFTWARE_VERSION_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}\Z")


class ServiceState(StrEnum):
    """Whether the kiosk takes citizens (same values as ``kiosk.view.ServiceState``)."""

    IN_SERVICE = "in_service"
    DEGRADED = "degraded"
    OUT_OF_SERVICE = "out_of_service"
    SERVICE_MODE = "service_mode"


class PaperState(StrEnum):
    """Receipt paper as the ESC/POS paper sensors report it (DLE EOT 4)."""

    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"
    UNKNOWN = "unknown"


class _Part:
    """Shared JSON mapping: every field is on the wire, by its own name."""

    _checks: ClassVar[Mapping[str, Any]]

    def __post_init__(self) -> None:
        where = type(self).__name__.lower()
        for name, check in self._checks.items():
            check(getattr(self, name), f"{where}.{name}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Self:
        names = [item.name for item in fields(cls)]  # type: ignore[arg-type]
        checked = f.fields(data, where, names)
        return cls(**{name: checked[name] for name in names})


def _opt_int(value: Any, where: str) -> None:
    f.optional(f.integer, value, where, 0, MAX_COUNTER)


def _opt_pct(value: Any, where: str) -> None:
    f.optional(f.integer, value, where, 0, 100)


def _opt_ms(value: Any, where: str) -> None:
    f.optional(f.number, value, where, 0.0, 3_600_000.0)


@dataclass(frozen=True)
class Consumables(_Part):
    """What runs out: A4 sheets, toner, receipt paper, staples and the retract bin."""

    a4_sheets_left: int | None = None
    toner_pct: int | None = None
    receipt_paper: str = PaperState.UNKNOWN.value
    staples_left: int | None = None
    retract_bin_count: int | None = None
    retract_bin_full: bool = False

    _checks: ClassVar[Mapping[str, Any]] = {
        "a4_sheets_left": _opt_int, "toner_pct": _opt_pct,
        "receipt_paper": lambda v, w: f.choice(v, w, {p.value for p in PaperState}),
        "staples_left": _opt_int, "retract_bin_count": _opt_int,
        "retract_bin_full": f.boolean,
    }


@dataclass(frozen=True)
class Wear(_Part):
    """Wear counters, monotonically increasing except across a part replacement."""

    binder_cycles: int | None = None
    binder_last_cycle_ms: float | None = None
    binder_jams: int | None = None
    printer_pages: int | None = None
    printer_jams: int | None = None
    fingerprint_captures: int | None = None
    fingerprint_failed_matches: int | None = None
    card_transactions: int | None = None
    card_errors: int | None = None

    _checks: ClassVar[Mapping[str, Any]] = {
        "binder_cycles": _opt_int, "binder_last_cycle_ms": _opt_ms, "binder_jams": _opt_int,
        "printer_pages": _opt_int, "printer_jams": _opt_int, "fingerprint_captures": _opt_int,
        "fingerprint_failed_matches": _opt_int, "card_transactions": _opt_int,
        "card_errors": _opt_int,
    }


@dataclass(frozen=True)
class ServiceInfo(_Part):
    """Service state: ``unavailable`` lists what is missing while degraded; ``reason`` is why
    the kiosk is out of service (a token such as ``binder.jam`` or ``fleet_command``)."""

    state: str = ServiceState.IN_SERVICE.value
    unavailable: tuple[str, ...] = ()
    reason: str | None = None

    _checks: ClassVar[Mapping[str, Any]] = {
        "state": lambda v, w: f.choice(v, w, {s.value for s in ServiceState}),
        "unavailable": lambda v, w: f.token_list(v, w, MAX_UNAVAILABLE),
        "reason": lambda v, w: f.optional(f.token, v, w),
    }

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", str(self.state))
        if isinstance(self.unavailable, list):
            object.__setattr__(self, "unavailable", tuple(self.unavailable))
        super().__post_init__()
        if self.state == ServiceState.OUT_OF_SERVICE and self.reason is None:
            raise SchemaError("serviceinfo.reason: required when out_of_service")

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "unavailable": list(self.unavailable),
                "reason": self.reason}


@dataclass(frozen=True)
class BackendHealth(_Part):
    """Whether the city issuance backend answered, and how fast (last probe)."""

    reachable: bool | None = None
    latency_ms: float | None = None

    _checks: ClassVar[Mapping[str, Any]] = {
        "reachable": lambda v, w: f.optional(f.boolean, v, w), "latency_ms": _opt_ms,
    }


@dataclass(frozen=True)
class OutboxHealth(_Part):
    """The durable outbox: events waiting for a fleet ack, its bound, fill flag and drops."""

    depth: int = 0
    capacity: int = 1
    near_full: bool = False
    dropped: int = 0

    _checks: ClassVar[Mapping[str, Any]] = {
        "depth": lambda v, w: f.integer(v, w, 0, MAX_COUNTER),
        "capacity": lambda v, w: f.integer(v, w, 1, MAX_COUNTER),
        "near_full": f.boolean, "dropped": lambda v, w: f.integer(v, w, 0, MAX_COUNTER),
    }


def device_status_from_wire(data: Any, where: str) -> DeviceStatus:
    """A ``DeviceStatus`` from its JSON form, with the wire contract's extra bounds."""
    if not isinstance(data, Mapping):
        raise SchemaError(f"{where}: must be an object")
    try:
        status = DeviceStatus.from_dict(data)
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"{where}: {f.masked(str(exc))}") from None
    check_device_status(status, where)
    return status


def check_device_status(status: DeviceStatus, where: str) -> None:
    """Bounds ``DeviceStatus`` itself leaves open: token names, short strings, safe ints."""
    if not isinstance(status, DeviceStatus):
        raise SchemaError(f"{where}: must be a DeviceStatus")
    f.token(status.device, f"{where}.device")
    f.timestamp(status.since, f"{where}.since")
    for key, value in status.detail.items():
        f.token(key, f"{where}.detail key")
        if isinstance(value, str):
            if len(value) > MAX_DETAIL_STRING:
                raise SchemaError(f"{where}.detail.{key}: longer than {MAX_DETAIL_STRING}")
            f.check_no_personal_digits(value, f"{where}.detail.{key}")
        if isinstance(value, int) and not isinstance(value, bool):
            f.integer(value, f"{where}.detail.{key}", -MAX_COUNTER, MAX_COUNTER)
    for key, value in status.counters.items():
        f.token(key, f"{where}.counters key")
        f.integer(value, f"{where}.counters.{key}", 0, MAX_COUNTER)
