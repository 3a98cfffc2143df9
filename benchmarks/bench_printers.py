"""Per-exchange overhead of the receipt and A4 printer drivers against their zero-latency
emulators on a pty.

Receipt: one ``DLE EOT 1`` real-time status exchange (3 bytes out, 1 validated byte back) and
a whole ``refresh_status`` (four of them). A4 printer: one ``INFO STATUS`` request (UEL-wrapped
PJL) and its FF-terminated reply, handed from the supervisor's reader thread to the caller.
A pty moves bytes instantly and the emulators answer with ``timing=0``, so the measured time
is the driver's own overhead (codec, locking, pyserial, thread hand-offs); ``wire_ms`` is what
the same bytes take at the configured baud rate, 8N1 (10 bits per byte): 9,600 for the receipt
printer, 115,200 for the A4 printer on serial (a USB printer-class link is faster still), and
``hardware_estimate_ms`` = wire + measured mean. Target: overhead under 5 ms per exchange
(issue 3).

Run: ``.venv/bin/python -m benchmarks.bench_printers`` (prints JSON).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.config import DeviceConfig
from kiosk.devices.printer.codec import info_status_request
from kiosk.devices.printer.driver import PjlDocumentPrinter
from kiosk.devices.receipt.codec import StatusKind, status_request
from kiosk.devices.receipt.driver import EscPosReceiptPrinter
from sim.devices.printer import PrinterEmulator
from sim.devices.receipt import ReceiptEmulator
from sim.ptylink import PtyLink

BITS_PER_BYTE = 10  # 8N1: start bit, 8 data bits, stop bit
TARGET_OVERHEAD_MS = 5.0  # issue 3: per request/response beyond the wire time
RECEIPT_BAUDRATE = 9600  # sim.host.BAUDRATES["receipt"]
PRINTER_BAUDRATE = 115200  # sim.host default for the A4 printer's serial line
ROUNDS = 400
WARMUP = 20
IDLE_POLL_S = 3600.0  # keep the A4 printer's liveness poll out of the measurement


def wire_ms(size: int, baudrate: int) -> float:
    return size * BITS_PER_BYTE / baudrate * 1000


def _measure(call: Callable[[], object], rounds: int = ROUNDS) -> dict[str, Any]:
    for _ in range(WARMUP):
        call()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    percentiles = statistics.quantiles(samples, n=100)
    return {"rounds": rounds, "mean_ms": round(statistics.fmean(samples), 3),
            "p50_ms": round(statistics.median(samples), 3), "p99_ms": round(percentiles[98], 3)}


def _with_wire(figures: dict[str, Any], size: int, baudrate: int) -> dict[str, Any]:
    wire = wire_ms(size, baudrate)
    figures.update(bytes=size, wire_ms=round(wire, 3),
                   hardware_estimate_ms=round(wire + figures["mean_ms"], 3),
                   within_target=figures["p99_ms"] < TARGET_OVERHEAD_MS)
    return figures


def _receipt(directory: Path) -> dict[str, Any]:
    emulator = ReceiptEmulator(timing=0.0)
    link = PtyLink(emulator, directory / "receipt")
    link.open()
    driver = EscPosReceiptPrinter(DeviceConfig(port=str(link.symlink), baudrate=RECEIPT_BAUDRATE,
                                         timeout_s=2.0))
    try:
        driver.connect()
        exchange = _measure(lambda: driver.read_status_byte(StatusKind.PRINTER))
        refresh = _measure(driver.refresh_status)
    finally:
        driver.stop()
        link.close()
    one = len(status_request(StatusKind.PRINTER)) + 1
    return {"baudrate": RECEIPT_BAUDRATE,
            "DLE EOT 1": _with_wire(exchange, one, RECEIPT_BAUDRATE),
            "refresh_status (DLE EOT 1-4)": _with_wire(refresh, 4 * one, RECEIPT_BAUDRATE)}


def _printer(directory: Path) -> dict[str, Any]:
    emulator = PrinterEmulator(timing=0.0)
    link = PtyLink(emulator, directory / "printer")
    link.open()
    driver = PjlDocumentPrinter(DeviceConfig(port=str(link.symlink), baudrate=PRINTER_BAUDRATE,
                                          timeout_s=2.0), poll_interval_s=IDLE_POLL_S)
    try:
        driver.start()
        if not driver.wait_ready(5.0):
            raise RuntimeError("printer emulator did not connect")
        exchange = _measure(driver.query_status)
    finally:
        driver.stop()
        link.close()
    size = len(info_status_request()) + len(emulator.current_status().encode())
    return {"baudrate": PRINTER_BAUDRATE, "INFO STATUS": _with_wire(exchange, size,
                                                                    PRINTER_BAUDRATE)}


def run() -> dict[str, Any]:
    """Measure and return the figures (JSON-ready)."""
    with tempfile.TemporaryDirectory() as directory:
        receipt = _receipt(Path(directory))
        printer = _printer(Path(directory))
    exchanges = [receipt["DLE EOT 1"], printer["INFO STATUS"]]
    return {"benchmark": "printers", "target_overhead_ms": TARGET_OVERHEAD_MS,
            "receipt": receipt, "printer": printer,
            "within_target": all(figures["within_target"] for figures in exchanges)}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
