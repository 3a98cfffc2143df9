"""`kiosk demo`: the headless scripted visit (see ``kiosk.demo``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, command


def _demo_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--headless", action="store_true", required=True,
                        help="run without a screen (the only mode of the demo)")
    parser.add_argument("--document", default="resident-copy", help="document code")
    parser.add_argument("--subject", default="hong-gildong", help="test subject")
    parser.add_argument("--language", default="ko", help="UI language the citizen picks")
    parser.add_argument("--fault", metavar="DEVICE:FAULT",
                        help="inject a simulator fault first, e.g. printer:jam")
    parser.add_argument("--broker", metavar="URL", help="publish telemetry to this broker")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--log-level", default="WARNING", help="log level (JSON to stderr)")


@command("demo", "run one scripted citizen visit headless against the simulators", _demo_args)
def demo_command(args: argparse.Namespace) -> int:
    from kiosk.config import LANGUAGES
    from kiosk.demo import DemoError, run_demo
    from kiosk.errors import KioskError
    from kiosk.logsetup import configure_logging

    if args.fault and ":" not in args.fault:
        print("kiosk demo: --fault must be DEVICE:FAULT, e.g. printer:jam", file=sys.stderr)
        return EXIT_CONFIG
    if args.language not in LANGUAGES:
        print(f"kiosk demo: --language must be one of {', '.join(LANGUAGES)}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(args.log_level.upper(), sys.stderr)
    try:
        summary = run_demo(args.out, document=args.document, subject=args.subject,
                           fault=args.fault, broker=args.broker, language=args.language)
    except (DemoError, KioskError) as exc:
        print(f"kiosk demo: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(summary, ensure_ascii=False))
    return EXIT_OK
