"""A kiosk telemetry process for the restart tests: records N events, reports each seq on
stdout once ``publish_event`` returned (the event is committed), then idles until killed.

    python -m tests.telemetry.kiosk_process BROKER_URL OUTBOX KIOSK_ID COUNT
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from kiosk.telemetry.service import TelemetryService
from tests.telemetry.conftest import FAST_TUNING, SITE, SOFTWARE_VERSION, telemetry_config


def main(argv: list[str]) -> int:
    broker_url, outbox, kiosk_id, count = argv[0], Path(argv[1]), argv[2], int(argv[3])
    service = TelemetryService(telemetry_config(broker_url, outbox, kiosk_id),
                               kiosk_id=kiosk_id, site=SITE, software_version=SOFTWARE_VERSION,
                               tuning=FAST_TUNING)
    service.start()
    for index in range(count):
        seq = service.publish_event("satisfaction", {"score": 1 + index % 5})
        sys.stdout.write(f"{seq}\n")
        sys.stdout.flush()
    sys.stdout.write("done\n")
    sys.stdout.flush()
    threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
