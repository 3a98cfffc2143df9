"""The shipped Mosquitto config and ACL (examples/mosquitto/) on a real broker with TLS: each
kiosk speaks only for itself and hears only its own commands and acks; clients without a
certificate of the device CA are refused; a kiosk's own traffic flows."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from paho.mqtt.reasoncodes import ReasonCode

from kiosk.telemetry import protocol as p
from tests.telemetry.broker import PKI_DIR, MosquittoBroker
from tests.telemetry.conftest import KIOSK_A, KIOSK_B, SITE, ServiceFactory
from tests.telemetry.consumer import FleetConsumer, wait_until

NOT_AUTHORIZED = 0x87  # MQTT 5 reason code 135
GRANTED_QOS1 = 0x01


class RawClient:
    """A bare paho MQTT 5 client that records every ack's reason code and every message."""

    def __init__(self, broker: MosquittoBroker, cert: str | None, client_id: str,
                 ca: Path = PKI_DIR / "ca.pem", key_path: Path | None = None,
                 cert_path: Path | None = None) -> None:
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                                  protocol=mqtt.MQTTv5)
        certfile = cert_path or (PKI_DIR / f"{cert}.pem" if cert else None)
        keyfile = key_path or (PKI_DIR / f"{cert}.key" if cert else None)
        self.client.tls_set(ca_certs=str(ca), certfile=certfile and str(certfile),
                            keyfile=keyfile and str(keyfile))
        self.lock = threading.Lock()
        self.connack: ReasonCode | None = None
        self.disconnected = threading.Event()
        self.pubacks: dict[int, ReasonCode] = {}
        self.subacks: dict[int, list[ReasonCode]] = {}
        self.messages: list[tuple[str, bytes]] = []
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = lambda *args: self.disconnected.set()
        self.client.on_publish = self._on_publish
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.connect_async("127.0.0.1", broker.port, keepalive=10)
        self.client.loop_start()

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: ReasonCode,
                    properties: Any) -> None:
        self.connack = reason

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason: ReasonCode,
                    properties: Any) -> None:
        with self.lock:
            self.pubacks[mid] = reason

    def _on_subscribe(self, client: Any, userdata: Any, mid: int, reasons: list[ReasonCode],
                      properties: Any) -> None:
        with self.lock:
            self.subacks[mid] = reasons

    def _on_message(self, client: Any, userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self.lock:
            self.messages.append((message.topic, bytes(message.payload)))

    def wait_connected(self) -> None:
        wait_until(lambda: self.connack is not None, 10, "CONNACK")
        assert self.connack is not None and self.connack.value == 0

    def publish(self, topic: str, payload: bytes) -> int:
        info = self.client.publish(topic, payload, qos=1)
        return wait_until(lambda: self.pubacks.get(info.mid), 10, f"PUBACK for {topic}").value

    def subscribe(self, topic: str) -> int:
        _rc, mid = self.client.subscribe(topic, qos=1)
        return wait_until(lambda: self.subacks.get(mid), 10, f"SUBACK for {topic}")[0].value

    def topics_received(self) -> list[str]:
        with self.lock:
            return [topic for topic, _ in self.messages]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def event_bytes(kiosk_id: str, seq: int = 1) -> bytes:
    return p.encode(p.Event(kiosk_id, seq, seq - 1, 1_732_345_200.0, "satisfaction",
                            {"score": 5}))


def test_a_kiosk_cannot_speak_for_another_or_for_the_fleet(broker: MosquittoBroker,
                                                          fleet: FleetConsumer) -> None:
    kiosk_a = RawClient(broker, f"kiosk-{KIOSK_A}", KIOSK_A)
    kiosk_a.wait_connected()
    try:
        forged = {
            p.kiosk_topic(SITE, KIOSK_B, "event"): event_bytes(KIOSK_B),
            p.kiosk_topic(SITE, KIOSK_B, "status"): p.encode(
                p.Status(KIOSK_B, "offline", 1_732_345_200.0, 1, "shutdown")),
            p.kiosk_topic(SITE, KIOSK_B, "health"): b"{}",
            p.kiosk_topic(SITE, KIOSK_B, "cmd"): b"{}",  # a command to another kiosk
            p.kiosk_topic(SITE, KIOSK_A, "cmd"): b"{}",  # or to itself
            p.ack_topic(KIOSK_A): p.encode(p.Ack(KIOSK_A, 10**6)),  # acking its own events
            p.ack_topic(KIOSK_B): p.encode(p.Ack(KIOSK_B, 10**6)),
        }
        for topic, payload in forged.items():
            assert kiosk_a.publish(topic, payload) == NOT_AUTHORIZED, topic
        own = p.kiosk_topic(SITE, KIOSK_A, "event")
        assert kiosk_a.publish(own, event_bytes(KIOSK_A)) == 0
        # The site level is not bound to the certificate (documented): the fleet checks it
        # against its registry; the kiosk id is.
        assert kiosk_a.publish(p.kiosk_topic("busan", KIOSK_A, "event"), event_bytes(KIOSK_A)) == 0
        wait_until(lambda: fleet.applied_seqs(KIOSK_A) == [1], 10, "A's own event")
        with fleet.lock:
            assert not [topic for topic, _ in fleet.raw if KIOSK_B in topic]
    finally:
        kiosk_a.close()


def test_a_kiosk_cannot_read_another_kiosks_commands_or_acks(broker: MosquittoBroker,
                                                             fleet: FleetConsumer) -> None:
    kiosk_a = RawClient(broker, f"kiosk-{KIOSK_A}", KIOSK_A)
    kiosk_b = RawClient(broker, f"kiosk-{KIOSK_B}", KIOSK_B)
    try:
        kiosk_a.wait_connected()
        kiosk_b.wait_connected()
        # mosquitto 2.0 grants such subscriptions and filters on delivery; newer brokers
        # may answer 0x87 at once. Either way nothing of B's may reach A.
        for topic in (p.kiosk_topic(SITE, KIOSK_B, "cmd"), "kiosk/v1/#", "fleet/v1/ack/#", "#"):
            assert kiosk_a.subscribe(topic) in (GRANTED_QOS1, NOT_AUTHORIZED)
        for topic in (p.kiosk_topic(SITE, KIOSK_B, "cmd"), p.ack_topic(KIOSK_B)):
            assert kiosk_b.subscribe(topic) == GRANTED_QOS1
        for topic in (p.kiosk_topic(SITE, KIOSK_B, "cmd"), p.ack_topic(KIOSK_B),
                      p.kiosk_topic(SITE, KIOSK_A, "cmd")):
            assert fleet.publish_raw(topic, b"{}").rc == 0
        wait_until(lambda: len(kiosk_b.topics_received()) == 2, 10, "B's command and ack")
        wait_until(lambda: p.kiosk_topic(SITE, KIOSK_A, "cmd") in kiosk_a.topics_received(),
                   10, "A's own command")
        assert not [topic for topic in kiosk_a.topics_received() if KIOSK_B in topic]
    finally:
        kiosk_a.close()
        kiosk_b.close()


def other_ca_certificate(tmp_path: Path, common_name: str) -> tuple[Path, Path]:
    """A client certificate with a kiosk's CN, signed by a CA the broker does not trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "rogue.pem", tmp_path / "rogue.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_clients_without_a_device_ca_certificate_are_refused(broker: MosquittoBroker,
                                                             tmp_path: Path) -> None:
    rogue_cert, rogue_key = other_ca_certificate(tmp_path, KIOSK_B)
    clients = [RawClient(broker, None, "anonymous"),
               RawClient(broker, None, KIOSK_B, cert_path=rogue_cert, key_path=rogue_key)]
    try:
        for client in clients:
            wait_until(client.disconnected.is_set, 10, "the broker to drop the client")
            assert client.connack is None or client.connack.is_failure
    finally:
        for client in clients:
            client.close()
    assert "certificate" in broker.log_text.lower() or "ssl" in broker.log_text.lower()


def test_the_kiosks_own_traffic_flows(broker: MosquittoBroker, fleet: FleetConsumer,
                                      make_service: ServiceFactory) -> None:
    service = make_service(broker.url)
    seq = service.publish_event("satisfaction", {"score": 4})
    wait_until(lambda: fleet.applied_seqs(KIOSK_A) == [seq], 10, "the event")
    wait_until(lambda: service.outbox.depth == 0, 10, "the fleet's ack to empty the outbox")
    wait_until(lambda: [s for s in fleet.statuses if s.kiosk_id == KIOSK_A], 10, "online")
    wait_until(lambda: [h for h in fleet.healths if h.kiosk_id == KIOSK_A], 10, "health")
    assert service.publisher.refused_publishes == 0
