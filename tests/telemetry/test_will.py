"""Liveness with the MQTT 5 Will Delay Interval: a quick reconnect publishes no ``offline``; a
longer outage does, by the broker's will, after the delay; a clean shutdown publishes a
retained ``offline`` itself and no will follows. The kiosk's link runs through a TCP proxy
that the test cuts."""

from __future__ import annotations

import time
from collections.abc import Callable

from kiosk.telemetry.protocol import Status
from tests.telemetry.broker import MosquittoBroker
from tests.telemetry.conftest import KIOSK_A, SITE, ServiceFactory
from tests.telemetry.consumer import FleetConsumer, retained_status, stays_false, wait_until
from tests.telemetry.proxy import TcpProxy

WILL_DELAY_S = 2
MARGIN_S = 1.5  # scheduling slack on a shared two-core machine


def statuses(fleet: FleetConsumer, predicate: Callable[[Status], bool]) -> list[Status]:
    with fleet.lock:
        return [s for s in fleet.statuses if s.kiosk_id == KIOSK_A and predicate(s)]


def test_will_delay_and_clean_shutdown(broker: MosquittoBroker, fleet: FleetConsumer,
                                       make_service: ServiceFactory) -> None:
    proxy = TcpProxy(broker.port)
    try:
        service = make_service(f"mqtts://127.0.0.1:{proxy.port}", will_delay_s=WILL_DELAY_S)
        first = wait_until(lambda: statuses(fleet, lambda s: s.state == "online"), 10,
                           "online")[-1]

        proxy.sever()  # a blip: the kiosk is back well within the will delay
        second = wait_until(lambda: statuses(
            fleet, lambda s: s.state == "online" and s.connection > first.connection), 10,
            "online again after the blip")[-1]
        assert stays_false(lambda: statuses(fleet, lambda s: s.state == "offline"),
                           WILL_DELAY_S + MARGIN_S), "a quick reconnect published offline"

        proxy.block()  # a real outage: no reconnect possible
        proxy.sever()
        cut = time.monotonic()
        offline = wait_until(lambda: statuses(fleet, lambda s: s.state == "offline"),
                             WILL_DELAY_S + 10, "the will")[-1]
        assert time.monotonic() - cut >= WILL_DELAY_S - 0.25  # held back by the delay
        assert (offline.reason, offline.connection) == ("connection_lost", second.connection)
        assert retained_status(broker.url, KIOSK_A, SITE).state == "offline"

        proxy.unblock()
        third = wait_until(lambda: statuses(
            fleet, lambda s: s.state == "online" and s.connection > second.connection), 10,
            "online after the outage")[-1]
        assert retained_status(broker.url, KIOSK_A, SITE) == third

        service.stop()
        shutdown = wait_until(lambda: statuses(fleet, lambda s: s.reason == "shutdown"), 10,
                              "offline on clean shutdown")[-1]
        assert (shutdown.state, shutdown.connection) == ("offline", third.connection)
        assert retained_status(broker.url, KIOSK_A, SITE) == shutdown
        assert stays_false(lambda: statuses(
            fleet, lambda s: s.reason == "connection_lost" and s.connection == third.connection),
            WILL_DELAY_S + MARGIN_S), "a will followed a clean shutdown"
    finally:
        proxy.close()
