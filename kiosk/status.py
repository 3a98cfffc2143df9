"""The one device status model: XFS4IoT device states and an immutable ``DeviceStatus``.

Follows the CEN XFS4IoT (CWA 17852) common status vocabulary (``Common.StatusClass.Device``):
online, offline, powerOff, noDevice, hardwareError, userError, deviceBusy, fraudAttempt,
potentialFraud, starting. Every driver reports a ``DeviceStatus``, replaced (never mutated) on
each change; telemetry and the UI read it; "can we issue?" is derived from these, not stored.

JSON form (lossless round trip)::

    {"device": "printer", "state": "online", "detail": {"paper": "low"},
     "counters": {"pages": 1200}, "since": 1732345200.25}
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

DetailValue = str | int | float | bool | None


class DeviceState(StrEnum):
    """XFS4IoT ``Common.StatusClass.Device`` values, spelled as on the wire."""

    ONLINE = "online"
    OFFLINE = "offline"
    POWER_OFF = "powerOff"
    NO_DEVICE = "noDevice"
    HARDWARE_ERROR = "hardwareError"
    USER_ERROR = "userError"
    DEVICE_BUSY = "deviceBusy"
    FRAUD_ATTEMPT = "fraudAttempt"
    POTENTIAL_FRAUD = "potentialFraud"
    STARTING = "starting"


#: States in which the device can take work now (busy devices finish and take the next job).
USABLE_STATES: frozenset[DeviceState] = frozenset({DeviceState.ONLINE, DeviceState.DEVICE_BUSY})
#: States that need a technician (or at least a person) to fix.
NEEDS_SERVICE_STATES: frozenset[DeviceState] = frozenset({
    DeviceState.HARDWARE_ERROR, DeviceState.USER_ERROR, DeviceState.FRAUD_ATTEMPT,
    DeviceState.POTENTIAL_FRAUD, DeviceState.NO_DEVICE, DeviceState.POWER_OFF,
})
#: States in which the device is not reachable at all.
UNREACHABLE_STATES: frozenset[DeviceState] = frozenset({
    DeviceState.OFFLINE, DeviceState.POWER_OFF, DeviceState.NO_DEVICE,
})
#: States that suggest someone is tampering with the machine.
FRAUD_STATES: frozenset[DeviceState] = frozenset({
    DeviceState.FRAUD_ATTEMPT, DeviceState.POTENTIAL_FRAUD,
})
#: Transitional states: wait before judging.
TRANSITIONAL_STATES: frozenset[DeviceState] = frozenset({
    DeviceState.STARTING, DeviceState.DEVICE_BUSY,
})


def _check_detail(device: str, detail: Mapping[str, Any]) -> dict[str, DetailValue]:
    checked: dict[str, DetailValue] = {}
    for key, value in detail.items():
        if not isinstance(key, str):
            raise TypeError(f"{device}: detail key must be str, got {type(key).__name__}")
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise TypeError(f"{device}: detail.{key} must be a JSON scalar, "
                            f"got {type(value).__name__}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{device}: detail.{key} must be finite, got {value}")
        checked[key] = value
    return checked


def _check_counters(device: str, counters: Mapping[str, Any]) -> dict[str, int]:
    checked: dict[str, int] = {}
    for key, value in counters.items():
        if not isinstance(key, str):
            raise TypeError(f"{device}: counter name must be str, got {type(key).__name__}")
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{device}: counters.{key} must be an int, "
                            f"got {type(value).__name__}")
        if value < 0:
            raise ValueError(f"{device}: counters.{key} must be >= 0, got {value}")
        checked[key] = value
    return checked


@dataclass(frozen=True)
class DeviceStatus:
    """One device's status at one moment; immutable, replaced on every change.

    Attributes:
        device: the device's name (``printer``, ``binder``, ...).
        state: the XFS4IoT device state.
        detail: per-class detail (paper/toner/jam, staples/wear, media, sensor state), JSON
            scalars only.
        counters: monotonically increasing counters (pages, cycles, jams, ...).
        since: when ``state`` was entered, seconds since the Unix epoch (UTC).
    """

    device: str
    state: DeviceState
    detail: Mapping[str, DetailValue] = field(default_factory=dict)
    counters: Mapping[str, int] = field(default_factory=dict)
    since: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        if not isinstance(self.device, str) or not self.device:
            raise ValueError("device name must be a non-empty string")
        object.__setattr__(self, "state", DeviceState(self.state))
        object.__setattr__(self, "detail",
                           MappingProxyType(_check_detail(self.device, self.detail)))
        object.__setattr__(self, "counters",
                           MappingProxyType(_check_counters(self.device, self.counters)))
        if isinstance(self.since, bool) or not isinstance(self.since, (int, float)):
            raise TypeError(f"{self.device}: since must be a number")
        if not math.isfinite(self.since):
            raise ValueError(f"{self.device}: since must be finite")
        object.__setattr__(self, "since", float(self.since))

    def __hash__(self) -> int:
        return hash((self.device, self.state, tuple(sorted(self.detail.items())),
                     tuple(sorted(self.counters.items())), self.since))

    @property
    def usable(self) -> bool:
        """True if the device can take work now."""
        return self.state in USABLE_STATES

    def evolve(self, *, state: DeviceState | None = None,
               detail: Mapping[str, DetailValue] | None = None,
               counters: Mapping[str, int] | None = None,
               now: float | None = None) -> DeviceStatus:
        """A new status with the given fields replaced; ``since`` moves only if state changes."""
        new_state = self.state if state is None else DeviceState(state)
        since = self.since
        if new_state != self.state:
            since = time.time() if now is None else now
        return replace(self, state=new_state,
                       detail=dict(self.detail if detail is None else detail),
                       counters=dict(self.counters if counters is None else counters),
                       since=since)

    def same_as(self, other: DeviceStatus) -> bool:
        """Equal apart from ``since``: used to suppress change events that change nothing."""
        return (self.device == other.device and self.state == other.state
                and dict(self.detail) == dict(other.detail)
                and dict(self.counters) == dict(other.counters))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``from_dict`` restores an equal status."""
        return {"device": self.device, "state": self.state.value, "detail": dict(self.detail),
                "counters": dict(self.counters), "since": self.since}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeviceStatus:
        """Parse the JSON form.

        Raises:
            ValueError: a field is missing, unknown or of the wrong type (message names it).
        """
        if not isinstance(data, Mapping):
            raise ValueError("device status must be an object")
        unknown = set(data) - {"device", "state", "detail", "counters", "since"}
        if unknown:
            raise ValueError(f"device status: unknown field(s) {sorted(unknown)}")
        for required in ("device", "state", "since"):
            if required not in data:
                raise ValueError(f"device status: missing field {required!r}")
        try:
            state = DeviceState(data["state"])
        except ValueError:
            raise ValueError(f"device status: unknown state {data['state']!r}") from None
        detail = data.get("detail", {})
        counters = data.get("counters", {})
        if not isinstance(detail, Mapping) or not isinstance(counters, Mapping):
            raise ValueError("device status: detail and counters must be objects")
        try:
            return cls(device=data["device"], state=state, detail=detail,
                       counters=counters, since=data["since"])
        except TypeError as exc:
            raise ValueError(f"device status: {exc}") from None

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True,
                          allow_nan=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> DeviceStatus:
        return cls.from_dict(json.loads(text))
