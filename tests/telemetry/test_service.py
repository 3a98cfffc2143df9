"""The API the kiosk core calls (TelemetryService) and the publisher's policies: broker URLs,
health on connect / on change (coalesced) / periodically, the outbox flags in health, the ack
window that bounds what is in flight, and the lifecycle."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from kiosk.errors import ConfigError, SchemaError
from kiosk.status import DeviceState, DeviceStatus
from kiosk.telemetry.settings import BrokerAddress, parse_broker_url
from tests.telemetry.broker import MosquittoBroker
from tests.telemetry.conftest import FAST_TUNING, KIOSK_A, ServiceFactory
from tests.telemetry.consumer import FleetConsumer, stays_false, wait_until

UNREACHABLE = "mqtt://127.0.0.1:9"


def test_broker_urls() -> None:
    assert parse_broker_url("mqtt://broker.example") == BrokerAddress("broker.example", 1883,
                                                                      False)
    assert parse_broker_url("mqtts://10.0.0.5:8884/") == BrokerAddress("10.0.0.5", 8884, True)
    for bad in ("http://broker", "mqtt://", "mqtts://user:secret@broker:8883",
                "mqtt://broker/kiosk", "mqtt://broker:99999", "broker:1883"):
        with pytest.raises(ConfigError):
            parse_broker_url(bad)


def test_mqtts_needs_usable_tls_files(make_service: ServiceFactory, tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        make_service("mqtts://127.0.0.1:8883", start=False, cert_file=None)
    with pytest.raises(ConfigError):
        make_service("mqtts://127.0.0.1:8883", start=False, key_file=tmp_path / "missing.key")


def test_events_are_checked_and_numbered_before_any_connection(
        make_service: ServiceFactory) -> None:
    service = make_service(UNREACHABLE, start=False)
    assert service.publish_event("satisfaction", {"score": 3}) == 1
    assert service.publish_event("refill", {"device": "printer", "consumable": "a4_paper"}) == 2
    with pytest.raises(SchemaError):
        service.publish_event("coffee_break", {})
    with pytest.raises(SchemaError):
        service.publish_event("satisfaction", {"score": 6})
    assert service.outbox.depth == 2


def test_health_model_updates(make_service: ServiceFactory) -> None:
    service = make_service(UNREACHABLE, start=False)
    service.set_device_status(DeviceStatus("printer", DeviceState.ONLINE, {"paper": "ok"}))
    service.set_device_status(DeviceStatus("binder", DeviceState.HARDWARE_ERROR))
    service.update_health(consumables={"toner_pct": 12}, backend={"reachable": False})
    service.update_health(consumables={"a4_sheets_left": 40})
    service.set_service_state("out_of_service", reason="binder.jam")
    health = service.health()
    assert [d.device for d in health.devices] == ["binder", "printer"]
    assert (health.consumables.toner_pct, health.consumables.a4_sheets_left) == (12, 40)
    assert health.backend.reachable is False
    assert (health.service.state, health.service.reason) == ("out_of_service", "binder.jam")
    assert health.kiosk_id == KIOSK_A and health.software_version == "0.1.0-test"
    with pytest.raises(SchemaError):
        service.update_health(wear={"binder_teeth": 3})
    with pytest.raises(SchemaError):
        service.update_health(consumables={"toner_pct": -1})
    with pytest.raises(SchemaError):
        service.set_service_state("on_fire")
    with pytest.raises(SchemaError):
        service.set_service_state("out_of_service")  # needs a reason
    assert service.health().consumables.toner_pct == 12  # failed updates changed nothing


def test_health_on_connect_on_change_coalesced_and_periodic(
        broker: MosquittoBroker, fleet: FleetConsumer, make_service: ServiceFactory) -> None:
    tuning = dataclasses.replace(FAST_TUNING, health_min_interval_s=0.5)
    service = make_service(broker.url, tuning=tuning, health_interval_s=2.0)
    wait_until(lambda: fleet.healths, 10, "health on connect")
    wait_until(lambda: len(fleet.healths) >= 2, 4, "the periodic health")  # no change needed
    before = len(fleet.healths)
    started = time.monotonic()
    for pages in range(40):  # 40 changes in a burst
        service.set_device_status(DeviceStatus("printer", "online", counters={"pages": pages}))
    wait_until(lambda: any(h.devices and h.devices[0].counters["pages"] == 39
                           for h in fleet.healths), 5, "the last change")
    elapsed = time.monotonic() - started
    assert len(fleet.healths) - before <= 2 + int(elapsed / 0.5)  # coalesced, not 40


def test_outbox_flags_reach_the_health(broker: MosquittoBroker, make_service: ServiceFactory
                                       ) -> None:
    fleet = FleetConsumer(broker.url, acking=False).start()
    try:
        service = make_service(broker.url, start=False, outbox_max_events=100)
        for _ in range(85):
            service.publish_event("satisfaction", {"score": 1})
        service.start()
        health = wait_until(lambda: [h for h in fleet.healths if h.outbox.depth == 85], 10,
                            "health with the outbox depth")[-1]
        assert health.outbox.near_full and health.outbox.capacity == 100
        for _ in range(20):
            service.publish_event("satisfaction", {"score": 1})
        wait_until(lambda: [h for h in fleet.healths if h.outbox.dropped == 5], 10,
                   "health reporting the drops")
    finally:
        fleet.stop()


def test_ack_window_bounds_what_is_in_flight(broker: MosquittoBroker,
                                             make_service: ServiceFactory) -> None:
    fleet = FleetConsumer(broker.url, acking=False).start()
    try:
        tuning = dataclasses.replace(FAST_TUNING, ack_window=50, inflight_window=10, batch=5)
        service = make_service(broker.url, tuning=tuning)
        for _ in range(200):
            service.publish_event("satisfaction", {"score": 2})
        wait_until(lambda: len(fleet.applied_seqs(KIOSK_A)) == 50, 10, "the first window")
        assert stays_false(lambda: len(fleet.applied_seqs(KIOSK_A)) > 50, 1.0)
        assert service.publisher.rewinds >= 1  # the stalled ack made it resend the window
        fleet.acking = True
        fleet.reack_all()
        wait_until(lambda: service.outbox.depth == 0, 20, "the rest once the fleet acks")
        assert fleet.applied_seqs(KIOSK_A) == list(range(1, 201))
    finally:
        fleet.stop()


def test_lifecycle(make_service: ServiceFactory, tmp_path: Path) -> None:
    service = make_service(UNREACHABLE, start=False, enabled=False)
    service.start()
    assert service.publish_event("satisfaction", {"score": 1}) == 1
    assert not service.connected
    with pytest.raises(RuntimeError):
        service.start()
    service.stop()
    service.stop()
