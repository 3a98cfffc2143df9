"""The fingerprint emulator inside the simulator host, driven through the JSON control API the
``kiosk-sim finger`` and ``kiosk-sim fault`` commands use, with the driver on the run directory's
symlink."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import DeviceConfig
from kiosk.devices.fingerprint.driver import FingerprintSensor
from kiosk.devices.fingerprint.outcomes import PoorImage
from kiosk.status import DeviceState
from sim.control import ControlError, SimControl
from sim.host import SimHost
from sim.subjects_fingers import template_for
from tests.devices.fingerprint.conftest import wait_for


def test_control_api_places_fingers_and_injects_faults(tmp_path: Path) -> None:
    with SimHost(tmp_path, devices=["fingerprint"]) as host:
        control = SimControl(tmp_path)
        sensor = FingerprintSensor(DeviceConfig(port=str(tmp_path / "fingerprint"),
                                                baudrate=57600, timeout_s=0.3,
                                                reconnect_max_s=0.2), poll_interval_s=0.05)
        sensor.start()
        try:
            wait_for(lambda: sensor.status.state is DeviceState.ONLINE)
            state = control.act("fingerprint", "place", {"subject": "kim-minji", "finger": 4})
            assert state["finger"] == {"subject": "kim-minji", "finger": 4}
            assert sensor.capture_template(1.0) == template_for("kim-minji", 4)

            control.fault("fingerprint", "wet", params={"kind": "wet"})
            with pytest.raises(PoorImage):
                sensor.capture_template(1.0)
            assert sensor.status.detail["hint"] == "fingerprint.hint.wet"
            control.fault("fingerprint", "wet", active=False)

            with pytest.raises(ControlError, match="wet kind must be one of"):
                control.fault("fingerprint", "wet", params={"kind": "oily"})
            with pytest.raises(ControlError, match="place needs a subject"):
                control.act("fingerprint", "place", {})

            control.fault("fingerprint", "unplug")
            wait_for(lambda: sensor.status.state is DeviceState.NO_DEVICE)
            assert not (tmp_path / "fingerprint").exists()
            control.fault("fingerprint", "replug")
            assert wait_for(lambda: sensor.status.state is DeviceState.ONLINE) < 5.0
            assert host.state()["fingerprint"]["plugged"] is True
            assert sensor.capture_template(1.0) == template_for("kim-minji", 4)
        finally:
            sensor.stop()
