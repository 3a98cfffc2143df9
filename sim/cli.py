"""The ``kiosk-sim`` command: the hardware simulator, the backend simulator and test PKI.

Sub-commands register themselves with :func:`command`; each lives in the module of its part.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {}


def command(name: str, help_text: str,
            arguments: Callable[[argparse.ArgumentParser], None]) -> Callable[[Handler], Handler]:
    """Register a sub-command."""
    def register(handler: Handler) -> Handler:
        _COMMANDS[name] = (help_text, arguments, handler)
        return handler
    return register


def _pki_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--kiosk", action="append", dest="kiosks", metavar="ID",
                        help="a kiosk id to issue a client certificate for (repeatable)")


@command("pki", "write a TEST-ONLY CA, server, authority, fleet and kiosk certificates",
         _pki_args)
def pki_command(args: argparse.Namespace) -> int:
    from sim.pki import DEFAULT_KIOSK_IDS, make_pki

    files = make_pki(args.out, tuple(args.kiosks or DEFAULT_KIOSK_IDS))
    print(f"wrote {len(files)} files to {args.out} (TEST MATERIAL ONLY)")
    return 0


#: Modules that register further sub-commands when imported.
COMMAND_MODULES: tuple[str, ...] = ("sim.commands", "sim.backend.cli")


def _load_subcommands() -> None:
    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(module)


def build_parser() -> argparse.ArgumentParser:
    _load_subcommands()
    parser = argparse.ArgumentParser(
        prog="kiosk-sim",
        description="Simulated kiosk hardware, city issuance backend and test PKI.")
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
    from sim.cli import main as registered_main

    sys.exit(registered_main())
