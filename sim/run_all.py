"""`make run`: start the whole system on embedded defaults and say what was started.

Each part runs as a child process in its own process group, with its output in
``run/logs/<part>.log``; Ctrl-C (or SIGTERM, or ``--seconds``) stops them all, newest first.
Parts that are not built yet are listed as such rather than silently missing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / "run"
READY_TIMEOUT_S = 30.0


@dataclass
class Part:
    """One child process of the running system."""

    name: str
    argv: list[str]
    ready: Path | int | None = None
    description: str = ""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


def mosquitto_part(run_dir: Path) -> Part | None:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        return None
    port = free_port()
    conf_dir = run_dir / "mosquitto"
    conf_dir.mkdir(parents=True, exist_ok=True)
    conf = conf_dir / "mosquitto.conf"
    conf.write_text(f"# written by make run: a private development broker\n"
                    f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    f"log_dest stdout\n", encoding="utf-8")
    return Part("mosquitto", [binary, "-c", str(conf)], ready=port,
                description=f"private MQTT 5 broker on mqtt://127.0.0.1:{port}")


def planned_parts(run_dir: Path, timing: float) -> tuple[list[Part], list[str]]:
    """The parts to start and the names of parts not built yet."""
    bin_dir = Path(sys.executable).parent
    sim_dir = run_dir / "sim"
    backend_port = free_port()
    broker = mosquitto_part(run_dir)
    missing = []
    parts = []
    if broker is None:
        missing.append("mosquitto (install it: scripts/debian-deps)")
    else:
        parts.append(broker)
    broker_url = f"mqtt://127.0.0.1:{broker.ready}" if broker else "mqtt://127.0.0.1:1883"
    parts += [
        Part("backend", [str(bin_dir / "kiosk-sim"), "backend", "--port", str(backend_port),
                         "--dir", str(run_dir / "backend")], ready=backend_port,
             description=f"city issuance backend on https://127.0.0.1:{backend_port} (mTLS)"),
        Part("devices", [str(bin_dir / "kiosk-sim"), "up", "--dir", str(sim_dir),
                         "--timing", str(timing), "--broker-url", broker_url,
                         "--backend-url", f"https://127.0.0.1:{backend_port}"],
             ready=sim_dir / "control.json",
             description=f"six device emulators on ptys under {sim_dir}"),
    ]
    display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    kiosk = [str(bin_dir / "kiosk"), "run", "--config", str(sim_dir / "kiosk.toml")]
    parts.append(Part("kiosk", [*kiosk, "--window"] if display else [*kiosk, "--headless"],
                      description="the kiosk UI in a window" if display else
                      "the kiosk core, headless (no display: no UI)"))
    return parts, missing


def start(part: Part, log_dir: Path) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = (log_dir / f"{part.name}.log").open("wb")
    part.process = subprocess.Popen(part.argv, stdout=log, stderr=subprocess.STDOUT,
                                    cwd=ROOT, start_new_session=True)


def wait_ready(part: Part) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if part.process is not None and part.process.poll() is not None:
            return False
        if part.ready is None:
            return True
        if isinstance(part.ready, int) and port_open(part.ready):
            return True
        if isinstance(part.ready, Path) and part.ready.exists():
            return True
        time.sleep(0.05)
    return False


def stop(parts: Sequence[Part]) -> None:
    for part in reversed(parts):
        if part.process is None or part.process.poll() is not None:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(part.process.pid, signal.SIGTERM)
        try:
            part.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(part.process.pid, signal.SIGKILL)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make run", description=__doc__)
    parser.add_argument("--dir", type=Path, default=RUN_DIR, help="run directory")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop after this long (default: until Ctrl-C)")
    parser.add_argument("--timing", type=float, default=1.0,
                        help="device timing scale: 1 realistic, 0 instant")
    args = parser.parse_args(argv)
    parts, missing = planned_parts(args.dir, args.timing)
    stop_requested = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop_requested.set())
    started: list[Part] = []
    try:
        for part in parts:
            start(part, args.dir / "logs")
            started.append(part)
            if not wait_ready(part):
                print(f"FAILED  {part.name}: see {args.dir / 'logs' / (part.name + '.log')}")
                return 1
            print(f"started {part.name:10} {part.description}")
        for name in missing:
            print(f"missing {name}")
        print(f"logs in {args.dir / 'logs'}; press Ctrl-C to stop", flush=True)
        stop_requested.wait(args.seconds)
        for part in started:
            if part.process is not None and part.process.poll() is not None:
                print(f"{part.name} exited with {part.process.returncode}")
    finally:
        stop(started)
        print("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
