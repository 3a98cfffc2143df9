"""``kiosk-sim`` sub-commands for the hardware simulator: up, state, fault and the actions of
the person at the machine (finger, key, headset, take).
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from pathlib import Path

from sim.cli import command
from sim.control import ControlError, SimControl

DEFAULT_RUN_DIR = Path("run/sim")


def _dir_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, default=DEFAULT_RUN_DIR,
                        help=f"the run directory (default {DEFAULT_RUN_DIR})")


def _up_args(parser: argparse.ArgumentParser) -> None:
    _dir_arg(parser)
    parser.add_argument("--timing", type=float, default=1.0,
                        help="scale of mechanical delays: 1 realistic, 0 instant")
    parser.add_argument("--seed", type=int, default=0, help="seed for garbage and outcomes")
    parser.add_argument("--backend-url", default="https://127.0.0.1:8443",
                        help="backend URL written into RUN_DIR/kiosk.toml")
    parser.add_argument("--broker-url", default="mqtt://127.0.0.1:1883",
                        help="broker URL written into RUN_DIR/kiosk.toml")


@command("up", "start all six device emulators on ptys until SIGINT/SIGTERM", _up_args)
def up_command(args: argparse.Namespace) -> int:
    from sim.host import SimHost

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with SimHost(args.dir, timing=args.timing, seed=args.seed, backend_url=args.backend_url,
                 broker_url=args.broker_url) as host:
        for device, link in host.links.items():
            print(f"{device:12} {args.dir / device} -> {link.tty_path}")
        print(f"{'config':12} {args.dir / 'kiosk.toml'}")
        print(f"{'control':12} {host.control_url}  (kiosk-sim fault --dir {args.dir} ...)")
        print(f"{'output':12} {args.dir / 'output'}", flush=True)
        stop.wait()
    print("simulator stopped")
    return 0


def _run(args: argparse.Namespace, device: str, action: str, params: dict[str, object]) -> int:
    try:
        result = SimControl(args.dir).act(device, action, params)
    except ControlError as exc:
        print(f"kiosk-sim: {exc}")
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


@command("state", "print every emulator's state as JSON", _dir_arg)
def state_command(args: argparse.Namespace) -> int:
    try:
        print(json.dumps(SimControl(args.dir).state(), ensure_ascii=False, indent=2))
    except ControlError as exc:
        print(f"kiosk-sim: {exc}")
        return 2
    return 0


def _fault_args(parser: argparse.ArgumentParser) -> None:
    _dir_arg(parser)
    parser.add_argument("device", help="fingerprint, receipt, printer, binder, card_reader, panel")
    parser.add_argument("fault", help="e.g. paper_out, jam, silent, garbage, slow, unplug")
    parser.add_argument("--clear", action="store_true", help="switch the fault off")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="fault parameter (JSON value), repeatable")


def _params(pairs: list[str]) -> dict[str, object]:
    params: dict[str, object] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


@command("fault", "inject or clear a device fault", _fault_args)
def fault_command(args: argparse.Namespace) -> int:
    try:
        result = SimControl(args.dir).fault(args.device, args.fault, not args.clear,
                                            _params(args.param))
    except ControlError as exc:
        print(f"kiosk-sim: {exc}")
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _finger_args(parser: argparse.ArgumentParser) -> None:
    _dir_arg(parser)
    parser.add_argument("what", choices=("place", "lift"))
    parser.add_argument("subject", nargs="?", help="test subject whose finger is placed")


@command("finger", "place a test subject's finger on the sensor, or lift it", _finger_args)
def finger_command(args: argparse.Namespace) -> int:
    params: dict[str, object] = {"subject": args.subject} if args.subject else {}
    return _run(args, "fingerprint", args.what, params)


def _key_args(parser: argparse.ArgumentParser) -> None:
    _dir_arg(parser)
    parser.add_argument("key", help="0-9, *, #, enter, cancel, help, vol_up, vol_down")


@command("key", "press a key on the kiosk's keypad", _key_args)
def key_command(args: argparse.Namespace) -> int:
    return _run(args, "panel", "key", {"key": args.key})


def _headset_args(parser: argparse.ArgumentParser) -> None:
    _dir_arg(parser)
    parser.add_argument("where", choices=("in", "out"))


@command("headset", "plug a headset into the earphone jack, or pull it", _headset_args)
def headset_command(args: argparse.Namespace) -> int:
    return _run(args, "panel", "headset", {"plugged": args.where == "in"})


@command("take", "take the presented document from the exit slot", _dir_arg)
def take_command(args: argparse.Namespace) -> int:
    return _run(args, "binder", "take", {})
