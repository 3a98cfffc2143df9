"""The fingerprint driver against the emulator over a real pty: every fault, the status it
reports, the error it raises, and recovery after the fault clears or after a replug."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.devices.fingerprint.codes import AuraColour, AuraMode, Confirmation
from kiosk.devices.fingerprint.driver import FingerprintSensor
from kiosk.devices.fingerprint.outcomes import (
    CaptureCancelled,
    FakeFinger,
    NoFinger,
    PoorImage,
    SensorFault,
)
from kiosk.errors import DeviceOperationError, DeviceTimeout, DeviceUnavailable
from kiosk.status import DeviceState
from sim.devices.fingerprint import IMPOSTOR, FingerprintEmulator
from sim.subjects_fingers import template_for
from tests.devices.fingerprint.conftest import Rig, make_rig, wait_for

SUBJECT = "hong-gildong"


def place(rig: Rig, subject: str = SUBJECT, finger: int = 0) -> None:
    rig.emulator.act("place", {"subject": subject, "finger": finger})


def background_capture(sensor: FingerprintSensor,
                       result: list[bytes | Exception]) -> threading.Thread:
    """Capture in another thread (as the core does), keeping the template or the error."""

    def capture() -> None:
        try:
            result.append(sensor.capture_template(5.0))
        except Exception as exc:
            result.append(exc)

    worker = threading.Thread(target=capture)
    worker.start()
    return worker


def test_connect_handshakes_and_reports_the_sensor(rig: Rig) -> None:
    sensor = rig.sensor()
    sensor.connect()
    status = sensor.status
    assert status.state is DeviceState.ONLINE
    assert dict(status.detail) == {"sensor": "idle", "hint": None, "confirmation": None,
                                   "library_size": 1000, "security_level": 3,
                                   "templates": 0, "aura": True}
    assert status.counters["captures"] == 0
    assert sensor.parameters is not None and sensor.parameters.baudrate == 57600
    assert rig.emulator.password_verified
    assert rig.emulator.aura == (AuraMode.OFF, AuraColour.BLUE)


def test_capture_returns_the_subjects_template_and_clears_the_sensor(rig: Rig) -> None:
    sensor = rig.sensor()
    sensor.connect()
    place(rig, finger=2)
    template = sensor.capture_template(1.0)
    assert template == template_for(SUBJECT, 2)
    assert sensor.status.state is DeviceState.ONLINE
    assert sensor.status.detail["sensor"] == "captured"
    assert sensor.status.counters["captures"] == 1
    assert sensor.status.counters["captures_failed"] == 0
    wait_for(lambda: rig.emulator.char_buffers[1] == bytes(len(template)))
    assert rig.emulator.aura == (AuraMode.FLASHING, AuraColour.PURPLE)


def test_waits_for_a_finger_while_busy(rig: Rig) -> None:
    sensor = rig.sensor()
    sensor.connect()
    result: list[bytes | Exception] = []
    worker = background_capture(sensor, result)
    try:
        wait_for(lambda: sensor.status.detail["sensor"] == "waiting_for_finger")
        assert sensor.status.state is DeviceState.DEVICE_BUSY
        assert sensor.status.detail["hint"] == "fingerprint.hint.place_finger"
        wait_for(lambda: rig.emulator.aura == (AuraMode.BREATHING, AuraColour.BLUE))
        place(rig, "kim-minji")
    finally:
        worker.join(timeout=5)
    assert result == [template_for("kim-minji")]


def test_cancel_stops_the_wait(rig: Rig) -> None:
    sensor = rig.sensor()
    sensor.connect()
    result: list[bytes | Exception] = []
    worker = background_capture(sensor, result)
    try:
        wait_for(lambda: sensor.status.state is DeviceState.DEVICE_BUSY)
    finally:
        sensor.cancel_capture()
        worker.join(timeout=5)
    assert len(result) == 1 and isinstance(result[0], CaptureCancelled)
    assert result[0].code == "fingerprint.cancelled"
    assert sensor.status.state is DeviceState.ONLINE
    assert sensor.status.detail["sensor"] == "idle"
    assert sensor.status.counters["cancelled"] == 1
    assert sensor.status.counters["captures_failed"] == 0
    assert rig.emulator.aura == (AuraMode.OFF, AuraColour.BLUE)


def test_no_finger_fault(rig: Rig) -> None:
    sensor = rig.sensor()
    sensor.connect()
    place(rig)
    rig.emulator.set_fault("no_finger")
    with pytest.raises(NoFinger) as caught:
        sensor.capture_template(0.3)
    assert caught.value.code == "fingerprint.no_finger"
    assert caught.value.fault == Confirmation.NO_FINGER
    status = sensor.status
    assert status.state is DeviceState.ONLINE
    assert (status.detail["sensor"], status.detail["hint"]) == (
        "no_finger", "fingerprint.hint.place_finger")
    assert (status.counters["no_finger"], status.counters["captures_failed"]) == (1, 1)
    assert rig.emulator.aura == (AuraMode.FLASHING, AuraColour.RED)
    rig.emulator.set_fault("no_finger", active=False)
    assert sensor.capture_template(1.0) == template_for(SUBJECT)
    assert sensor.status.detail["sensor"] == "captured"


def test_no_match_fault_yields_another_persons_template(rig: Rig) -> None:
    sensor = rig.sensor()
    sensor.connect()
    place(rig)
    rig.emulator.set_fault("no_match")
    template = sensor.capture_template(1.0)
    assert template != template_for(SUBJECT)
    assert template == template_for(IMPOSTOR)
    assert sensor.status.detail["sensor"] == "captured"  # the backend decides, not the sensor
    rig.emulator.set_fault("no_match", active=False)
    assert sensor.capture_template(1.0) == template_for(SUBJECT)


@pytest.mark.parametrize(("kind", "code", "hint"), [
    ("wet", 0x05, "fingerprint.hint.wet"),
    ("dry", 0x07, "fingerprint.hint.dry"),
    ("messy", 0x06, "fingerprint.hint.messy"),
    ("disorderly", 0x04, "fingerprint.hint.messy"),
])
def test_wet_fault_gives_a_poor_image_with_a_hint(rig: Rig, kind: str, code: int,
                                                  hint: str) -> None:
    sensor = rig.sensor()
    sensor.connect()
    place(rig)
    rig.emulator.set_fault("wet", params={"kind": kind})
    with pytest.raises(PoorImage) as caught:
        sensor.capture_template(1.0)
    assert (caught.value.code, caught.value.message_key, caught.value.fault) == (
        "fingerprint.poor_image", hint, code)
    status = sensor.status
    assert status.state is DeviceState.ONLINE
    assert (status.detail["sensor"], status.detail["hint"], status.detail["confirmation"]) == (
        "poor_image", hint, code)
    assert status.counters["poor_images"] == 1
    rig.emulator.set_fault("wet", active=False)
    assert sensor.capture_template(1.0) == template_for(SUBJECT)
    assert sensor.status.detail["hint"] is None


def test_fake_fault_reports_potential_fraud(rig: Rig) -> None:
    sensor = rig.sensor()
    sensor.connect()
    place(rig)
    rig.emulator.set_fault("fake")
    with pytest.raises(FakeFinger) as caught:
        sensor.capture_template(1.0)
    assert caught.value.code == "fingerprint.fake_finger"
    assert caught.value.message_key == "fingerprint.hint.not_recognised"
    assert sensor.status.state is DeviceState.POTENTIAL_FRAUD
    assert sensor.status.detail["sensor"] == "fake_finger"
    assert sensor.status.counters["fake_fingers"] == 1
    rig.emulator.set_fault("fake", active=False)
    assert sensor.capture_template(1.0) == template_for(SUBJECT)
    assert sensor.status.state is DeviceState.ONLINE


def test_sensor_fault_reports_hardware_error_and_recovers_by_itself(rig: Rig) -> None:
    sensor = rig.sensor()
    sensor.start()
    wait_for(lambda: sensor.status.state is DeviceState.ONLINE)
    place(rig)
    rig.emulator.set_fault("sensor_fault")
    with pytest.raises(SensorFault) as caught:
        sensor.capture_template(1.0)
    assert caught.value.fault == Confirmation.SENSOR_ABNORMAL
    assert caught.value.code == "fingerprint.sensor_fault"
    assert sensor.status.state is DeviceState.HARDWARE_ERROR
    assert sensor.status.counters["sensor_faults"] == 1
    rig.emulator.set_fault("sensor_fault", active=False)
    assert wait_for(lambda: sensor.status.state is DeviceState.ONLINE) < 5.0
    assert sensor.capture_template(1.0) == template_for(SUBJECT)


# slow: 2.5 s per reply, longer than a whole capture's exchanges (the protocol has no
# sequence numbers, so a reply only a little late passes for the next one's)
@pytest.mark.parametrize(("fault", "params"), [("silent", {}), ("slow", {})])
def test_silent_or_slow_sensor_times_out_then_recovers(rig: Rig, fault: str,
                                                       params: dict[str, float]) -> None:
    sensor = rig.sensor()
    sensor.start()
    wait_for(lambda: sensor.status.state is DeviceState.ONLINE)
    place(rig)
    rig.emulator.set_fault(fault, params=params)
    with pytest.raises(DeviceTimeout):
        sensor.capture_template(1.0)
    assert sensor.status.state is DeviceState.OFFLINE
    assert sensor.status.detail["reason"] == "device.timeout"
    assert sensor.status.counters["timeouts"] >= 2  # one retry
    assert sensor.status.counters["captures_failed"] == 1
    rig.emulator.set_fault(fault, active=False)
    assert wait_for(lambda: sensor.status.state is DeviceState.ONLINE) < 5.0
    assert "reason" not in sensor.status.detail
    assert sensor.capture_template(1.0) == template_for(SUBJECT)


def test_garbage_on_the_line_is_skipped(rig: Rig) -> None:
    sensor = rig.sensor()
    sensor.connect()
    place(rig)
    rig.emulator.set_fault("garbage", params={"bytes": 9})
    for _ in range(3):
        assert sensor.capture_template(1.0) == template_for(SUBJECT)
    assert sensor.status.counters["protocol_errors"] >= 3
    assert sensor.status.state is DeviceState.ONLINE


class CorruptingEmulator(FingerprintEmulator):
    """Flips one byte of the first UpChar transfer, as line noise would."""

    corrupted = False

    def reply(self, data: bytes, delay_s: float = 0.0) -> None:
        if not self.corrupted and len(data) > 100:
            self.corrupted = True
            data = data[:60] + bytes([data[60] ^ 0xFF]) + data[61:]
        super().reply(data, delay_s)


def test_a_corrupted_template_transfer_is_retried_not_returned(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, CorruptingEmulator)
    try:
        sensor = rig.sensor()
        sensor.connect()
        place(rig)
        assert sensor.capture_template(1.0) == template_for(SUBJECT)
        assert isinstance(rig.emulator, CorruptingEmulator) and rig.emulator.corrupted
        assert sensor.status.counters["protocol_errors"] >= 1
    finally:
        rig.close()


class RefusingUploadEmulator(FingerprintEmulator):
    """Answers UpChar with 0D (feature upload failed)."""

    def _up_char(self, params: bytes) -> tuple[int, bytes, bytes]:
        del params
        return Confirmation.UPLOAD_FEATURE_FAIL, b"", b""


def test_a_refused_upload_is_an_operation_error_and_leaves_the_sensor_usable(
        tmp_path: Path) -> None:
    rig = make_rig(tmp_path, RefusingUploadEmulator)
    try:
        sensor = rig.sensor()
        sensor.connect()
        place(rig)
        with pytest.raises(DeviceOperationError) as caught:
            sensor.capture_template(1.0)
        assert caught.value.code == "fingerprint.upload_failed"
        assert caught.value.fault == Confirmation.UPLOAD_FEATURE_FAIL
        assert sensor.status.state is DeviceState.ONLINE
        assert sensor.status.detail["sensor"] == "idle"
        assert sensor.status.counters["captures_failed"] == 1
    finally:
        rig.close()


def test_unplug_and_replug_recover_within_five_seconds(rig: Rig) -> None:
    sensor = rig.sensor()
    sensor.start()
    wait_for(lambda: sensor.status.state is DeviceState.ONLINE)
    place(rig)
    assert sensor.capture_template(1.0) == template_for(SUBJECT)
    rig.link.close()
    wait_for(lambda: sensor.status.state is DeviceState.NO_DEVICE)
    with pytest.raises(DeviceUnavailable):
        sensor.capture_template(0.5)
    rig.link.open()
    assert wait_for(lambda: sensor.status.state is DeviceState.ONLINE) < 5.0
    assert rig.emulator.password_verified  # the handshake ran again on the new port
    assert sensor.capture_template(1.0) == template_for(SUBJECT)
    assert sensor.status.counters["reconnects"] >= 2


def test_a_sensor_without_aura_still_captures(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, supports_aura=False)
    try:
        sensor = rig.sensor()
        sensor.connect()
        assert sensor.status.detail["aura"] is False
        commands = rig.emulator.counters["commands"]
        place(rig)
        assert sensor.capture_template(1.0) == template_for(SUBJECT)
        # GenImg, Img2Tz, UpChar, DownChar: no aura command is tried again
        assert rig.emulator.counters["commands"] == commands + 4
    finally:
        rig.close()


def test_password_is_verified_on_connect(rig: Rig) -> None:
    rig.emulator.password = 0x0BADF00D
    with pytest.raises(DeviceOperationError) as caught:
        rig.sensor().connect()
    assert caught.value.code == "fingerprint.wrong_password"
    assert caught.value.fault == Confirmation.WRONG_PASSWORD
    sensor = rig.sensor(password=0x0BADF00D)
    sensor.connect()
    assert sensor.status.state is DeviceState.ONLINE


def test_power_on_window_is_waited_out(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, timing=1.0)  # 500 ms dead window, realistic delays
    try:
        sensor = rig.sensor()
        sensor.config = replace(sensor.config, retries=2)  # 3 x 0.3 s cover the window
        sensor.connect()
        assert sensor.status.state is DeviceState.ONLINE
        assert rig.emulator.counters["ignored_while_starting"] >= 1
    finally:
        rig.close()
