"""Test harness for the framed-protocol drivers: an emulator on a real pty (sim.ptylink) and the
production driver opened on its symlink, supervised (``start``) as in the kiosk."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from kiosk.config import DeviceConfig
from kiosk.devices.framed_device import FramedDevice
from kiosk.status import DeviceState
from sim.devices.framed_link import FramedEmulator
from sim.ptylink import PtyLink

DeviceT = TypeVar("DeviceT", bound=FramedDevice)
EmulatorT = TypeVar("EmulatorT", bound=FramedEmulator)

RECOVERY_S = 5.0  # the bound for recovery after a fault clears or a replug


def wait_for(predicate: Callable[[], object], timeout_s: float = RECOVERY_S,
             what: str = "condition") -> float:
    """Poll ``predicate`` until true; return how long it took."""
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout_s, f"{what} not met in {timeout_s} s"
        time.sleep(0.01)
    return time.monotonic() - started


@dataclass
class Rig(Generic[EmulatorT, DeviceT]):
    """One emulator behind a pty and the driver talking to it."""

    emulator: EmulatorT
    link: PtyLink
    device: DeviceT
    events: list[Any] = field(default_factory=list)

    def wait_state(self, state: DeviceState, timeout_s: float = RECOVERY_S) -> float:
        return wait_for(lambda: self.device.status.state is state, timeout_s,
                        f"{self.device.name} state {state.value} "
                        f"(now {self.device.status.state.value})")

    def fault(self, fault: str, active: bool = True, **params: Any) -> None:
        self.emulator.set_fault(fault, active, params)


@contextmanager
def running(emulator: EmulatorT, driver: type[DeviceT], tmp_path: Path, *,
            timeout_s: float = 1.0, retries: int = 1,
            poll_interval_s: float = 0.1) -> Iterator[Rig[EmulatorT, DeviceT]]:
    """Start ``emulator`` on a pty and ``driver`` on it; yield once the driver is online."""
    link = PtyLink(emulator, tmp_path / emulator.name)
    link.open()
    config = DeviceConfig(port=str(link.symlink), timeout_s=timeout_s, retries=retries,
                          reconnect_max_s=0.2)
    device = driver(config, poll_interval_s=poll_interval_s)
    rig = Rig(emulator, link, device)
    device.add_event_listener(rig.events.append)
    device.start()
    try:
        rig.wait_state(DeviceState.ONLINE)
        yield rig
    finally:
        device.stop()
        link.close()
