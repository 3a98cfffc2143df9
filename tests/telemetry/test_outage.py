"""Broker outages: 1,000 events recorded while the broker is stopped, and a broker SIGKILLed in
the middle of a stream; afterwards the fleet-side consumer (dedupe on (kiosk_id, seq), acks)
holds every event exactly once, in order per kiosk, and both outboxes are empty."""

from __future__ import annotations

import threading
import time

from kiosk.telemetry import protocol as p
from kiosk.telemetry.service import TelemetryService
from tests.telemetry.broker import MosquittoBroker
from tests.telemetry.conftest import KIOSK_A, KIOSK_B, ServiceFactory
from tests.telemetry.consumer import FleetConsumer, wait_until

EVENTS_PER_KIOSK = 500  # two kiosks: 1,000 events in all
DRAIN_TIMEOUT_S = 60.0


def record(service: TelemetryService, index: int) -> int:
    """Every tenth event is an issuance (never droppable), the rest ratings."""
    if index % 10 == 0:
        return service.publish_event("issuance", {
            "document": "resident-copy", "outcome": "completed", "pages": 1 + index % 3,
            "copies": 1, "fee_won": 200, "session_s": float(index)})
    return service.publish_event("satisfaction", {"score": 1 + index % 5})


def assert_exactly_once_in_order(fleet: FleetConsumer, service: TelemetryService,
                                 expected: list[int]) -> None:
    kiosk_id = service.kiosk_id
    wait_until(lambda: fleet.applied_seqs(kiosk_id) == expected, DRAIN_TIMEOUT_S,
               f"{kiosk_id}'s {len(expected)} events")
    wait_until(lambda: service.outbox.depth == 0, DRAIN_TIMEOUT_S, f"{kiosk_id}'s outbox")
    applied = fleet.events_of(kiosk_id, "issuance") + fleet.events_of(kiosk_id, "satisfaction")
    assert len(applied) == len(expected)
    for event in fleet.applied[kiosk_id]:
        index = event.seq - expected[0]
        if index % 10 == 0:
            assert event.kind == "issuance" and event.payload["session_s"] == float(index)
        else:
            assert event.payload == {"score": 1 + index % 5}


def test_thousand_events_while_the_broker_is_stopped(broker: MosquittoBroker,
                                                     fleet: FleetConsumer,
                                                     make_service: ServiceFactory) -> None:
    kiosks = [make_service(broker.url, KIOSK_A), make_service(broker.url, KIOSK_B)]
    for service in kiosks:
        wait_until(lambda s=service: s.connected, 10, "the kiosks to connect")
    broker.stop()
    for service in kiosks:
        wait_until(lambda s=service: not s.connected, 10, "the kiosks to notice the outage")
    expected: dict[str, list[int]] = {s.kiosk_id: [] for s in kiosks}
    for index in range(EVENTS_PER_KIOSK):
        for service in kiosks:
            expected[service.kiosk_id].append(record(service, index))
    assert [s.outbox.depth for s in kiosks] == [EVENTS_PER_KIOSK, EVENTS_PER_KIOSK]
    assert expected[KIOSK_A] == list(range(1, EVENTS_PER_KIOSK + 1))
    started = time.monotonic()
    broker.start()
    for service in kiosks:
        assert_exactly_once_in_order(fleet, service, expected[service.kiosk_id])
    assert time.monotonic() - started < DRAIN_TIMEOUT_S
    assert not fleet.invalid


def test_broker_killed_mid_stream(broker: MosquittoBroker, fleet: FleetConsumer,
                                  make_service: ServiceFactory) -> None:
    kiosks = [make_service(broker.url, KIOSK_A), make_service(broker.url, KIOSK_B)]
    for service in kiosks:
        wait_until(lambda s=service: s.connected, 10, "the kiosks to connect")
    expected: dict[str, list[int]] = {s.kiosk_id: [] for s in kiosks}
    killed = threading.Event()
    produced = threading.Event()

    def produce() -> None:
        for index in range(EVENTS_PER_KIOSK):
            for service in kiosks:
                expected[service.kiosk_id].append(record(service, index))
            if index == EVENTS_PER_KIOSK // 3:
                wait_until(lambda: len(fleet.applied_seqs(KIOSK_A)) > 0, 10, "first events")
                broker.kill()
                killed.set()
            if index % 25 == 0:
                time.sleep(0.002)  # a stream, not one burst: the kill lands inside it
        produced.set()

    producer = threading.Thread(target=produce)
    producer.start()
    wait_until(killed.is_set, 30, "the broker to be killed")
    in_flight_at_kill = {s.kiosk_id: s.outbox.depth for s in kiosks}
    wait_until(produced.is_set, 30, "the rest of the events, recorded during the outage")
    producer.join()
    assert sum(in_flight_at_kill.values()) > 0  # the kill really interrupted something
    broker.start()
    for service in kiosks:
        assert_exactly_once_in_order(fleet, service, expected[service.kiosk_id])
    assert fleet.deliveries[p.Delivery.APPLY] == 2 * EVENTS_PER_KIOSK
    assert not fleet.invalid
