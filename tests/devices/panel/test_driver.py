"""The panel driver against its emulator over a real pty: key events to listeners, headset,
service key, door and tamper (fraud states), the common faults and replug recovery."""

from __future__ import annotations

import pytest

from kiosk.devices.panel.codec import (
    DoorChanged,
    HeadsetChanged,
    Key,
    KeyPressed,
    ServiceKeyChanged,
    ServiceKeyPosition,
    TamperChanged,
)
from kiosk.errors import DeviceTimeout, DeviceUnavailable
from kiosk.status import DeviceState
from tests.devices.framing.harness import RECOVERY_S, wait_for
from tests.devices.panel.conftest import PanelRig

ALL_KEYS = [*"0123456789", "*", "#", "enter", "cancel", "help", "vol_up", "vol_down"]


def key_events(rig: PanelRig) -> list[Key]:
    return [event.key for event in rig.events if isinstance(event, KeyPressed)]


def test_every_key_reaches_the_listener_in_order(rig: PanelRig) -> None:
    for label in ALL_KEYS:
        assert rig.emulator.act("key", {"key": label}) == {"key": label}
    wait_for(lambda: len(key_events(rig)) == len(ALL_KEYS))
    assert [key.label for key in key_events(rig)] == ALL_KEYS
    rig.device.refresh_status()
    assert rig.device.status.counters["key_presses"] == len(ALL_KEYS)
    assert rig.device.status.counters["duplicates"] == 0


def test_repeated_presses_are_distinct_events(rig: PanelRig) -> None:
    for _ in range(3):
        rig.emulator.act("key", {"key": "1"})
    wait_for(lambda: len(key_events(rig)) == 3)


def test_headset_jack(rig: PanelRig) -> None:
    rig.emulator.act("headset", {"plugged": True})
    wait_for(lambda: rig.device.status.detail["headset"] == "plugged")
    assert rig.device.inputs.headset_plugged
    rig.emulator.act("headset", {"plugged": False})
    wait_for(lambda: rig.device.status.detail["headset"] == "unplugged")
    assert [e for e in rig.events if isinstance(e, HeadsetChanged)] == [
        HeadsetChanged(True), HeadsetChanged(False)]
    assert rig.device.status.state is DeviceState.ONLINE


def test_door_open_without_the_service_key_is_potential_fraud(rig: PanelRig) -> None:
    rig.fault("door_open")
    rig.wait_state(DeviceState.POTENTIAL_FRAUD)
    assert rig.device.status.detail["door"] == "open"
    assert rig.device.status.detail["reason"] == "door_open_without_key"
    assert DoorChanged(True) in rig.events
    rig.fault("door_open", active=False)
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    rig.device.refresh_status()
    assert rig.device.status.counters["door_openings"] == 1


def test_a_technician_with_the_key_opens_the_door(rig: PanelRig) -> None:
    rig.emulator.act("service_key", {"position": "maintenance"})
    wait_for(lambda: rig.device.status.detail["service_key"] == "maintenance")
    rig.emulator.act("door", {"open": True})
    wait_for(lambda: rig.device.status.detail["door"] == "open")
    assert rig.device.status.state is DeviceState.ONLINE
    rig.emulator.act("service_key", {"position": "run"})  # key back while the door is open
    rig.wait_state(DeviceState.POTENTIAL_FRAUD)
    rig.emulator.act("service_key", {"position": "supervisor"})
    rig.wait_state(DeviceState.ONLINE)
    assert [e.position for e in rig.events if isinstance(e, ServiceKeyChanged)] == [
        ServiceKeyPosition.MAINTENANCE, ServiceKeyPosition.RUN, ServiceKeyPosition.SUPERVISOR]


def test_tamper_is_a_fraud_attempt(rig: PanelRig) -> None:
    rig.emulator.act("service_key", {"position": "maintenance"})
    rig.fault("tamper")
    rig.wait_state(DeviceState.FRAUD_ATTEMPT)  # even with the key turned
    assert rig.device.status.detail["tamper"] == "active"
    assert TamperChanged(True) in rig.events
    rig.fault("tamper", active=False)
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    rig.device.refresh_status()
    assert rig.device.status.counters["tamper_events"] == 1


def test_bad_actions_are_refused_with_a_clear_message(rig: PanelRig) -> None:
    with pytest.raises(ValueError, match="unknown key"):
        rig.emulator.act("key", {"key": "F1"})
    with pytest.raises(ValueError, match="true or false"):
        rig.emulator.act("headset", {"plugged": "yes"})
    with pytest.raises(ValueError, match="maintenance"):
        rig.emulator.act("service_key", {"position": "off"})


def test_switch_positions_survive_a_replug(rig: PanelRig) -> None:
    rig.emulator.act("headset", {"plugged": True})
    wait_for(lambda: rig.device.status.detail["headset"] == "plugged")
    rig.link.close()
    rig.wait_state(DeviceState.NO_DEVICE)
    with pytest.raises(DeviceUnavailable):
        rig.device.ping()
    rig.emulator.act("door", {"open": True})  # changed while unplugged: no event reaches us
    rig.link.open()
    assert rig.wait_state(DeviceState.POTENTIAL_FRAUD) < RECOVERY_S  # learnt from STATUS
    assert rig.device.status.detail["headset"] == "plugged"


def test_key_presses_while_the_host_is_away_are_counted_as_dropped(rig: PanelRig) -> None:
    rig.device.stop()
    rig.emulator.act("key", {"key": "5"})
    wait_for(lambda: rig.emulator.link["events_dropped"] == 1, timeout_s=3)
    rig.device.start()
    rig.wait_state(DeviceState.ONLINE)
    wait_for(lambda: rig.device.status.counters.get("device_events_dropped") == 1)
    assert key_events(rig) == []


def test_silent_garbage_and_slow(rig: PanelRig) -> None:
    assert rig.device.ping(b"abc") == b"abc"
    rig.fault("silent")
    with pytest.raises(DeviceTimeout):
        rig.device.ping()
    rig.wait_state(DeviceState.OFFLINE)
    rig.fault("silent", active=False)
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    rig.fault("garbage", bytes=12)
    for index in range(10):
        assert rig.device.ping(bytes([index])) == bytes([index])
    rig.emulator.act("key", {"key": "#"})
    wait_for(lambda: Key.HASH in key_events(rig))
    rig.fault("garbage", active=False)
    rig.fault("slow", seconds=1.2)
    with pytest.raises(DeviceTimeout):
        rig.device.ping()
    rig.fault("slow", active=False)
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    assert rig.device.ping(b"ok") == b"ok"
