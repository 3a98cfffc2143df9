"""The binder driver through the common faults (silent, garbage, slow, unplug/replug) and the
link rules of framing.md that keep a retransmitted BIND from stapling twice."""

from __future__ import annotations

import threading
import time

import pytest

from kiosk.devices.binder.codec import BindDone, MediaTaken, PresentDone
from kiosk.devices.binder.driver import MediaOutcome
from kiosk.errors import DeviceTimeout, DeviceUnavailable
from kiosk.status import DeviceState
from tests.devices.binder.conftest import BinderRig
from tests.devices.framing.harness import RECOVERY_S, wait_for


def test_a_whole_document_and_its_events(rig: BinderRig) -> None:
    report = rig.device.bind(5)
    job = rig.device.present(job=report.job, take_timeout_s=60)
    assert job == report.job
    assert rig.device.wait_removed(job, 2) is MediaOutcome.TAKEN
    wait_for(lambda: any(isinstance(event, MediaTaken) for event in rig.events))
    kinds = [type(event) for event in rig.events if not hasattr(event, "flags")]
    assert kinds[:3] == [BindDone, PresentDone, MediaTaken]
    rig.device.refresh_status()
    counters = rig.device.status.counters
    assert (counters["cycles"], counters["staples_used"], counters["presented"],
            counters["taken"]) == (1, 2, 1, 1)
    assert rig.emulator.counters["taken"] == 1


def test_silent_device_times_out_goes_offline_and_recovers(rig: BinderRig) -> None:
    rig.fault("silent")
    started = time.monotonic()
    with pytest.raises(DeviceTimeout):
        rig.device.bind(3)
    assert time.monotonic() - started < 1.5  # two attempts within timeout_s = 1 s
    assert rig.device.status.counters["retransmits"] >= 1
    rig.wait_state(DeviceState.OFFLINE)
    assert rig.device.status.detail["reason"] == "device.timeout"
    rig.fault("silent", active=False)
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    rig.device.bind(3)


def test_garbage_before_every_reply_is_skipped(rig: BinderRig) -> None:
    rig.fault("garbage", bytes=9)
    for _ in range(5):
        rig.device.bind(2)
        rig.device.refresh_status()
    assert rig.device.status.counters["protocol_errors"] >= 10
    assert rig.emulator.counters["cycles"] == 5
    rig.fault("garbage", active=False)
    assert rig.device.status.state is DeviceState.ONLINE


def test_a_late_response_is_retransmitted_for_and_the_bind_runs_once(rig: BinderRig) -> None:
    rig.fault("slow", seconds=0.7)  # later than one attempt (0.5 s), within the deadline
    report = rig.device.bind(3)
    assert report.staples_fired == 2
    assert rig.device.status.counters["retransmits"] >= 1
    assert rig.emulator.link["duplicates"] >= 1
    assert rig.emulator.counters["cycles"] == 1  # the retransmitted BIND was not executed
    rig.fault("slow", active=False)


def test_too_slow_device_times_out_and_recovers(rig: BinderRig) -> None:
    rig.fault("slow", seconds=1.5)
    with pytest.raises(DeviceTimeout):
        rig.device.refresh_status()
    rig.wait_state(DeviceState.OFFLINE)
    rig.fault("slow", active=False)
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S


def test_unplug_and_replug_recover_without_restart(rig: BinderRig) -> None:
    rig.device.bind(3)
    rig.link.close()
    rig.wait_state(DeviceState.NO_DEVICE)
    with pytest.raises(DeviceUnavailable):
        rig.device.bind(3)
    rig.link.open()
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    assert rig.device.status.counters["reconnects"] >= 2
    assert rig.device.status.counters["cycles"] == 1  # re-read from the device
    rig.device.bind(3)
    wait_for(lambda: rig.device.status.counters["cycles"] == 2)


def test_unplug_during_a_wait_raises_at_once(rig: BinderRig) -> None:
    rig.fault("not_taken")
    job = rig.device.present(take_timeout_s=60)
    errors: list[BaseException] = []

    def wait() -> None:
        try:
            rig.device.wait_removed(job, 10)
        except BaseException as exc:
            errors.append(exc)

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.1)
    rig.link.close()
    waiter.join(timeout=3)
    assert not waiter.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], DeviceUnavailable)
    rig.link.open()
    rig.wait_state(DeviceState.ONLINE)


def test_a_lost_taken_event_is_recovered_from_status(rig: BinderRig) -> None:
    rig.fault("not_taken")
    job = rig.device.present(take_timeout_s=60)
    rig.fault("silent")  # the MEDIA_TAKEN event and its retransmissions are lost
    rig.emulator.act("take")
    wait_for(lambda: rig.emulator.link["events_dropped"] == 1)
    rig.fault("silent", active=False)
    rig.wait_state(DeviceState.ONLINE)
    assert not any(isinstance(event, MediaTaken) for event in rig.events)
    assert rig.device.wait_removed(job, 0.3) is MediaOutcome.TAKEN  # from STATUS's exit_state


def test_listeners_may_not_call_the_driver(rig: BinderRig) -> None:
    problems: list[BaseException] = []

    def calls_back(event: object) -> None:
        if isinstance(event, BindDone):
            try:
                rig.device.refresh_status()
            except RuntimeError as exc:
                problems.append(exc)

    rig.device.add_event_listener(calls_back)
    rig.device.bind(3)
    wait_for(lambda: problems)
    assert "listeners must not call the driver" in str(problems[0])
    rig.device.remove_event_listener(calls_back)


def test_arguments_are_checked_before_anything_is_sent(rig: BinderRig) -> None:
    for bad in (lambda: rig.device.bind(1), lambda: rig.device.bind(51),
                lambda: rig.device.present(take_timeout_s=0),
                lambda: rig.device.bind(3, job=0)):
        with pytest.raises(ValueError):
            bad()
    assert (rig.emulator.counters["cycles"], rig.emulator.counters["presented"]) == (0, 0)
