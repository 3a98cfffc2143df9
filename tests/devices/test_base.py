"""The device base class against a tiny line-protocol emulator on a real pty: requests,
deadlines, unplug/replug recovery, status changes and counters."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kiosk.config import DeviceConfig
from kiosk.devices.base import Device
from kiosk.errors import DeviceTimeout, DeviceUnavailable, ProtocolError
from kiosk.status import DeviceState, DeviceStatus
from sim.emulator import Emulator, UnknownFault
from sim.ptylink import PtyLink


class LineDecoder:
    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes) -> None:
        self.buffer += data

    def next_message(self) -> str | None:
        line, sep, rest = self.buffer.partition(b"\n")
        if not sep:
            return None
        self.buffer = rest
        if not line.isascii() or not line.isupper():
            raise ProtocolError("line", "not an upper-case ASCII line")
        return line.decode()


class EchoEmulator(Emulator):
    name = "echo"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.decoder = LineDecoder()

    def receive(self, data: bytes) -> None:
        self.decoder.feed(data)
        while (line := self.decoder.next_message()) is not None:
            self.reply(b"GOT" + line.encode() + b"\n")


class EchoDevice(Device):
    kind = "echo"

    def _new_decoder(self) -> LineDecoder:
        return LineDecoder()

    def _on_connect(self) -> None:
        self.ping()
        self._set_state(DeviceState.ONLINE)

    def _poll(self) -> None:
        self.ping()

    def ping(self) -> str:
        return str(self._request(b"PING\n", retries=1))


def wait_for(predicate, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@pytest.fixture
def link(tmp_path: Path):
    emulator = EchoEmulator()
    link = PtyLink(emulator, tmp_path / "echo")
    link.open()
    yield link
    link.close()


def make_device(path: Path, timeout_s: float = 0.3) -> EchoDevice:
    """A device with short deadlines (the tests wait for them on purpose)."""
    return EchoDevice(DeviceConfig(port=str(path), timeout_s=timeout_s, reconnect_max_s=0.2),
                      poll_interval_s=0.05)


def test_request_reply_and_status(link: PtyLink) -> None:
    seen: list[DeviceStatus] = []
    device = make_device(link.symlink)
    device.add_listener(seen.append)
    device.connect()
    assert device.ping() == "GOTPING"
    assert device.status.state is DeviceState.ONLINE
    assert seen[-1].state is DeviceState.ONLINE
    device.stop()


def test_silent_device_times_out_and_counts(link: PtyLink) -> None:
    device = make_device(link.symlink)
    device.connect()
    link.emulator.set_fault("silent")
    started = time.monotonic()
    with pytest.raises(DeviceTimeout):
        device.ping()
    assert 0.5 <= time.monotonic() - started < 2.0  # two attempts of 0.3 s
    assert device.status.counters["timeouts"] == 2
    link.emulator.set_fault("silent", active=False)
    assert device.ping() == "GOTPING"
    device.stop()


def test_garbage_is_rejected_counted_and_survived(link: PtyLink) -> None:
    device = make_device(link.symlink, timeout_s=1.0)
    device.connect()
    link.emulator.random.seed(0)  # garbage c5 d7 14: no newline, not a valid line
    link.emulator.set_fault("garbage", params={"bytes": 3})
    with pytest.raises(DeviceTimeout):
        device.ping()
    assert device.status.counters["protocol_errors"] >= 1
    link.emulator.set_fault("garbage", active=False)
    assert device.ping() == "GOTPING"
    device.stop()


def test_unplug_then_replug_recovers_without_restart(link: PtyLink) -> None:
    device = make_device(link.symlink)
    device.start()
    wait_for(lambda: device.status.state is DeviceState.ONLINE)
    link.close()
    wait_for(lambda: device.status.state is DeviceState.NO_DEVICE)
    with pytest.raises(DeviceUnavailable):
        device.ping()
    link.open()
    started = time.monotonic()
    wait_for(lambda: device.status.state is DeviceState.ONLINE)
    assert time.monotonic() - started < 5.0
    assert device.ping() == "GOTPING"
    assert device.status.counters["reconnects"] >= 2
    device.stop()


def test_missing_port_reports_no_device(tmp_path: Path) -> None:
    device = make_device(tmp_path / "absent")
    with pytest.raises(DeviceUnavailable, match="cannot open port"):
        device.connect()
    device.start()
    wait_for(lambda: device.status.state is DeviceState.NO_DEVICE)
    device.stop()


def test_one_request_in_flight_at_a_time(link: PtyLink) -> None:
    device = make_device(link.symlink, timeout_s=2.0)
    device.connect()
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(device.ping()))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["GOTPING"] * 8
    device.stop()


def test_unknown_fault_names_the_known_ones() -> None:
    with pytest.raises(UnknownFault, match="known: garbage, replug, silent, slow, unplug"):
        EchoEmulator().set_fault("paper_out")
