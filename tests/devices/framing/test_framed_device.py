"""The host's link layer (kiosk.devices.framed_device) on a real pty: HELLO refuses the wrong
device, and a device that reboots (BOOTED) is greeted again and re-read."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import DeviceConfig
from kiosk.devices.binder.driver import Binder
from kiosk.devices.framing_messages import Booted, ResetCause
from kiosk.devices.panel.driver import Panel
from kiosk.errors import ProtocolError
from kiosk.status import DeviceState
from sim.devices.panel import PanelEmulator
from sim.ptylink import PtyLink
from tests.devices.framing.harness import running, wait_for


class CountingPanel(PanelEmulator):
    """A panel emulator that counts the HELLOs it answers."""

    def __init__(self) -> None:
        super().__init__()
        self.hellos = 0

    def _on_hello(self) -> None:
        self.hellos += 1
        super()._on_hello()


def test_a_driver_refuses_another_kind_of_device(tmp_path: Path) -> None:
    link = PtyLink(PanelEmulator(), tmp_path / "panel")
    link.open()
    binder = Binder(DeviceConfig(port=str(link.symlink), timeout_s=1.0, reconnect_max_s=0.2),
                    poll_interval_s=0.1)
    try:
        with pytest.raises(ProtocolError, match="expected BINDER"):
            binder.connect()
        binder.start()
        wait_for(lambda: binder.status.state is DeviceState.OFFLINE)
        assert binder.status.detail["reason"] == "device.protocol"
        assert not binder.connected
    finally:
        binder.stop()
        link.close()


def test_booted_makes_the_host_greet_the_device_again(tmp_path: Path) -> None:
    emulator = CountingPanel()
    with running(emulator, Panel, tmp_path) as rig:
        assert emulator.hellos == 1
        assert rig.device.identity is not None
        assert rig.device.identity.serial_number == emulator.serial_number
        with emulator.lock:
            emulator.send_event(Booted(ResetCause.WATCHDOG))
        wait_for(lambda: emulator.hellos == 2)
        assert Booted(ResetCause.WATCHDOG) in rig.events
        assert rig.device.status.state is DeviceState.ONLINE
        rig.emulator.act("key", {"key": "7"})  # the new event sequence is delivered
        wait_for(lambda: len(rig.events) == 2)
