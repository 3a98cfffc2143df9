"""``kiosk-sim backend`` (run the city issuance-backend simulator) and ``kiosk-sim backend-fault``
(switch its faults through the admin API found in ``RUN_DIR/backend.json``).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from sim.backend.server import FAULT_NAMES
from sim.cli import command

DEFAULT_RUN_DIR = Path("run/sim")  # the hardware simulator's default run directory too
DEFAULT_PORT = 8443  # examples/kiosk.toml's [backend] url
ADMIN_TIMEOUT_S = 10.0


def _backend_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"HTTPS (mutual TLS) port, 0 for a free one (default {DEFAULT_PORT})")
    parser.add_argument("--admin-port", type=int, default=0,
                        help="admin API port on the same host (default: a free one)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_RUN_DIR,
                        help=f"run directory for backend.json (default {DEFAULT_RUN_DIR})")
    parser.add_argument("--pki", type=Path, default=None,
                        help="test PKI directory (default examples/pki)")
    parser.add_argument("--fault", action="append", default=[], choices=FAULT_NAMES,
                        help="start with this fault on (repeatable)")
    parser.add_argument("--log-level", default="INFO",
                        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
                        help="JSON log lines on stderr from this level (default INFO)")


@command("backend", "run the city issuance-backend simulator until SIGINT/SIGTERM",
         _backend_args)
def backend_command(args: argparse.Namespace) -> int:
    from kiosk.logsetup import configure_logging
    from sim.backend.simulator import BackendSim

    configure_logging(args.log_level, sys.stderr)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        backend = BackendSim(args.pki, host=args.host, port=args.port,
                             admin_port=args.admin_port, run_dir=args.dir).start()
    except OSError as exc:
        print(f"kiosk-sim backend: cannot listen: {exc}")
        return 2
    try:
        for fault in args.fault:
            backend.fault(fault)
        print(f"{'api':8} {backend.url}  (mutual TLS, client certificates from "
              f"{backend.pki_dir / 'ca.pem'})")
        print(f"{'admin':8} {backend.admin_url}  (kiosk-sim backend-fault --dir {args.dir} ...)")
        print(f"{'info':8} {args.dir / 'backend.json'}", flush=True)
        stop.wait()
    finally:
        backend.stop()
    print("backend simulator stopped")
    return 0


def _fault_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, default=DEFAULT_RUN_DIR,
                        help=f"run directory of the backend (default {DEFAULT_RUN_DIR})")
    parser.add_argument("fault", choices=FAULT_NAMES)
    parser.add_argument("--clear", action="store_true", help="switch the fault off")
    parser.add_argument("--delay", type=float, default=None, metavar="SECONDS",
                        help="delay of the 'slow' fault")


@command("backend-fault", "switch a fault of the running backend simulator on or off",
         _fault_args)
def backend_fault_command(args: argparse.Namespace) -> int:
    params: dict[str, Any] = {} if args.delay is None else {"delay_s": args.delay}
    try:
        info = json.loads((args.dir / "backend.json").read_text(encoding="utf-8"))
        request = urllib.request.Request(
            info["admin_url"] + "/fault", method="POST",
            data=json.dumps({"fault": args.fault, "active": not args.clear,
                             "params": params}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=ADMIN_TIMEOUT_S) as response:
            print(json.dumps(json.loads(response.read()), ensure_ascii=False))
    except FileNotFoundError:
        print(f"kiosk-sim: no backend simulator is running in {args.dir} "
              f"(start one with: kiosk-sim backend --dir {args.dir})")
        return 2
    except urllib.error.HTTPError as exc:
        print(f"kiosk-sim: backend refused: {exc.read().decode(errors='replace')}")
        return 2
    except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
        print(f"kiosk-sim: backend admin API not reachable: {exc}")
        return 2
    return 0
