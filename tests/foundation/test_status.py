"""DeviceStatus: lossless JSON round trip (hypothesis), validation, named state sets."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.status import (
    FRAUD_STATES,
    NEEDS_SERVICE_STATES,
    USABLE_STATES,
    DeviceState,
    DeviceStatus,
)

detail_values = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53),
                          st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
statuses = st.builds(
    DeviceStatus,
    device=st.text(min_size=1, max_size=20),
    state=st.sampled_from(list(DeviceState)),
    detail=st.dictionaries(st.text(max_size=10), detail_values, max_size=6),
    counters=st.dictionaries(st.text(max_size=10), st.integers(0, 2**62), max_size=6),
    since=st.floats(0, 4e9, allow_nan=False),
)


@settings(max_examples=500, deadline=None)
@given(statuses)
def test_json_round_trip_is_lossless(status: DeviceStatus) -> None:
    again = DeviceStatus.from_json(status.to_json())
    assert again == status
    assert again.to_dict() == status.to_dict()
    assert {k: type(v) for k, v in again.detail.items()} == {
        k: type(v) for k, v in status.detail.items()}


def test_wire_form_uses_xfs4iot_spelling() -> None:
    status = DeviceStatus("printer", DeviceState.HARDWARE_ERROR, {"paper": "jammed"},
                          {"pages": 12}, since=1.5)
    assert json.loads(status.to_json()) == {
        "device": "printer", "state": "hardwareError", "detail": {"paper": "jammed"},
        "counters": {"pages": 12}, "since": 1.5}


def test_status_is_immutable() -> None:
    status = DeviceStatus("binder", DeviceState.ONLINE, {"staples": 100}, {"cycles": 3})
    with pytest.raises(AttributeError):
        status.state = DeviceState.OFFLINE  # type: ignore[misc]
    with pytest.raises(TypeError):
        status.counters["cycles"] = 4  # type: ignore[index]


def test_evolve_moves_since_only_on_state_change() -> None:
    status = DeviceStatus("binder", DeviceState.ONLINE, since=10.0)
    same_state = status.evolve(detail={"staples": 5}, now=20.0)
    assert same_state.since == 10.0 and same_state.detail["staples"] == 5
    changed = status.evolve(state=DeviceState.HARDWARE_ERROR, now=30.0)
    assert changed.since == 30.0


@pytest.mark.parametrize(("data", "message"), [
    ({"device": "p", "state": "melted", "since": 1}, "unknown state 'melted'"),
    ({"device": "p", "state": "online"}, "missing field 'since'"),
    ({"device": "p", "state": "online", "since": 1, "colour": "red"}, "unknown field"),
    ({"device": "p", "state": "online", "since": 1, "counters": {"jams": -1}},
     "counters.jams must be >= 0"),
    ({"device": "p", "state": "online", "since": 1, "counters": {"jams": 1.5}},
     "counters.jams must be an int"),
    ({"device": "p", "state": "online", "since": 1, "detail": {"x": [1]}},
     "detail.x must be a JSON scalar"),
    ({"device": "", "state": "online", "since": 1}, "non-empty"),
    ([1, 2], "must be an object"),
])
def test_invalid_wire_forms_are_rejected(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DeviceStatus.from_dict(data)  # type: ignore[arg-type]


def test_non_finite_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="finite"):
        DeviceStatus("p", DeviceState.ONLINE, {"toner": math.inf})


def test_named_sets() -> None:
    assert DeviceStatus("p", DeviceState.DEVICE_BUSY).usable
    assert not DeviceStatus("p", DeviceState.HARDWARE_ERROR).usable
    assert USABLE_STATES.isdisjoint(NEEDS_SERVICE_STATES)
    assert FRAUD_STATES <= NEEDS_SERVICE_STATES
