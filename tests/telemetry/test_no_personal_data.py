"""No personal data in telemetry: a run that uses every message, event kind and health part is
scanned for RRN- and card-number-shaped digit runs (kiosk.logsetup's patterns) in everything
the fleet received and in the kiosk's outbox files; smuggling attempts are refused unstored."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.errors import SchemaError
from kiosk.logsetup import CARD_PATTERN, RRN_PATTERN
from kiosk.status import DeviceState, DeviceStatus
from kiosk.telemetry import protocol as p
from tests.telemetry.broker import MosquittoBroker
from tests.telemetry.conftest import KIOSK_A, SITE, ServiceFactory
from tests.telemetry.consumer import FleetConsumer, wait_until
from tests.telemetry.test_commands import signed
from tests.telemetry.test_protocol import VALID_PAYLOADS

DEVICES = {
    "fingerprint": ({"sensor": "ready", "template_slots_used": 0}, {"captures": 5120,
                                                                    "failed_matches": 311}),
    "printer": ({"paper": "low", "toner_pct": 35, "jam": False}, {"pages": 182_340}),
    "receipt": ({"paper": "near_end"}, {"receipts": 20_455}),
    "binder": ({"staples_left": 1400, "wear": "ok"}, {"cycles": 48_210, "jams": 12}),
    "card_reader": ({"media": "none"}, {"transactions": 9_012, "errors": 44}),
    "panel": ({"door": "closed", "service_key": False}, {"key_presses": 1_234_567}),
}


def scan(text: str) -> list[str]:
    return RRN_PATTERN.findall(text) + CARD_PATTERN.findall(text)


def test_a_full_run_publishes_no_personal_data(broker: MosquittoBroker, fleet: FleetConsumer,
                                               make_service: ServiceFactory,
                                               tmp_path: Path) -> None:
    service = make_service(broker.url)
    wait_until(lambda: service.connected, 10, "the kiosk to connect")
    now = time.time()
    for name, (detail, counters) in DEVICES.items():
        service.set_device_status(DeviceStatus(name, DeviceState.ONLINE, detail, counters,
                                               since=now))
    service.update_health(
        consumables={"a4_sheets_left": 180, "toner_pct": 35, "receipt_paper": "near_end",
                     "staples_left": 1400, "retract_bin_count": 2},
        wear={"binder_cycles": 48_210, "binder_last_cycle_ms": 790.0, "binder_jams": 12,
              "printer_pages": 182_340, "fingerprint_captures": 5120,
              "fingerprint_failed_matches": 311, "card_transactions": 9012, "card_errors": 44},
        backend={"reachable": True, "latency_ms": 120.5})
    service.set_service_state("degraded", unavailable=["family-relation"])
    for kind, payload in VALID_PAYLOADS.items():
        service.publish_event(kind, payload)
    fleet.send_command(SITE, signed("in_service", issued_at=int(now)))
    fleet.send_command(SITE, signed("rebirth", issued_at=int(now) - 7200))  # rejected
    service.set_service_state("out_of_service", reason="fleet_command")
    wait_until(lambda: len(fleet.events_of(KIOSK_A, "command_rejected")) == 2, 10,
               "every event, including the rejection")
    wait_until(lambda: any(h.service.state == "out_of_service" for h in fleet.healths), 10,
               "the last health")
    service.stop()
    wait_until(lambda: any(s.reason == "shutdown" for s in fleet.statuses), 10, "offline")

    with fleet.lock:
        channels = {topic.rsplit("/", 1)[1] for topic, _ in fleet.raw}
        payloads = [payload.decode("utf-8") for _, payload in fleet.raw]
    assert channels == {"status", "health", "event"}
    assert {e.kind for e in fleet.applied[KIOSK_A]} == set(VALID_PAYLOADS)
    assert len(payloads) > 15
    for text in payloads:
        assert scan(text) == [], text
    for path in tmp_path.glob(f"{KIOSK_A}-outbox.sqlite*"):
        assert scan(path.read_bytes().decode("latin-1")) == [], path.name


@pytest.mark.parametrize("smuggled", ["900101-1234567", "9001011234567", "4111 1111 1111 1111"])
def test_smuggled_numbers_are_refused_and_not_stored(make_service: ServiceFactory,
                                                     smuggled: str) -> None:
    service = make_service("mqtt://127.0.0.1:9", start=False)
    attempts = [
        ("job_mismatch", {"reason": smuggled}),
        ("issuance", dict(VALID_PAYLOADS["issuance"], document=smuggled)),
        ("satisfaction", {"score": 5, "comment": smuggled}),
        ("device_fault", {"device": "card_reader", "state": "userError", "card": smuggled}),
    ]
    for kind, payload in attempts:
        with pytest.raises(SchemaError) as caught:
            service.publish_event(kind, payload)
        assert scan(str(caught.value)) == []
    with pytest.raises(SchemaError):
        service.set_device_status(DeviceStatus("card_reader", "online", {"last": smuggled}))
    with pytest.raises(SchemaError):
        service.set_service_state("out_of_service", reason=smuggled)
    assert service.outbox.depth == 0
    assert scan(p.encode(service.health()).decode()) == []
