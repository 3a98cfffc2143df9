"""Confirmation codes of the image steps map to one capture outcome each, with specific codes."""

from __future__ import annotations

import pytest

from kiosk.devices.fingerprint.codes import Confirmation
from kiosk.devices.fingerprint.outcomes import (
    FakeFinger,
    NoFinger,
    PoorImage,
    SensorFault,
    SensorState,
    capture_error,
    confirmation_name,
)
from kiosk.errors import DeviceOperationError


@pytest.mark.parametrize(("confirmation", "kind", "code", "hint"), [
    (Confirmation.NO_FINGER, NoFinger, "fingerprint.no_finger", "fingerprint.hint.place_finger"),
    (Confirmation.IMAGE_FAIL, PoorImage, "fingerprint.poor_image", "fingerprint.hint.reposition"),
    (Confirmation.IMAGE_DISORDERLY, PoorImage, "fingerprint.poor_image", "fingerprint.hint.messy"),
    (Confirmation.IMAGE_WET, PoorImage, "fingerprint.poor_image", "fingerprint.hint.wet"),
    (Confirmation.IMAGE_MESSY, PoorImage, "fingerprint.poor_image", "fingerprint.hint.messy"),
    (Confirmation.FEATURE_FAIL, PoorImage, "fingerprint.poor_image", "fingerprint.hint.dry"),
    (Confirmation.INVALID_IMAGE, PoorImage, "fingerprint.poor_image",
     "fingerprint.hint.reposition"),
    (Confirmation.FAKE_FINGER, FakeFinger, "fingerprint.fake_finger",
     "fingerprint.hint.not_recognised"),
    (Confirmation.SENSOR_ABNORMAL, SensorFault, "fingerprint.sensor_fault", "error.device"),
    (Confirmation.FLASH_ERROR, SensorFault, "fingerprint.sensor_fault", "error.device"),
    (0x7F, SensorFault, "fingerprint.sensor_fault", "error.device"),
])
def test_capture_error_for_each_confirmation(confirmation: int, kind: type, code: str,
                                             hint: str) -> None:
    error = capture_error("fingerprint", "Img2Tz", confirmation)
    assert type(error) is kind
    assert isinstance(error, DeviceOperationError)
    assert (error.code, error.message_key, error.fault) == (code, hint, confirmation)
    assert error.to_dict()["device"] == "fingerprint"
    assert str(error).startswith("fingerprint: Img2Tz: ")


def test_outcome_states_and_counters() -> None:
    assert (NoFinger.state, NoFinger.counter) == (SensorState.NO_FINGER, "no_finger")
    assert (PoorImage.state, PoorImage.counter) == (SensorState.POOR_IMAGE, "poor_images")
    assert (FakeFinger.state, FakeFinger.counter) == (SensorState.FAKE_FINGER, "fake_fingers")
    assert (SensorFault.state, SensorFault.counter) == (SensorState.FAULT, "sensor_faults")


def test_confirmation_names() -> None:
    assert confirmation_name(5) == "IMAGE_WET (0x05)"
    assert confirmation_name(0xEE) == "0xee"
