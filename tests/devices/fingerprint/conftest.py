"""Shared rig for the fingerprint tests: the emulator on a real pty and a driver opened on it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.config import DeviceConfig
from kiosk.devices.fingerprint.driver import FingerprintSensor
from sim.devices.fingerprint import FingerprintEmulator
from sim.ptylink import PtyLink


def wait_for(predicate: Callable[[], bool], timeout_s: float = 5.0) -> float:
    """Poll ``predicate`` until true; returns the seconds it took, fails after ``timeout_s``."""
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout_s, "condition not met in time"
        time.sleep(0.01)
    return time.monotonic() - started


@dataclass
class Rig:
    emulator: FingerprintEmulator
    link: PtyLink

    def sensor(self, **kwargs: object) -> FingerprintSensor:
        config = DeviceConfig(port=str(self.link.symlink), baudrate=57600, timeout_s=0.3,
                              retries=1, reconnect_max_s=0.2)
        sensor = FingerprintSensor(config, poll_interval_s=0.05, **kwargs)  # type: ignore[arg-type]
        self._sensors.append(sensor)
        return sensor

    def __post_init__(self) -> None:
        self._sensors: list[FingerprintSensor] = []

    def close(self) -> None:
        for sensor in self._sensors:
            sensor.stop()
        self.link.close()


def make_rig(path: Path, emulator_class: type[FingerprintEmulator] = FingerprintEmulator,
             **emulator_kwargs: object) -> Rig:
    emulator = emulator_class(**emulator_kwargs)  # type: ignore[arg-type]
    link = PtyLink(emulator, path / "fingerprint")
    link.open()
    return Rig(emulator, link)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    rig = make_rig(tmp_path)
    yield rig
    rig.close()
