"""Fixtures: a PJL printer emulator on a real pty, the driver pointed at it, test PDFs."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from kiosk.config import DeviceConfig
from kiosk.devices.printer.driver import PjlDocumentPrinter
from sim.devices.printer import PrinterEmulator
from sim.ptylink import PtyLink

Waiter = Callable[..., None]


def make_pdf(pages: int) -> bytes:
    """A real PDF (reportlab) with ``pages`` pages."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer)
    for page in range(pages):
        document.drawString(72, 720, f"test page {page + 1}")
        document.showPage()
    document.save()
    return buffer.getvalue()


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
def pdf() -> Callable[[int], bytes]:
    return make_pdf


@pytest.fixture
def emulator(tmp_path: Path) -> PrinterEmulator:
    return PrinterEmulator(output_dir=tmp_path / "output")


@pytest.fixture
def link(emulator: PrinterEmulator, tmp_path: Path) -> Iterator[PtyLink]:
    link = PtyLink(emulator, tmp_path / "printer-port")
    link.open()
    yield link
    link.close()


@pytest.fixture
def printer(link: PtyLink, wait_for: Waiter) -> Iterator[PjlDocumentPrinter]:
    """The driver, started (supervisor running) and connected."""
    config = DeviceConfig(port=str(link.symlink), timeout_s=0.5, retries=1,
                          reconnect_max_s=0.2)
    driver = PjlDocumentPrinter(config, poll_interval_s=0.05, page_timeout_s=1.0,
                             fault_grace_s=0.5)
    driver.start()
    wait_for(lambda: driver.status.counters.get("reconnects", 0) >= 1)  # connect() has finished
    yield driver
    driver.stop()
