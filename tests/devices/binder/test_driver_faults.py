"""The binder driver against its emulator over a real pty, for every binder fault: the status
it reports, the error it raises, and recovery (within 5 s, no restart) once the fault clears."""

from __future__ import annotations

import pytest

from kiosk.devices.binder.codec import MediaRetracted, RetractReason
from kiosk.devices.binder.driver import MediaOutcome
from kiosk.errors import DeviceOperationError
from kiosk.status import DeviceState
from tests.devices.binder.conftest import BinderRig
from tests.devices.framing.harness import RECOVERY_S, wait_for


def bind_refused(rig: BinderRig, fault: str) -> None:
    with pytest.raises(DeviceOperationError) as caught:
        rig.device.bind(3)
    assert caught.value.fault == fault
    assert caught.value.code == "device.operation"


def test_paper_jam_needs_the_technician(rig: BinderRig) -> None:
    rig.fault("jam")
    rig.wait_state(DeviceState.HARDWARE_ERROR)
    detail = rig.device.status.detail
    assert (detail["jam"], detail["media"], detail["reason"]) == ("paper", "jammed", "paper_jam")
    assert rig.device.status.counters["jams"] == 1
    bind_refused(rig, "paper_jam")
    with pytest.raises(DeviceOperationError) as caught:
        rig.device.clear_jam()  # reversing the stapler does not free a sheet
    assert caught.value.fault == "paper_jam"
    rig.fault("jam", active=False)
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    assert rig.device.status.detail["jam"] == "none"
    assert "reason" not in rig.device.status.detail
    assert rig.device.bind(3).staples_fired == 2


def test_staple_jam_is_cleared_by_reversing(rig: BinderRig) -> None:
    rig.fault("jam", kind="staple")
    rig.wait_state(DeviceState.HARDWARE_ERROR)
    assert rig.device.status.detail["jam"] == "staple"
    bind_refused(rig, "staple_jam")
    rig.device.clear_jam()
    rig.wait_state(DeviceState.ONLINE)
    assert rig.device.bind(2).staples_fired == 2


def test_staples_low_keeps_binding(rig: BinderRig) -> None:
    rig.fault("staples_low", left=12)
    wait_for(lambda: rig.device.status.detail["staples"] == "low")
    assert rig.device.status.state is DeviceState.ONLINE
    rig.device.bind(4)
    rig.device.refresh_status()
    assert rig.device.status.detail["staples_left"] == 10
    rig.fault("staples_low", active=False)
    wait_for(lambda: rig.device.status.detail["staples"] == "ok")


def test_staples_out_refuses_binding_but_presents_single_sheets(rig: BinderRig) -> None:
    rig.fault("staples_out")
    wait_for(lambda: rig.device.status.detail["staples"] == "out")
    assert rig.device.status.state is DeviceState.ONLINE  # supplies are detail, not state
    bind_refused(rig, "staples_out")
    job = rig.device.present(take_timeout_s=30)
    assert rig.device.wait_removed(job, 2) is MediaOutcome.TAKEN
    rig.fault("staples_out", active=False)
    wait_for(lambda: rig.device.status.detail["staples"] == "ok")
    assert rig.device.bind(3).staples_fired == 2


def test_motor_fault(rig: BinderRig) -> None:
    rig.fault("motor_fault")
    rig.wait_state(DeviceState.HARDWARE_ERROR)
    assert rig.device.status.detail["motor"] == "fault"
    bind_refused(rig, "motor_fault")
    with pytest.raises(DeviceOperationError) as caught:
        rig.device.reset()
    assert caught.value.fault == "motor_fault"
    rig.fault("motor_fault", active=False)
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    rig.device.bind(3)


def test_worn_unit_slows_down_jams_and_is_reset_by_unit_replacement(rig: BinderRig) -> None:
    fresh = rig.device.bind(10)
    rig.fault("worn")
    wait_for(lambda: rig.device.status.detail["wear"] == "near_end")
    assert rig.device.status.detail["wear_percent"] == pytest.approx(95.0)
    worn = rig.device.bind(10)
    assert worn.cycle_ms > 1.4 * fresh.cycle_ms  # x (1 + 0.6 w^2), +-3 % jitter
    assert worn.motor_peak_ma > fresh.motor_peak_ma
    rig.device.refresh_status()
    assert rig.device.status.detail["last_cycle_ms"] == worn.cycle_ms
    rig.fault("worn", fraction=1.3)
    wait_for(lambda: rig.device.status.detail["wear"] == "over")
    jams_before = rig.device.status.counters["jams"]
    for _ in range(100):  # about one jam in ten cycles past rated life
        try:
            rig.device.bind(3)
        except DeviceOperationError as exc:
            assert exc.fault == "staple_jam"
            break
    else:
        pytest.fail("a unit past its rated life never jammed in 100 cycles")
    rig.wait_state(DeviceState.HARDWARE_ERROR)
    rig.device.clear_jam()
    rig.wait_state(DeviceState.ONLINE)
    assert rig.device.status.counters["jams"] == jams_before + 1
    cycles = rig.device.status.counters["cycles"]
    status = rig.device.replace_unit(rated_cycles=150_000)
    assert (status.unit_cycles, status.unit_rated_cycles) == (0, 150_000)
    detail, counters = rig.device.status.detail, rig.device.status.counters
    assert (detail["wear"], detail["wear_cycles"]) == ("ok", 0)
    assert counters["unit_replacements"] == 1
    assert counters["cycles"] == cycles  # lifetime counters never go back


def test_not_taken_is_retracted_after_the_take_timeout(rig: BinderRig) -> None:
    rig.fault("not_taken")
    job = rig.device.present(take_timeout_s=1)
    wait_for(lambda: rig.device.status.detail["media"] == "present")
    assert rig.device.wait_removed(job, 3) is MediaOutcome.RETRACTED
    wait_for(lambda: rig.device.status.counters.get("retracted") == 1)
    assert rig.device.status.detail["retract_bin_count"] == 1
    assert rig.device.status.detail["media"] == "retracted"
    assert MediaRetracted(job, RetractReason.TAKE_TIMEOUT) in rig.events
    rig.fault("not_taken", active=False)
    job = rig.device.present()
    assert rig.device.wait_removed(job, 2) is MediaOutcome.TAKEN


def test_a_second_document_cannot_be_presented_over_the_first(rig: BinderRig) -> None:
    rig.fault("not_taken")
    first = rig.device.present(take_timeout_s=30)
    with pytest.raises(DeviceOperationError) as caught:
        rig.device.present()
    assert caught.value.fault == "media_at_exit"
    rig.device.retract(first)
    assert rig.device.wait_removed(first, 2) is MediaOutcome.RETRACTED
    assert MediaRetracted(first, RetractReason.HOST) in rig.events


def test_retract_bin_full(rig: BinderRig) -> None:
    rig.fault("retract_bin_full")
    rig.wait_state(DeviceState.HARDWARE_ERROR)
    assert rig.device.status.detail["retract_bin"] == "full"
    with pytest.raises(DeviceOperationError) as caught:
        rig.device.present()
    assert caught.value.fault == "retract_bin_full"
    rig.fault("retract_bin_full", active=False)
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    assert rig.device.status.detail["retract_bin_count"] == 0


def test_cover_open_is_a_user_error(rig: BinderRig) -> None:
    rig.fault("cover_open")
    rig.wait_state(DeviceState.USER_ERROR)
    assert rig.device.status.detail["cover"] == "open"
    bind_refused(rig, "cover_open")
    status = rig.device.replace_cartridge(5000)  # what a technician does with the cover open
    assert status.staples_left == 5000
    rig.fault("cover_open", active=False)
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    assert rig.device.status.counters["cartridges_replaced"] == 1
    rig.device.bind(3)
