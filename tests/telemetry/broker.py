"""A private Mosquitto for the telemetry tests, rendered from the shipped example config.

``examples/mosquitto/mosquitto.conf`` is read line by line and its paths, listener and logging are
pointed at the test PKI, the shipped ACL and a temporary directory, so the tests exercise the very
configuration operators install. The broker keeps its port across ``stop()``/``kill()`` and
``start()`` so clients can reconnect to it, as they would to a production broker that restarts.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PKI_DIR = REPO / "examples" / "pki"
MOSQUITTO_DIR = REPO / "examples" / "mosquitto"
EXAMPLE_CONFIG = MOSQUITTO_DIR / "mosquitto.conf"
MOSQUITTO_BINARY = "/usr/sbin/mosquitto"
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


def mosquitto_missing_reason() -> str | None:
    """Why a private broker cannot run here, or None if it can."""
    if not os.access(MOSQUITTO_BINARY, os.X_OK):
        return f"{MOSQUITTO_BINARY} is not installed (Debian package mosquitto)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def render_config(workdir: Path, port: int, *, tls: bool = True,
                  extra: tuple[str, ...] = ()) -> str:
    """The example config with test paths; ``tls=False`` keeps only a plain anonymous listener."""
    if not tls:
        lines = [f"listener {port} 127.0.0.1", "allow_anonymous true",
                 "max_queued_messages 100000", "max_inflight_messages 100",
                 f"persistence_location {workdir}/", "persistence true"]
    else:
        replacements = {
            "listener": f"{port} 127.0.0.1",
            "cafile": str(PKI_DIR / "ca.pem"),
            "certfile": str(PKI_DIR / "broker.pem"),
            "keyfile": str(PKI_DIR / "broker.key"),
            "acl_file": str(MOSQUITTO_DIR / "acl"),
            "persistence_location": f"{workdir}/",
            "log_dest": f"file {workdir / 'mosquitto.log'}",
        }
        lines = []
        for line in EXAMPLE_CONFIG.read_text(encoding="utf-8").splitlines():
            key = line.split(" ", 1)[0]
            lines.append(f"{key} {replacements[key]}" if key in replacements else line)
    # Run as whoever runs the tests: as root, mosquitto would otherwise switch to the user
    # 'mosquitto', which cannot read the test keys or the temporary directory.
    lines.append(f"user {pwd.getpwuid(os.geteuid()).pw_name}")
    lines.extend(extra)
    lines.append("log_type all")
    if not tls:
        lines.append(f"log_dest file {workdir / 'mosquitto.log'}")
    return "\n".join(lines) + "\n"


class MosquittoBroker:
    """One private mosquitto process on a fixed free port; restartable, killable."""

    def __init__(self, workdir: Path, *, tls: bool = True, extra: tuple[str, ...] = ()) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.tls = tls
        self.config_path = workdir / "mosquitto.conf"
        self.config_path.write_text(render_config(workdir, self.port, tls=tls, extra=extra),
                                    encoding="utf-8")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://127.0.0.1:{self.port}"

    @property
    def log_text(self) -> str:
        path = self.workdir / "mosquitto.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        self.process = subprocess.Popen(
            [MOSQUITTO_BINARY, "-c", str(self.config_path)], cwd=self.workdir,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read().decode(errors="replace") \
                    if self.process.stderr else ""
                raise RuntimeError(f"mosquitto exited ({self.process.returncode}): {stderr}"
                                   f"{self.log_text[-2000:]}")
            with contextlib.suppress(OSError), \
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"mosquitto did not listen on {self.port} within {START_TIMEOUT_S} s")

    def _end(self, sig: signal.Signals) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_S)
        if self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None

    def stop(self) -> None:
        """Graceful stop (SIGTERM): the broker saves its persistence file."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL: whatever the broker held in memory is gone."""
        self._end(signal.SIGKILL)

    def wipe_persistence(self) -> None:
        for path in self.workdir.glob("mosquitto.db*"):
            path.unlink()

    def close(self) -> None:
        self.kill()
