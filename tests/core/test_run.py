"""`kiosk run` against the simulators with SDL's dummy driver: it tells systemd it is ready,
feeds the watchdog while both loops live, shows the attract screen and stops cleanly on
SIGTERM. And the watchdog stops feeding when a heartbeat goes stale."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.watchdog import Watchdog, notify, watchdog_interval_s
from sim.backend.simulator import BackendSim
from sim.host import SimHost


@pytest.fixture
def notify_socket(tmp_path: Path):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(0.2)
    yield path, sock
    sock.close()


def received(sock: socket.socket, wanted: str, timeout_s: float) -> list[str]:
    messages: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            messages.append(sock.recv(4096).decode())
        except TimeoutError:
            continue
        if wanted in messages[-1]:
            return messages
    raise AssertionError(f"{wanted!r} never arrived; got {messages}")


def test_kiosk_run_notifies_and_feeds_the_watchdog(tmp_path: Path, notify_socket) -> None:
    path, sock = notify_socket
    with BackendSim(port=0) as backend, SimHost(tmp_path / "sim", timing=0,
                                                backend_url=backend.url):
        env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
               "NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "1000000"}
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("kiosk")), "run", "--config",
             str(tmp_path / "sim" / "kiosk.toml")], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        try:
            received(sock, "READY=1", 30)
            received(sock, "WATCHDOG=1", 10)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
            received(sock, "STOPPING=1", 5)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_watchdog_is_not_fed_while_a_loop_is_stuck(notify_socket) -> None:
    path, sock = notify_socket
    beats = {"core": time.monotonic(), "ui": time.monotonic()}
    environ = {"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "200000"}
    watchdog = Watchdog({name: (lambda name=name: beats[name]) for name in beats},
                        max_age_s=0.5, environ=environ)
    watchdog.start()
    try:
        received(sock, "READY=1", 2)
        received(sock, "WATCHDOG=1", 2)
        beats["ui"] = time.monotonic() - 60
        messages = received(sock, "STATUS=stuck: ui", 2)
        assert "WATCHDOG=1" not in messages[-1]
        time.sleep(0.5)
        quiet: list[str] = []
        try:
            while True:
                quiet.append(sock.recv(4096).decode())
        except TimeoutError:
            pass
        assert "WATCHDOG=1" not in quiet
    finally:
        watchdog.stop()


def test_notify_without_systemd_is_a_no_op() -> None:
    assert notify("READY=1", {}) is False
    assert watchdog_interval_s({}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0
