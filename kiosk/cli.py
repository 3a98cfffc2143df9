"""The ``kiosk`` command: check the config, hash a technician PIN, and (as later parts land)
run the UI, run a headless demo, verify documents and render screenshots.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kiosk.config import KioskConfig, load_config
from kiosk.errors import ConfigError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2

Handler = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {}


def command(name: str, help_text: str,
            arguments: Callable[[argparse.ArgumentParser], None]) -> Callable[[Handler], Handler]:
    """Register a sub-command; later modules add theirs the same way."""
    def register(handler: Handler) -> Handler:
        _COMMANDS[name] = (help_text, arguments, handler)
        return handler
    return register


def _check_config_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the kiosk config (TOML)")
    parser.add_argument("--probe", action="store_true",
                        help="also open every device port, the broker and the backend")


def load_config_or_report(path: str | Path) -> KioskConfig | None:
    """The config, or None after printing every problem to stderr (callers exit 2)."""
    try:
        return load_config(path)
    except ConfigError as exc:
        print(f"{path}: {len(exc.problems)} error(s)", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return None


@command("check-config", "validate a kiosk config file (exit 2 if invalid)", _check_config_args)
def check_config(args: argparse.Namespace) -> int:
    config = load_config_or_report(args.file)
    if config is None:
        return EXIT_CONFIG
    enabled = [name for name, dev in config.devices.by_name().items() if dev.enabled]
    print(f"{args.file}: ok: kiosk {config.kiosk.id} at {config.kiosk.site}, "
          f"{len(enabled)} devices, backend {config.backend.url}, "
          f"broker {config.telemetry.broker_url}")
    if not args.probe:
        return EXIT_OK
    from kiosk.probe import probe_all

    results = probe_all(config)
    for result in results:
        print(f"  {'ok  ' if result.ok else 'FAIL'} {result.target}: {result.detail}")
    return EXIT_OK if all(result.ok for result in results) else EXIT_FAILED


def _no_args(parser: argparse.ArgumentParser) -> None:
    del parser


@command("hash-pin", "hash a technician PIN (read from the terminal) for service.pin_hash",
         _no_args)
def hash_pin_command(args: argparse.Namespace) -> int:
    from kiosk.service.pin import hash_pin

    pin = getpass.getpass("PIN: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    try:
        print(hash_pin(pin))
    except ValueError as exc:
        print(f"hash-pin: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return EXIT_OK


#: Modules that register further sub-commands with :func:`command` when imported.
COMMAND_MODULES: tuple[str, ...] = (
    "kiosk.issuance.verify_cli",
    "kiosk.demo_cli",
    "kiosk.run_cli",
    "kiosk.screens_cli",
)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(module)
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Controller for an unmanned certificate-issuing kiosk.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (help_text, arguments, handler) in _COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        arguments(sub)
        sub.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    # Run through the imported module, where the other modules register their commands.
    from kiosk.cli import main as registered_main

    sys.exit(registered_main())
