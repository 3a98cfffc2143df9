"""A full `kiosk demo --broker` run over TLS publishes the visit's status, health and events,
and nothing it published carries the test subject's RRN, name, fingerprint template or a card
number."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

from kiosk.logsetup import CARD_PATTERN, RRN_PATTERN
from sim.backend.subjects import SUBJECTS
from sim.subjects_fingers import template_for
from tests.telemetry.broker import MosquittoBroker
from tests.telemetry.consumer import FleetConsumer, wait_until

SUBJECT = "hong-gildong"


def test_demo_run_publishes_its_visit_and_no_personal_data(
        broker: MosquittoBroker, fleet: FleetConsumer, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("kiosk")), "demo", "--headless", "--subject",
         SUBJECT, "--broker", broker.url, "--out", str(tmp_path / "demo")],
        capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["outcome"] == "completed"
    wait_until(lambda: fleet.events_of("jongno-0001", "issuance"), 20, "issuance event")
    [event] = fleet.events_of("jongno-0001", "issuance")
    assert event.payload["outcome"] == "completed"
    assert event.payload["document"] == "resident-copy"
    assert fleet.healths and any(s.state == "offline" for s in fleet.statuses)

    published = "\n".join(payload.decode("utf-8", "replace") for _, payload in fleet.raw)
    person = SUBJECTS[SUBJECT]
    template = template_for(SUBJECT)
    forbidden = [person.rrn, person.rrn.replace("-", ""), person.name, template.hex(),
                 base64.b64encode(template).decode(), base64.urlsafe_b64encode(template).decode()]
    assert not [item for item in forbidden if item in published]
    assert not RRN_PATTERN.findall(published) and not CARD_PATTERN.findall(published)
    raw = b"".join(payload for _, payload in fleet.raw)
    assert template not in raw
