"""Per-exchange overhead of the framed-protocol drivers (binder, card reader, I/O panel) against
their zero-latency emulators on ptys.

Each driver runs as in the kiosk (supervisor thread reading, status polled every second) and
each exchange goes through the production path: encode, stuff, write, the supervisor's read and
decode, the hand-off to the caller. A pty moves bytes instantly and the emulators answer with
``timing=0``, so the measured time is overhead; ``wire_ms`` is what the same frames take on a
real line at 115,200 baud, 8N1 (10 bits per byte), and ``hardware_estimate_ms`` = wire + mean
overhead. Measured: binder STATUS, panel PING (8 bytes), card reader QUERY, and a binder BIND
with its BIND_DONE event and the ACK (two frames each way). Target: overhead under 5 ms per
request/response (issue 3).

Run: ``.venv/bin/python -m benchmarks.bench_framed_devices`` (prints JSON).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from kiosk.config import DeviceConfig
from kiosk.devices.binder.codec import Bind, BindDone, BinderCmd, BinderCode, BinderStatus
from kiosk.devices.binder.driver import Binder
from kiosk.devices.card_reader.codec import CardCmd, Query, TxnRecord
from kiosk.devices.card_reader.driver import CardReader
from kiosk.devices.framed_device import FramedDevice
from kiosk.devices.framing import encode_ack
from kiosk.devices.framing_messages import (
    CommonCmd,
    Ping,
    StatusRequest,
    encode_message,
    encode_response,
)
from kiosk.devices.panel.driver import Panel
from kiosk.status import DeviceState
from sim.devices.binder import BinderEmulator
from sim.devices.card_reader import CardReaderEmulator
from sim.devices.framed_link import FramedEmulator
from sim.devices.panel import PanelEmulator
from sim.ptylink import PtyLink

BAUDRATE = 115_200  # the framed devices' configured rate (examples/kiosk.toml)
BITS_PER_BYTE = 10  # 8N1: start bit, 8 data bits, stop bit
TARGET_OVERHEAD_MS = 5.0  # issue 3: per request/response beyond the wire time
ROUNDS = 400
WARMUP = 20
READY_S = 5.0
KEY = "BENCH-0001"
PING_DATA = b"12345678"

DeviceT = TypeVar("DeviceT", bound=FramedDevice)


def wire_ms(byte_count: int, baudrate: int = BAUDRATE) -> float:
    return byte_count * BITS_PER_BYTE / baudrate * 1000


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


@contextmanager
def _running(emulator: FramedEmulator, driver: type[DeviceT],
             directory: Path) -> Iterator[DeviceT]:
    link = PtyLink(emulator, directory / emulator.name)
    link.open()
    device = driver(DeviceConfig(port=str(link.symlink), baudrate=BAUDRATE, timeout_s=2.0))
    device.start()
    try:
        deadline = time.monotonic() + READY_S
        while device.status.state is not DeviceState.ONLINE:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{device.name} did not come online")
            time.sleep(0.01)
        yield device
    finally:
        device.stop()
        link.close()


def _figures(measured: dict[str, Any], frames: list[bytes]) -> dict[str, Any]:
    wire = wire_ms(sum(len(frame) for frame in frames))
    return {**measured, "wire_bytes": sum(len(frame) for frame in frames),
            "wire_ms": round(wire, 3),
            "hardware_estimate_ms": round(wire + measured["mean_ms"], 3),
            "within_target": measured["p99_ms"] < TARGET_OVERHEAD_MS}


def run() -> dict[str, Any]:
    """Measure and return the figures (JSON-ready)."""
    with tempfile.TemporaryDirectory() as name, ExitStack() as stack:
        directory = Path(name)
        binder = stack.enter_context(_running(BinderEmulator(), Binder, directory))
        reader = stack.enter_context(_running(CardReaderEmulator(), CardReader, directory))
        panel = stack.enter_context(_running(PanelEmulator(), Panel, directory))
        reader.approve(1000, KEY)
        record = reader.query(KEY)
        assert isinstance(record, TxnRecord)
        status: BinderStatus = binder.refresh_status()
        exchanges = {
            "binder_status": _figures(_measure(binder.refresh_status), [
                encode_message(200, StatusRequest()),
                encode_response(200, CommonCmd.STATUS, 0, status.payload())]),
            "panel_ping": _figures(_measure(lambda: panel.ping(PING_DATA)), [
                encode_message(200, Ping(PING_DATA)),
                encode_response(200, CommonCmd.PING, 0, PING_DATA)]),
            "card_reader_query": _figures(_measure(lambda: reader.query(KEY)), [
                encode_message(200, Query(KEY)),
                encode_response(200, CardCmd.QUERY, 0, record.payload())]),
            "binder_bind_with_event": _figures(_measure(lambda: binder.bind(2)), [
                encode_message(200, Bind(2, 1 << 20)),
                encode_response(200, BinderCmd.BIND, BinderCode.OK),
                encode_message(200, BindDone(1 << 20, BinderCode.OK, 820, 870, 2)),
                encode_ack(200)]),
        }
    return {"benchmark": "framed_devices", "baudrate": BAUDRATE,
            "target_overhead_ms": TARGET_OVERHEAD_MS, "exchanges": exchanges,
            "within_target": all(e["within_target"] for e in exchanges.values())}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
