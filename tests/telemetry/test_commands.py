"""Fleet commands: Ed25519 signature, addressee, validity window and replay (also across a
restart), first against the verifier alone, then end to end through the TLS broker, where
every rejection must come back to the fleet as a ``command_rejected`` event."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.errors import CommandRejected, ConfigError
from kiosk.telemetry import protocol as p
from kiosk.telemetry.commands import (
    CLOCK_SKEW_S,
    CommandVerifier,
    NonceStore,
    load_fleet_public_key,
)
from tests.telemetry.broker import PKI_DIR, MosquittoBroker
from tests.telemetry.conftest import KIOSK_A, KIOSK_B, SITE, ServiceFactory
from tests.telemetry.consumer import FleetConsumer, wait_until
from tests.telemetry.test_protocol import fleet_key

NOW = 1_732_345_200


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def signed(name: str = "out_of_service", kiosk_id: str = KIOSK_A, *, issued_at: int = NOW,
           lifetime_s: int = 300, key: Ed25519PrivateKey | None = None,
           **args: str) -> p.Command:
    if name == "out_of_service" and not args:
        args = {"reason": "maintenance"}
    command = p.make_command(kiosk_id, name, args, issued_at=issued_at, lifetime_s=lifetime_s)
    return p.sign_command(command, key or fleet_key())


def verifier(tmp_path: Path, clock: Clock) -> CommandVerifier:
    return CommandVerifier(KIOSK_A, load_fleet_public_key(PKI_DIR / "fleet-ed25519.pub"),
                           NonceStore(tmp_path / "outbox.sqlite"), clock=clock)


def reason_of(check: CommandVerifier, command: p.Command) -> str:
    with pytest.raises(CommandRejected) as caught:
        check.verify(command)
    return caught.value.reason


def test_a_valid_command_is_accepted_once(tmp_path: Path) -> None:
    check = verifier(tmp_path, Clock(NOW + 10))
    command = signed()
    check.verify(command)
    assert reason_of(check, command) == "replayed"


def test_rejections_name_their_reason(tmp_path: Path) -> None:
    clock = Clock(NOW + 10)
    check = verifier(tmp_path, clock)
    assert reason_of(check, signed(key=Ed25519PrivateKey.generate())) == "bad_signature"
    tampered = replace(signed(), args={"reason": "vandalism"})
    assert reason_of(check, tampered) == "bad_signature"
    retargeted = replace(signed(), kiosk_id=KIOSK_B)
    assert reason_of(check, retargeted) == "bad_signature"  # kiosk_id is signed
    assert reason_of(check, signed(kiosk_id=KIOSK_B)) == "wrong_kiosk"
    assert reason_of(check, signed(issued_at=NOW - 400)) == "expired"
    assert reason_of(check, signed(issued_at=NOW + 10 + CLOCK_SKEW_S + 1)) == "not_yet_valid"
    check.verify(signed(issued_at=NOW + 10 + CLOCK_SKEW_S - 1))  # within the skew


def test_without_a_fleet_key_every_command_is_refused(tmp_path: Path) -> None:
    check = CommandVerifier(KIOSK_A, None, NonceStore(tmp_path / "n.sqlite"))
    assert reason_of(check, signed()) == "no_fleet_key"


def test_replays_are_refused_across_restarts_and_nonces_are_pruned(tmp_path: Path) -> None:
    clock = Clock(NOW + 10)
    first = verifier(tmp_path, clock)
    command = signed(lifetime_s=60)
    first.verify(command)
    first._nonces.close()
    second = verifier(tmp_path, clock)  # a restarted kiosk, same file
    assert reason_of(second, command) == "replayed"
    assert len(second._nonces) == 1
    clock.now = NOW + 60 + CLOCK_SKEW_S + 1
    second.verify(signed(issued_at=int(clock.now)))  # accepting prunes the expired nonce
    assert len(second._nonces) == 1
    assert reason_of(second, command) == "expired"


def send_and_collect(fleet: FleetConsumer, command: p.Command | bytes, expected: int) -> None:
    if isinstance(command, bytes):
        fleet.publish_raw(p.kiosk_topic(SITE, KIOSK_A, "cmd"), command)
    else:
        fleet.send_command(SITE, command)
    wait_until(lambda: len(fleet.events_of(KIOSK_A, "command_rejected")) >= expected, 10,
               f"{expected} command_rejected events")


def test_commands_through_the_broker(broker: MosquittoBroker, fleet: FleetConsumer,
                                     make_service: ServiceFactory) -> None:
    service = make_service(broker.url)
    received: list[p.Command] = []
    service.on_command(received.append)
    wait_until(lambda: service.connected, 10, "the kiosk to connect")
    wait_until(lambda: any(s.kiosk_id == KIOSK_A for s in fleet.statuses), 10, "online")

    good = signed(issued_at=int(time.time()))
    fleet.send_command(SITE, good)
    wait_until(lambda: received, 10, "the valid command to reach the callback")
    assert received == [good]

    now = int(time.time())
    cases: list[tuple[p.Command | bytes, str]] = [
        (good, "replayed"),
        (signed(issued_at=now, key=Ed25519PrivateKey.generate()), "bad_signature"),
        (signed(issued_at=now - 3600), "expired"),
        (p.encode(signed(kiosk_id=KIOSK_B, issued_at=now)), "wrong_kiosk"),  # on A's topic
        (b'{"v":1,"name":"rebirth"', "malformed"),
        (p.encode(good).replace(b'"v":1', b'"v":2'), "unsupported_version"),
    ]
    for index, (command, _reason) in enumerate(cases, start=1):
        send_and_collect(fleet, command, index)
    rejected = fleet.events_of(KIOSK_A, "command_rejected")
    assert [event.payload["reason"] for event in rejected] == [reason for _, reason in cases]
    assert rejected[0].payload["command"] == "out_of_service"
    assert "command" not in rejected[4].payload
    assert received == [good]  # nothing rejected reached the core


def test_replay_after_a_kiosk_restart(broker: MosquittoBroker, fleet: FleetConsumer,
                                      make_service: ServiceFactory, tmp_path: Path) -> None:
    outbox = tmp_path / "restart-outbox.sqlite"
    first = make_service(broker.url, outbox=outbox)
    accepted: list[p.Command] = []
    first.on_command(accepted.append)
    wait_until(lambda: first.connected, 10, "the kiosk to connect")
    command = signed("in_service", issued_at=int(time.time()))
    fleet.send_command(SITE, command)
    wait_until(lambda: accepted, 10, "the command before the restart")
    first.stop()

    second = make_service(broker.url, outbox=outbox)
    again: list[p.Command] = []
    second.on_command(again.append)
    wait_until(lambda: second.connected, 10, "the restarted kiosk to connect")
    fleet.send_command(SITE, command)
    send_and_collect(fleet, signed("rebirth", issued_at=int(time.time()),
                                   key=Ed25519PrivateKey.generate()), 2)
    reasons = [e.payload["reason"] for e in fleet.events_of(KIOSK_A, "command_rejected")]
    assert reasons == ["replayed", "bad_signature"]
    assert again == []


def test_rebirth_republishes_status_health_and_unacked_events(
        broker: MosquittoBroker, make_service: ServiceFactory) -> None:
    fleet = FleetConsumer(broker.url, acking=False).start()
    try:
        service = make_service(broker.url)
        wait_until(lambda: service.connected, 10, "the kiosk to connect")
        for score in (1, 2, 3):
            service.publish_event("satisfaction", {"score": score})
        wait_until(lambda: len(fleet.applied_seqs(KIOSK_A)) == 3, 10, "three events")
        statuses, healths = len(fleet.statuses), len(fleet.healths)
        fleet.send_command(SITE, signed("rebirth", issued_at=int(time.time())))
        wait_until(lambda: fleet.deliveries[p.Delivery.DUPLICATE] >= 3, 10, "the resend")
        wait_until(lambda: len(fleet.statuses) > statuses and len(fleet.healths) > healths, 10,
                   "status and health again")
        assert fleet.statuses[-1].state == "online"
        assert service.outbox.depth == 3  # still unacknowledged: nothing deleted by PUBACK
    finally:
        fleet.stop()


def test_callbacks_can_run_on_the_cores_event_loop(broker: MosquittoBroker, fleet: FleetConsumer,
                                                   make_service: ServiceFactory) -> None:
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()
    seen: list[tuple[str, str]] = []
    service = make_service(broker.url)
    service.on_command(lambda command: seen.append((command.name,
                                                    threading.current_thread().name)),
                       loop=loop)
    wait_until(lambda: service.connected, 10, "the kiosk to connect")
    fleet.send_command(SITE, signed("collect_diagnostics", issued_at=int(time.time())))
    wait_until(lambda: seen, 10, "the callback on the loop")
    assert seen == [("collect_diagnostics", runner.name)]
    loop.call_soon_threadsafe(loop.stop)
    runner.join(5)
    loop.close()


def test_an_unusable_fleet_key_is_a_config_error(tmp_path: Path,
                                                 make_service: ServiceFactory) -> None:
    not_ed25519 = PKI_DIR / "ca.pem"  # a certificate, not an Ed25519 public key
    with pytest.raises(ConfigError):
        load_fleet_public_key(not_ed25519)
    with pytest.raises(ConfigError):
        make_service("mqtt://127.0.0.1:9", start=False,
                     fleet_public_key_file=tmp_path / "missing.pub")
    assert not list(tmp_path.glob("*outbox.sqlite*"))  # checked before any file is opened
