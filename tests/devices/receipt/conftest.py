"""Fixtures: a receipt emulator on a real pty, and the driver pointed at it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.config import DeviceConfig
from kiosk.devices.receipt.driver import EscPosReceiptPrinter
from sim.devices.receipt import ReceiptEmulator
from sim.ptylink import PtyLink

Waiter = Callable[..., None]


def _wait_for(predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@pytest.fixture
def wait_for() -> Waiter:
    """Poll a condition until it holds (fails the test after ``timeout_s``, default 5 s)."""
    return _wait_for


@pytest.fixture
def emulator(tmp_path: Path) -> ReceiptEmulator:
    return ReceiptEmulator(output_dir=tmp_path / "output")


@pytest.fixture
def link(emulator: ReceiptEmulator, tmp_path: Path) -> Iterator[PtyLink]:
    link = PtyLink(emulator, tmp_path / "receipt-port")
    link.open()
    yield link
    link.close()


@pytest.fixture
def printer(link: PtyLink) -> Iterator[EscPosReceiptPrinter]:
    config = DeviceConfig(port=str(link.symlink), baudrate=9600, timeout_s=0.3, retries=1,
                          reconnect_max_s=0.2)
    driver = EscPosReceiptPrinter(config, poll_interval_s=0.05, status_timeout_s=0.2)
    yield driver
    driver.stop()
