"""Fixtures for the telemetry tests: private Mosquitto brokers (TLS + ACL from
examples/mosquitto/), the fleet-side consumer and kiosk telemetry services with short timings."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import TelemetryConfig
from kiosk.telemetry.service import TelemetryService
from kiosk.telemetry.settings import Tuning
from tests.telemetry.broker import PKI_DIR, MosquittoBroker, mosquitto_missing_reason
from tests.telemetry.consumer import FleetConsumer

SITE = "seoul-jongno"
KIOSK_A = "jongno-0001"
KIOSK_B = "jongno-0002"
SOFTWARE_VERSION = "0.1.0-test"

#: Short timings so outages, reconnects and resends happen within a test's seconds.
FAST_TUNING = Tuning(keepalive_s=5, reconnect_min_s=0.05, reconnect_max_s=0.3,
                     ack_timeout_s=0.5, ack_timeout_max_s=2.0, health_min_interval_s=0.2,
                     shutdown_timeout_s=2.0)


def telemetry_config(broker_url: str, outbox_path: Path, kiosk_id: str = KIOSK_A,
                     **overrides: Any) -> TelemetryConfig:
    """A kiosk's telemetry section pointing at the test PKI (CN = ``kiosk_id``)."""
    values: dict[str, Any] = {
        "broker_url": broker_url, "outbox_path": outbox_path,
        "ca_file": PKI_DIR / "ca.pem", "cert_file": PKI_DIR / f"kiosk-{kiosk_id}.pem",
        "key_file": PKI_DIR / f"kiosk-{kiosk_id}.key",
        "fleet_public_key_file": PKI_DIR / "fleet-ed25519.pub",
        "health_interval_s": 60.0, "outbox_max_events": 100_000, "will_delay_s": 5}
    values.update(overrides)
    return TelemetryConfig(**values)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[MosquittoBroker]:
    """A private TLS broker with the shipped config and ACL, on its own port."""
    reason = mosquitto_missing_reason()
    if reason is not None:
        pytest.skip(reason)
    instance = MosquittoBroker(tmp_path / "broker")
    instance.start()
    yield instance
    instance.close()


@pytest.fixture
def fleet(broker: MosquittoBroker) -> Iterator[FleetConsumer]:
    consumer = FleetConsumer(broker.url).start()
    yield consumer
    consumer.stop()


ServiceFactory = Callable[..., TelemetryService]


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator[ServiceFactory]:
    """Build (and by default start) kiosk telemetry services; all are stopped afterwards."""
    services: list[TelemetryService] = []

    def factory(broker_url: str, kiosk_id: str = KIOSK_A, *, outbox: Path | None = None,
                start: bool = True, tuning: Tuning = FAST_TUNING,
                clock: Callable[[], float] = time.time, **overrides: Any) -> TelemetryService:
        path = outbox or tmp_path / f"{kiosk_id}-outbox.sqlite"
        service = TelemetryService(telemetry_config(broker_url, path, kiosk_id, **overrides),
                                   kiosk_id=kiosk_id, site=SITE,
                                   software_version=SOFTWARE_VERSION, tuning=tuning,
                                   clock=clock)
        services.append(service)
        if start:
            service.start()
        return service

    yield factory
    for service in services:
        service.stop()
