"""A captured template never reaches a log record, an exception text or the device status."""

from __future__ import annotations

import json
import logging
import traceback

import pytest

from kiosk.devices.fingerprint.outcomes import CaptureError
from kiosk.errors import DeviceError
from sim.subjects_fingers import template_for
from tests.devices.fingerprint.conftest import Rig, wait_for

SUBJECT = "park-jiwoo"


def renderings(template: bytes) -> list[str]:
    """Ways a template could leak into text: hex (any case), repr, base64, latin-1, a slice."""
    import base64

    return [template.hex(), template.hex().upper(), repr(template)[2:40],
            base64.b64encode(template).decode()[:24], template[:16].decode("latin-1"),
            template[100:116].hex(), template[:8].hex(" ")]


def assert_clean(text: str, template: bytes) -> None:
    for needle in renderings(template):
        assert needle not in text


def test_template_never_in_logs_exceptions_or_status(rig: Rig,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    template = template_for(SUBJECT)
    errors: list[BaseException] = []
    sensor = rig.sensor()
    sensor.start()
    wait_for(lambda: sensor.connected and sensor.status.detail.get("sensor") == "idle")
    rig.emulator.act("place", {"subject": SUBJECT})
    statuses = []
    sensor.add_listener(statuses.append)

    assert sensor.capture_template(1.0) == template
    rig.emulator.set_fault("garbage", params={"bytes": 5})
    assert sensor.capture_template(1.0) == template
    rig.emulator.clear_faults()
    for fault, params in (("wet", {"kind": "dry"}), ("fake", {}), ("sensor_fault", {}),
                          ("no_finger", {}), ("silent", {})):
        rig.emulator.set_fault(fault, params=params)
        with pytest.raises(DeviceError) as caught:
            sensor.capture_template(0.4)
        errors.append(caught.value)
        rig.emulator.set_fault(fault, active=False)
    assert any(isinstance(error, CaptureError) for error in errors)
    wait_for(lambda: sensor.status.state.value == "online")
    sensor.stop()

    texts = [record.getMessage() + repr(record.args) + str(record.__dict__)
             for record in caplog.records]
    texts += [str(error) + repr(error) + json.dumps(error.to_dict())
              + "".join(traceback.format_exception(error)) for error in errors]
    texts += [json.dumps(status.to_dict()) for status in [*statuses, sensor.status]]
    assert caplog.records, "the driver logged nothing: the check would prove nothing"
    for text in texts:
        assert_clean(text, template)
