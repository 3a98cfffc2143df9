"""How a fingerprint capture ends: sensor states, citizen-facing hints and capture errors.

Pure: ``kiosk.errors`` and the protocol codes only, so the session and the screens' tests can
use it without a port. The confirmation codes of GenImg and Img2Tz (reference/devices.md
section 1.5) map to one outcome each; poor images carry a hint key the screens translate
(``fingerprint.hint.*``), never raw text. Error texts name the step and the confirmation code,
never template bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import ClassVar

from kiosk.devices.fingerprint.codes import Confirmation
from kiosk.errors import DeviceOperationError


class SensorState(StrEnum):
    """The fingerprint sensor's state, reported as ``DeviceStatus.detail['sensor']``."""

    IDLE = "idle"
    WAITING = "waiting_for_finger"
    CAPTURED = "captured"
    NO_FINGER = "no_finger"
    POOR_IMAGE = "poor_image"
    FAKE_FINGER = "fake_finger"
    FAULT = "fault"


HINT_PLACE_FINGER = "fingerprint.hint.place_finger"
HINT_WET = "fingerprint.hint.wet"  # dry the finger
HINT_DRY = "fingerprint.hint.dry"  # press firmly: few feature points, dry or light touch
HINT_MESSY = "fingerprint.hint.messy"  # clean the finger and hold it still
HINT_REPOSITION = "fingerprint.hint.reposition"  # lift and place the finger again
HINT_NOT_RECOGNISED = "fingerprint.hint.not_recognised"  # neutral wording for a fake finger
HINT_CANCELLED = "fingerprint.hint.cancelled"

#: Image confirmations (GenImg, Img2Tz) that mean "try again" and the hint for each.
IMAGE_HINTS: Mapping[int, str] = {
    Confirmation.IMAGE_FAIL: HINT_REPOSITION,
    Confirmation.IMAGE_DISORDERLY: HINT_MESSY,
    Confirmation.IMAGE_WET: HINT_WET,
    Confirmation.IMAGE_MESSY: HINT_MESSY,
    Confirmation.FEATURE_FAIL: HINT_DRY,
    Confirmation.INVALID_IMAGE: HINT_REPOSITION,
}


def confirmation_name(confirmation: int) -> str:
    """``IMAGE_WET (0x05)``, or ``0x7f`` for a code the datasheet does not list."""
    try:
        return f"{Confirmation(confirmation).name} ({confirmation:#04x})"
    except ValueError:
        return f"{confirmation:#04x}"


class CaptureError(DeviceOperationError):
    """A capture ended without a template. ``state`` and ``counter`` say how to report it."""

    code = "fingerprint.capture_failed"
    state: ClassVar[SensorState] = SensorState.FAULT
    counter: ClassVar[str] = "captures_failed"


class NoFinger(CaptureError):
    """No finger was placed before the deadline."""

    code = "fingerprint.no_finger"
    message_key = HINT_PLACE_FINGER
    state = SensorState.NO_FINGER
    counter = "no_finger"


class PoorImage(CaptureError):
    """The image was wet, dry, messy or misplaced; ``message_key`` is the hint."""

    code = "fingerprint.poor_image"
    message_key = HINT_REPOSITION
    state = SensorState.POOR_IMAGE
    counter = "poor_images"


class FakeFinger(CaptureError):
    """The sensor suspects a fake finger (reported as ``potentialFraud``)."""

    code = "fingerprint.fake_finger"
    message_key = HINT_NOT_RECOGNISED
    state = SensorState.FAKE_FINGER
    counter = "fake_fingers"


class SensorFault(CaptureError):
    """The sensor reported an error of its own (abnormal sensor, flash, undefined...)."""

    code = "fingerprint.sensor_fault"
    message_key = "error.device"
    state = SensorState.FAULT
    counter = "sensor_faults"


class CaptureCancelled(CaptureError):
    """The capture was cancelled (the citizen pressed cancel or the session ended)."""

    code = "fingerprint.cancelled"
    message_key = HINT_CANCELLED
    state = SensorState.IDLE
    counter = "cancelled"


def capture_error(device: str, step: str, confirmation: int) -> CaptureError:
    """The error a non-OK confirmation of an image step (GenImg, Img2Tz) stands for."""
    name = confirmation_name(confirmation)
    if confirmation == Confirmation.NO_FINGER:
        return NoFinger(device, f"{step}: no finger", fault=confirmation)
    if confirmation == Confirmation.FAKE_FINGER:
        return FakeFinger(device, f"{step}: fake finger suspected", fault=confirmation)
    hint = IMAGE_HINTS.get(confirmation)
    if hint is not None:
        return PoorImage(device, f"{step}: poor image, {name}", fault=confirmation,
                         message_key=hint)
    return SensorFault(device, f"{step}: sensor error {name}", fault=confirmation)
