"""Telemetry benchmark: the kiosk's cost per event and the outbox's drain rate after an outage.

Two figures, each next to a reference measured in the same run on the same machine, so the
ratio says something even where the absolute numbers depend on the hardware (issue 6):

* publish cost: CPU time of the calling thread per ``TelemetryService.publish_event`` (payload
  check, JSON, one fsynced SQLite commit; target under 1 ms), against one raw paho
  ``publish(qos=1)`` call on a connected client;
* drain rate: events recorded while the kiosk was cut off, delivered, deduplicated and
  acknowledged once it connects (start to empty outbox; target at least 2,000 events/s), against
  raw paho QoS 1 publishing of the same encoded events to the same consumer.

Both run against a private Mosquitto started here with the shipped TLS config and ACL
(``tests/telemetry/broker.py``), the fleet side being the tests' consumer built on the wire
contract. ``python -m benchmarks.bench_telemetry`` prints the result as JSON.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from kiosk.telemetry import protocol as p
from kiosk.telemetry.service import TelemetryService
from tests.telemetry.broker import PKI_DIR, MosquittoBroker, mosquitto_missing_reason
from tests.telemetry.conftest import FAST_TUNING, KIOSK_A, KIOSK_B, SITE, telemetry_config
from tests.telemetry.consumer import FleetConsumer, wait_until

EVENTS = 5_000
PUBLISH_TARGET_MS = 1.0  # issue 6
DRAIN_TARGET_PER_S = 2_000.0  # issue 6
TIMEOUT_S = 120.0
ISSUANCE = {"document": "resident-copy", "outcome": "completed", "pages": 2, "copies": 1,
            "fee_won": 200, "session_s": 95.5}


def _publish_costs(service: TelemetryService) -> tuple[float, float]:
    """(CPU ms, wall ms) per publish_event, median of batches of 500."""
    cpu, wall = [], []
    for _batch in range(EVENTS // 500):
        cpu0, wall0 = time.thread_time(), time.perf_counter()
        for _ in range(500):
            service.publish_event("issuance", ISSUANCE)
        cpu.append((time.thread_time() - cpu0) * 1000 / 500)
        wall.append((time.perf_counter() - wall0) * 1000 / 500)
    return statistics.median(cpu), statistics.median(wall)


def _raw_reference(broker: MosquittoBroker, fleet: FleetConsumer) -> tuple[float, float]:
    """(CPU ms per paho publish, events/s end to end) for raw QoS 1 publishing as kiosk B,
    windowed like the publisher (unwindowed paho slows down: every PUBACK scans its queue)."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=KIOSK_B,
                         protocol=mqtt.MQTTv5)
    client.tls_set(ca_certs=str(PKI_DIR / "ca.pem"),
                   certfile=str(PKI_DIR / f"kiosk-{KIOSK_B}.pem"),
                   keyfile=str(PKI_DIR / f"kiosk-{KIOSK_B}.key"))
    window = threading.BoundedSemaphore(FAST_TUNING.inflight_window)
    client.on_publish = lambda *args: window.release()
    client.max_inflight_messages_set(FAST_TUNING.inflight_window)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    try:
        wait_until(client.is_connected, 10, "the reference client to connect")
        topic = p.kiosk_topic(SITE, KIOSK_B, p.Channel.EVENT)
        now = time.time()
        payloads = [p.encode(p.Event(KIOSK_B, seq, seq - 1, now, "issuance", ISSUANCE))
                    for seq in range(1, EVENTS + 1)]
        started, cpu = time.perf_counter(), 0.0
        for payload in payloads:
            window.acquire()
            cpu0 = time.thread_time()
            client.publish(topic, payload, qos=1)
            cpu += time.thread_time() - cpu0
        wait_until(lambda: len(fleet.applied_seqs(KIOSK_B)) == EVENTS, TIMEOUT_S,
                   "the reference events")
        return cpu * 1000 / EVENTS, EVENTS / (time.perf_counter() - started)
    finally:
        client.disconnect()
        client.loop_stop()


def _drain(broker: MosquittoBroker, fleet: FleetConsumer, workdir: Path) -> dict[str, float]:
    service = TelemetryService(
        telemetry_config(broker.url, workdir / "outbox.sqlite", KIOSK_A,
                         outbox_max_events=EVENTS * 2),
        kiosk_id=KIOSK_A, site=SITE, software_version="bench", tuning=FAST_TUNING)
    try:
        cpu_ms, wall_ms = _publish_costs(service)  # recorded while cut off: an outage
        started = time.perf_counter()
        service.start()
        wait_until(lambda: service.outbox.depth == 0, TIMEOUT_S, "the outbox to drain")
        elapsed = time.perf_counter() - started
        assert fleet.applied_seqs(KIOSK_A) == list(range(1, EVENTS + 1))
        return {"publish_event_cpu_ms": cpu_ms, "publish_event_wall_ms": wall_ms,
                "drain_rate_per_s": EVENTS / elapsed, "drain_s": elapsed,
                "rewinds": service.publisher.rewinds}
    finally:
        service.stop()


def run() -> dict[str, Any]:
    missing = mosquitto_missing_reason()
    if missing is not None:
        return {"skipped": missing}
    with tempfile.TemporaryDirectory(prefix="bench-telemetry-") as tmp:
        broker = MosquittoBroker(Path(tmp) / "broker")
        broker.start()
        fleet = FleetConsumer(broker.url).start()
        try:
            result = _drain(broker, fleet, Path(tmp))
            paho_cpu_ms, reference_rate = _raw_reference(broker, fleet)
        finally:
            fleet.stop()
            broker.close()
    result.update({
        "events": EVENTS,
        "transport": "mqtts, shipped mosquitto config and ACL, loopback",
        "paho_publish_cpu_ms": paho_cpu_ms,
        "publish_cost_ratio": result["publish_event_cpu_ms"] / paho_cpu_ms,
        "publish_target_ms": PUBLISH_TARGET_MS,
        "publish_target_met": result["publish_event_cpu_ms"] < PUBLISH_TARGET_MS,
        "reference_rate_per_s": reference_rate,
        "drain_ratio": result["drain_rate_per_s"] / reference_rate,
        "drain_target_per_s": DRAIN_TARGET_PER_S,
        "drain_target_met": result["drain_rate_per_s"] >= DRAIN_TARGET_PER_S,
    })
    return {key: round(value, 4) if isinstance(value, float) else value
            for key, value in result.items()}


if __name__ == "__main__":
    json.dump(run(), sys.stdout, indent=2)
    sys.stdout.write("\n")
