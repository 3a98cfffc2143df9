"""A kiosk in its own process for the crash test: the real app against simulators that run
elsewhere (they are the hardware and survive the kill), walking citizen visits back to back.

``python -m tests.e2e.kiosk_child CONFIG CONTROL_URL SUBJECT DOCUMENT VISITS``; with VISITS 0 it
only starts (which resolves every open transaction) and exits once the journal is settled.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from kiosk.app import KioskApp
from kiosk.config import load_config
from kiosk.demo import SimulatorControl
from kiosk.demo_citizen import ScriptedCitizen
from kiosk.view import Intent, Screen, Snapshot
from sim.backend.subjects import SUBJECTS

SETTLE_TIMEOUT_S = 60.0


class PatientCitizen(ScriptedCitizen):
    """Waits at the catalogue while a device the document needs is still coming up."""

    def react(self, snapshot: Snapshot) -> list[Intent]:
        if snapshot.screen is Screen.CATALOGUE:
            choice = next(c for c in snapshot.documents if c.code == self.document)
            if not choice.available:
                self._last_screen = None
                return []
        return super().react(snapshot)


def main(config_path: str, control_url: str, subject: str, document: str, visits: int) -> int:
    app = KioskApp(load_config(Path(config_path)), telemetry=False)
    changed = threading.Event()
    app.channel.watch(changed.set)
    app.start()
    try:
        for _ in range(visits):
            citizen = PatientCitizen(document, SUBJECTS[subject].rrn,
                                     SimulatorControl(control_url, subject))
            seen = -1
            while not citizen.done:
                changed.wait(0.2)
                changed.clear()
                snapshot = app.channel.latest()
                if snapshot.seq != seen:
                    seen = snapshot.seq
                    for intent in citizen.react(snapshot):
                        app.intents.put(intent)
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while app.journal.unfinished():
            if time.monotonic() > deadline:
                return 1
            time.sleep(0.05)
    finally:
        app.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])))
