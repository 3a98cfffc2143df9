"""The wire contract by example: topics, every message, the command's canonical form and the
receiver's dedupe rule."""

from __future__ import annotations

import ast
import base64
import json
import subprocess
import sys
import time

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from kiosk import config as kiosk_config
from kiosk import view
from kiosk.errors import (
    PayloadTooLarge,
    SchemaError,
    TelemetryError,
    TopicError,
    UnsupportedVersion,
)
from kiosk.status import DeviceState, DeviceStatus
from kiosk.telemetry import protocol as p
from tests.telemetry.broker import PKI_DIR, REPO

NOW = 1_732_345_200.25
ISSUANCE = {"document": "resident-copy", "outcome": "completed", "pages": 2, "copies": 1,
            "fee_won": 200, "session_s": 93.5}
VALID_PAYLOADS: dict[str, dict[str, object]] = {
    "issuance": ISSUANCE,
    "job_mismatch": {"reason": "transaction_mismatch", "document": "resident-copy"},
    "satisfaction": {"score": 5},
    "device_fault": {"device": "binder", "state": "hardwareError", "fault": "binder.jam"},
    "device_recovered": {"device": "binder", "state": "online", "down_s": 420.0},
    "service_mode_entered": {"trigger": "key_switch"},
    "service_mode_exited": {"duration_s": 600},
    "service_action": {"action": "self_test", "device": "printer", "result": "passed"},
    "part_replaced": {"device": "binder", "part": "stapler_head", "counter_before": 48210},
    "refill": {"device": "printer", "consumable": "a4_paper", "amount": 500},
    "command_rejected": {"reason": "replayed", "command": "out_of_service"},
}


def fleet_key():  # type: ignore[no-untyped-def]
    return load_pem_private_key((PKI_DIR / "fleet-ed25519.key").read_bytes(), None)


def test_topics_are_built_and_parsed_back() -> None:
    topic = p.kiosk_topic("seoul-jongno", "jongno-0001", "event")
    assert topic == "kiosk/v1/seoul-jongno/jongno-0001/event"
    assert p.parse_topic(topic) == p.KioskTopic("seoul-jongno", "jongno-0001", p.Channel.EVENT)
    assert p.ack_topic("jongno-0001") == "fleet/v1/ack/jongno-0001"
    assert p.parse_topic("fleet/v1/ack/jongno-0001") == p.AckTopic("jongno-0001")
    assert p.kiosk_filter(p.Channel.EVENT) == "kiosk/v1/+/+/event"
    assert p.kiosk_filter("cmd", kiosk_id="jongno-0001") == "kiosk/v1/+/jongno-0001/cmd"


@pytest.mark.parametrize("topic", [
    "kiosk/v1/seoul-jongno/+/event", "kiosk/v1/seoul-jongno/#/event",
    "kiosk/v1/+/jongno-0001/event", "kiosk/v1/seoul-jongno//event",
    "kiosk/v1/seoul-jongno/jongno-0001/", "kiosk/v1/seoul-jongno/jongno-0001",
    "kiosk/v1/seoul-jongno/jongno-0001/event/extra", "kiosk/v2/seoul-jongno/jongno-0001/event",
    "kiosk/v1/Seoul/jongno-0001/event", "kiosk/v1/seoul-jongno/fleet-monitor/event",
    "kiosk/v1/seoul-jongno/jongno-0001/telemetry", "fleet/v1/ack/", "fleet/v1/ack/+",
    "fleet/v1/ack/a/b", "fleet/v1/ack/fleet-monitor", "", "/", "kiosk/v1/seoul-jongno/jo\0x/event",
])
def test_malformed_or_spoofed_topics_are_refused(topic: str) -> None:
    with pytest.raises(TopicError):
        p.parse_topic(topic)


@pytest.mark.parametrize("kiosk_id", ["+", "#", "a/b", "", "ab", "fleet-monitor", "jongno 01"])
def test_topic_builders_refuse_bad_ids(kiosk_id: str) -> None:
    with pytest.raises(TopicError):
        p.kiosk_topic("seoul-jongno", kiosk_id, "status")
    with pytest.raises(TopicError):
        p.ack_topic(kiosk_id)


def test_id_patterns_are_the_configs() -> None:
    assert p.KIOSK_ID_PATTERN.pattern == kiosk_config.KIOSK_ID_PATTERN + r"\Z"
    assert p.SITE_PATTERN.pattern == kiosk_config.SITE_PATTERN + r"\Z"
    assert {s.value for s in p.ServiceState} == {s.value for s in view.ServiceState}


def test_the_contract_imports_nothing_but_the_standard_library_status_and_errors() -> None:
    code = ("import sys, kiosk.telemetry.protocol; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('kiosk', 'paho', 'cryptography', 'sqlite3')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=REPO).stdout
    assert ast.literal_eval(loaded) == sorted([
        "kiosk", "kiosk.errors", "kiosk.status", "kiosk.telemetry",
        "kiosk.telemetry.protocol", "kiosk.telemetry.wire_command",
        "kiosk.telemetry.wire_events", "kiosk.telemetry.wire_fields",
        "kiosk.telemetry.wire_health"])


def test_payload_and_topic_must_name_the_same_kiosk() -> None:
    data = p.encode(p.Ack("jongno-0002", 7))
    with pytest.raises(TopicError):
        p.parse_message("fleet/v1/ack/jongno-0001", data)
    status = p.encode(p.Status("jongno-0002", "online", NOW, 1, "connected"))
    with pytest.raises(TopicError):
        p.parse_message("kiosk/v1/seoul-jongno/jongno-0001/status", status)


@pytest.mark.parametrize("kind", sorted(VALID_PAYLOADS))
def test_every_event_kind_round_trips(kind: str) -> None:
    event = p.Event("jongno-0001", 12, 11, NOW, kind, VALID_PAYLOADS[kind])
    data = p.encode(event)
    assert b" " not in data  # compact
    topic, decoded = p.parse_message("kiosk/v1/seoul-jongno/jongno-0001/event", data)
    assert decoded == event and topic.kiosk_id == "jongno-0001"
    assert decoded.critical == (kind in {"issuance", "job_mismatch"})


@pytest.mark.parametrize("kind", sorted(VALID_PAYLOADS))
def test_every_event_kind_checks_its_payload(kind: str) -> None:
    payload = dict(VALID_PAYLOADS[kind], unexpected_field=1)
    with pytest.raises(SchemaError, match="unknown field"):
        p.Event("jongno-0001", 1, 0, NOW, kind, payload)
    required, _ = p.PAYLOAD_SCHEMAS[p.EventKind(kind)]
    for name in required:
        missing = {k: v for k, v in VALID_PAYLOADS[kind].items() if k != name}
        with pytest.raises(SchemaError, match="missing"):
            p.Event("jongno-0001", 1, 0, NOW, kind, missing)


@pytest.mark.parametrize(("field", "value"), [
    ("pages", -1), ("pages", "2"), ("pages", 2.0), ("pages", True), ("fee_won", 10**9),
    ("outcome", "stolen"), ("document", "Resident Copy"), ("session_s", float("inf")),
    ("copies", 0), ("document", None),
])
def test_issuance_fields_are_typed(field: str, value: object) -> None:
    with pytest.raises(SchemaError):
        p.Event("jongno-0001", 1, 0, NOW, "issuance", dict(ISSUANCE, **{field: value}))


def test_event_sequence_fields() -> None:
    with pytest.raises(SchemaError):
        p.Event("jongno-0001", 0, 0, NOW, "satisfaction", {"score": 3})
    with pytest.raises(SchemaError):
        p.Event("jongno-0001", 5, 5, NOW, "satisfaction", {"score": 3})
    with pytest.raises(SchemaError):
        p.Event("jongno-0001", 5, 4, NOW, "unknown_kind", {})


def test_health_round_trips_with_every_part() -> None:
    printer = DeviceStatus("printer", DeviceState.USER_ERROR, {"paper": "out", "toner_pct": 40},
                           {"pages": 18234, "jams": 3}, since=NOW)
    health = p.Health(
        "jongno-0001", NOW, devices=(printer, DeviceStatus("binder", "online", since=NOW)),
        consumables=p.Consumables(a4_sheets_left=0, toner_pct=40, receipt_paper="near_end",
                                  staples_left=1200, retract_bin_count=2),
        wear=p.Wear(binder_cycles=48210, binder_last_cycle_ms=812.5, printer_pages=18234),
        service=p.ServiceInfo("degraded", ("resident-copy", "resident-abstract")),
        backend=p.BackendHealth(reachable=True, latency_ms=84.2),
        outbox=p.OutboxHealth(depth=3, capacity=100_000, near_full=False, dropped=0),
        software_version="0.1.0", uptime_s=86_400.5)
    decoded = p.decode("health", p.encode(health))
    assert decoded == health
    assert decoded.devices[0].detail["paper"] == "out"


def test_health_rules() -> None:
    with pytest.raises(SchemaError, match="reason"):
        p.ServiceInfo("out_of_service")
    assert p.ServiceInfo("out_of_service", reason="fleet_command").reason == "fleet_command"
    with pytest.raises(SchemaError):
        p.ServiceInfo("degraded", ("resident-copy", "resident-copy"))
    with pytest.raises(SchemaError):
        p.Consumables(toner_pct=101)
    with pytest.raises(SchemaError):
        p.Health("jongno-0001", NOW, devices=(DeviceStatus("printer", "online"),) * 2)
    many = tuple(DeviceStatus(f"device{i}", "online", {f"k{j}": "x" * 128 for j in range(20)},
                              since=NOW) for i in range(32))
    with pytest.raises(PayloadTooLarge):
        p.encode(p.Health("jongno-0001", NOW, devices=many))


def test_status_and_ack() -> None:
    status = p.Status("jongno-0001", "offline", NOW, 17, "connection_lost")
    assert p.decode("status", p.encode(status)) == status
    with pytest.raises(SchemaError):
        p.Status("jongno-0001", "maybe", NOW, 1, "connected")
    ack = p.Ack("jongno-0001", 0)
    assert p.decode(None, p.encode(ack)) == ack


def test_decoders_reject_versions_types_and_size() -> None:
    good = json.loads(p.encode(p.Ack("jongno-0001", 5)))
    for version in (0, 2, 99):
        with pytest.raises(UnsupportedVersion):
            p.decode(None, json.dumps(dict(good, v=version)).encode())
    for version in ("1", 1.0, None, True):
        with pytest.raises(SchemaError):
            p.decode(None, json.dumps(dict(good, v=version)).encode())
    with pytest.raises(SchemaError):
        p.decode(None, json.dumps(dict(good, up_to_seq="5")).encode())
    with pytest.raises(PayloadTooLarge):
        p.decode(None, b" " * (p.MAX_PAYLOAD_BYTES + 1))
    with pytest.raises(SchemaError, match="duplicate"):
        p.decode(None, b'{"v":1,"kiosk_id":"jongno-0001","up_to_seq":1,"up_to_seq":9}')
    with pytest.raises(SchemaError):
        p.decode(None, b"[" * 50_000)
    with pytest.raises(SchemaError):
        p.decode(None, b'{"v":1,"kiosk_id":"jongno-0001","up_to_seq":NaN}')


def test_command_canonical_form_is_fixed() -> None:
    command = p.make_command("jongno-0001", "out_of_service", {"reason": "maintenance"},
                             issued_at=1_732_345_200, lifetime_s=300,
                             nonce="AAAAAAAAAAAAAAAAAAAAAA")
    assert p.signing_bytes(command) == (
        b'{"args":{"reason":"maintenance"},"expires_at":1732345500,'
        b'"format":"kiosk-command/1","issued_at":1732345200,"kiosk_id":"jongno-0001",'
        b'"name":"out_of_service","nonce":"AAAAAAAAAAAAAAAAAAAAAA","v":1}')
    signed = p.sign_command(command, fleet_key())
    raw = base64.urlsafe_b64decode(signed.signature + "==")
    assert raw == fleet_key().sign(p.signing_bytes(command))  # Ed25519 is deterministic
    assert p.signing_bytes(signed) == p.signing_bytes(command)  # signature not covered
    assert p.decode("cmd", p.encode(signed)) == signed


def test_commands_are_checked() -> None:
    with pytest.raises(SchemaError, match="sign"):
        p.encode(p.make_command("jongno-0001", "rebirth", issued_at=int(NOW)))
    with pytest.raises(SchemaError):
        p.make_command("jongno-0001", "reboot", issued_at=int(NOW))
    with pytest.raises(SchemaError):
        p.make_command("jongno-0001", "out_of_service", issued_at=int(NOW))  # reason needed
    with pytest.raises(SchemaError, match="lifetime"):
        p.make_command("jongno-0001", "rebirth", issued_at=int(NOW), lifetime_s=86_401)
    with pytest.raises(SchemaError):
        p.make_command("jongno-0001", "rebirth", issued_at=int(NOW), nonce="short")
    unsigned = json.loads(json.dumps(p.make_command("jongno-0001", "rebirth",
                                                    issued_at=int(NOW)).to_dict()))
    with pytest.raises(SchemaError):
        p.decode("cmd", json.dumps(unsigned).encode())


def test_classify_event_is_the_dedupe_rule() -> None:
    def event(seq: int, prev: int) -> p.Event:
        return p.Event("jongno-0001", seq, prev, NOW, "satisfaction", {"score": 4})
    assert p.classify_event(0, event(1, 0)) is p.Delivery.APPLY
    assert p.classify_event(4, event(5, 4)) is p.Delivery.APPLY
    assert p.classify_event(4, event(7, 4)) is p.Delivery.APPLY  # 5, 6 dropped by the kiosk
    assert p.classify_event(6, event(7, 4)) is p.Delivery.APPLY  # resent after a drop
    assert p.classify_event(5, event(5, 4)) is p.Delivery.DUPLICATE
    assert p.classify_event(9, event(3, 2)) is p.Delivery.DUPLICATE
    assert p.classify_event(4, event(6, 5)) is p.Delivery.GAP


@pytest.mark.parametrize("smuggled", ["9001011234567", "900101-1234567", "4111-1111-1111-1111",
                                      "4111111111111111"])
def test_personal_digit_runs_are_refused_and_not_echoed(smuggled: str) -> None:
    attempts = [
        lambda: p.Event("jongno-0001", 1, 0, NOW, "issuance", dict(ISSUANCE, document=smuggled)),
        lambda: p.Event("jongno-0001", 1, 0, NOW, "job_mismatch", {"reason": smuggled}),
        lambda: p.Health("jongno-0001", NOW, devices=(
            DeviceStatus("printer", "online", {"serial": f"sn {smuggled}"}, since=NOW),)),
        lambda: p.decode(None, json.dumps({"v": 1, "kiosk_id": "jongno-0001", "up_to_seq": 1,
                                           smuggled: 1}).encode()),
    ]
    for attempt in attempts:
        with pytest.raises(TelemetryError) as caught:
            attempt()
        digits = smuggled.replace("-", "")
        assert digits not in str(caught.value).replace("-", "")


def test_timestamps_of_an_unset_clock_are_still_accepted() -> None:
    event = p.Event("jongno-0001", 1, 0, 12.5, "satisfaction", {"score": 2})
    assert p.decode("event", p.encode(event)).ts == 12.5
    with pytest.raises(SchemaError):
        p.Event("jongno-0001", 1, 0, time.time() * 1000, "satisfaction", {"score": 2})


def test_device_status_errors_do_not_quote_personal_digits() -> None:
    body = json.loads(p.encode(p.Health("jongno-0001", NOW, devices=(
        DeviceStatus("printer", "online", since=NOW),))))
    body["devices"][0]["state"] = "900101-1234567"
    with pytest.raises(SchemaError) as caught:
        p.decode("health", json.dumps(body).encode())
    assert "1234567" not in str(caught.value) and "state" in str(caught.value)
