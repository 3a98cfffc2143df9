"""Kiosk restarts with events pending: a SIGKILLed kiosk process and a clean stop while the
broker is away. Nothing is lost, the sequence continues, PUBACK alone deletes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.telemetry.protocol import Delivery
from tests.telemetry.broker import REPO, MosquittoBroker
from tests.telemetry.conftest import KIOSK_A, ServiceFactory
from tests.telemetry.consumer import FleetConsumer, wait_until


def run_kiosk_until_killed(broker_url: str, outbox: Path, count: int,
                           before_kill: Callable[[], object] | None = None) -> list[int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.telemetry.kiosk_process", broker_url, str(outbox),
         KIOSK_A, str(count)], cwd=REPO, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    assert process.stdout is not None
    try:
        reported = [int(line) for line in iter(process.stdout.readline, "done\n")]
        if before_kill is not None:
            before_kill()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
    return reported


def test_sigkilled_kiosk_loses_nothing_and_continues_its_sequence(
        broker: MosquittoBroker, make_service: ServiceFactory, tmp_path: Path) -> None:
    outbox = tmp_path / "kiosk-outbox.sqlite"
    fleet = FleetConsumer(broker.url, acking=False).start()  # the fleet is slow to ack
    try:
        reported = run_kiosk_until_killed(
            broker.url, outbox, 200,
            before_kill=lambda: wait_until(lambda: len(fleet.applied_seqs(KIOSK_A)) == 200, 20,
                                           "all 200 events to reach the fleet (PUBACKed)"))
        assert reported == list(range(1, 201))
        service = make_service(broker.url, outbox=outbox, start=False)
        assert service.outbox.depth == 200  # delivered and PUBACKed, but never acked
        more = [service.publish_event("satisfaction", {"score": 2}) for _ in range(50)]
        assert more == list(range(201, 251))
        service.start()
        wait_until(lambda: fleet.deliveries[Delivery.DUPLICATE] >= 200, 20, "the resend")
        fleet.acking = True
        fleet.reack_all()
        wait_until(lambda: service.outbox.depth == 0, 20, "the outbox to drain")
        assert fleet.applied_seqs(KIOSK_A) == list(range(1, 251))
    finally:
        fleet.stop()


def test_kiosk_killed_during_an_outage_resends_after_restart(
        broker: MosquittoBroker, fleet: FleetConsumer, make_service: ServiceFactory,
        tmp_path: Path) -> None:
    outbox = tmp_path / "kiosk-outbox.sqlite"
    broker.stop()
    reported = run_kiosk_until_killed(broker.url, outbox, 300)
    assert reported == list(range(1, 301))
    broker.start()
    service = make_service(broker.url, outbox=outbox)
    seq = service.publish_event("satisfaction", {"score": 5})
    assert seq == 301
    wait_until(lambda: fleet.applied_seqs(KIOSK_A) == list(range(1, 302)), 20, "all 301")
    wait_until(lambda: service.outbox.depth == 0, 20, "the outbox to drain")


def test_clean_stop_with_pending_events(broker: MosquittoBroker, fleet: FleetConsumer,
                                        make_service: ServiceFactory, tmp_path: Path) -> None:
    outbox = tmp_path / "kiosk-outbox.sqlite"
    broker.stop()
    first = make_service(broker.url, outbox=outbox)
    assert [first.publish_event("satisfaction", {"score": 3}) for _ in range(20)] == \
        list(range(1, 21))
    first.stop()
    broker.start()
    second = make_service(broker.url, outbox=outbox)
    assert second.publish_event("satisfaction", {"score": 4}) == 21
    wait_until(lambda: fleet.applied_seqs(KIOSK_A) == list(range(1, 22)), 20, "all 21")
    wait_until(lambda: second.outbox.depth == 0, 20, "the outbox to drain")
