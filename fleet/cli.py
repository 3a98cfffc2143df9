"""The ``fleet-monitor`` command: ingest kiosk telemetry, store it, alert and serve the
dashboard. The monitor itself arrives with its own issue; today the command validates the
wire contract's presence and says what it will do.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fleet-monitor",
        description="Fleet monitor for certificate-issuing kiosks: MQTT ingest, storage "
                    "(SQLite or PostgreSQL), alerts with wear forecasts and a web dashboard.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    serve = commands.add_parser("serve", help="run ingest, alerts and the dashboard")
    serve.add_argument("--broker", default="mqtt://127.0.0.1:1883", help="broker URL")
    serve.add_argument("--db", default="sqlite:///fleet.sqlite", help="SQLAlchemy URL")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        print("fleet-monitor serve: the fleet monitor is not built yet (its issue is open); "
              "nothing started", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
