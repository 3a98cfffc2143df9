"""Property tests of every schema: garbage, truncation, wrong versions, wrong types and huge
payloads are refused with the specific TelemetryError, valid messages round-trip, and the
dedupe rule applies every event exactly once, in order, under duplicates, reordering and loss."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.errors import (
    PayloadTooLarge,
    SchemaError,
    TelemetryError,
    TopicError,
    UnsupportedVersion,
)
from kiosk.status import DeviceState, DeviceStatus
from kiosk.telemetry import protocol as p
from tests.telemetry.test_protocol import NOW, VALID_PAYLOADS, fleet_key

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
CHANNELS: list[p.Channel | None] = [*p.Channel, None]

kiosk_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{2,20}", fullmatch=True).filter(
    lambda text: text != "fleet-monitor")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20)


def valid_messages() -> list[tuple[p.Channel | None, Any]]:
    command = p.sign_command(p.make_command("jongno-0001", "collect_diagnostics",
                                            {"scope": "devices"}, issued_at=int(NOW)),
                             fleet_key())
    return [
        (p.Channel.STATUS, p.Status("jongno-0001", "online", NOW, 3, "connected")),
        (p.Channel.HEALTH, p.Health("jongno-0001", NOW, devices=(
            DeviceStatus("printer", DeviceState.ONLINE, {"paper": "ok"}, {"pages": 9},
                         since=NOW),))),
        (p.Channel.EVENT, p.Event("jongno-0001", 8, 7, NOW, "issuance",
                                  VALID_PAYLOADS["issuance"])),
        (p.Channel.CMD, command),
        (None, p.Ack("jongno-0001", 8)),
    ]


VALID = valid_messages()


def decode_or_contract_error(channel: p.Channel | None, data: bytes) -> None:
    try:
        p.decode(channel, data)
    except TelemetryError:
        pass


@FUZZ
@given(channel=st.sampled_from(CHANNELS), data=st.binary(max_size=300))
def test_random_bytes_only_raise_the_contract_error(channel: p.Channel | None,
                                                    data: bytes) -> None:
    decode_or_contract_error(channel, data)


@FUZZ
@given(channel=st.sampled_from(CHANNELS), value=json_values)
def test_random_json_only_raises_the_contract_error(channel: p.Channel | None,
                                                    value: Any) -> None:
    decode_or_contract_error(channel, json.dumps(value).encode())


@FUZZ
@given(index=st.sampled_from(range(len(VALID))), cut=st.integers(min_value=0))
def test_truncated_messages_are_schema_errors(index: int, cut: int) -> None:
    channel, message = VALID[index]
    data = p.encode(message)
    cut %= len(data)
    try:
        p.decode(channel, data[:cut])
    except SchemaError:
        return
    raise AssertionError("a truncated message decoded")


@FUZZ
@given(index=st.sampled_from(range(len(VALID))), data=st.data())
def test_each_field_with_a_wrong_type_or_missing_is_a_schema_error(index: int,
                                                                   data: st.DataObject) -> None:
    channel, message = VALID[index]
    body = json.loads(p.encode(message))
    field = data.draw(st.sampled_from(sorted(set(body) - {"v"})))
    wrong = data.draw(st.sampled_from([{"unexpected": [1]}, "Not A Token!", [[]], 1.5e300]))
    for broken in (dict(body, **{field: wrong}),
                   {k: v for k, v in body.items() if k != field},
                   dict(body, extra_field=data.draw(json_values))):
        try:
            p.decode(channel, json.dumps(broken).encode())
        except SchemaError:
            continue
        raise AssertionError(f"{field}: a broken message decoded")


@FUZZ
@given(index=st.sampled_from(range(len(VALID))),
       version=st.integers().filter(lambda v: v != p.PROTOCOL_VERSION))
def test_unknown_versions_are_refused(index: int, version: int) -> None:
    channel, message = VALID[index]
    body = dict(json.loads(p.encode(message)), v=version)
    try:
        p.decode(channel, json.dumps(body).encode())
    except UnsupportedVersion:
        return
    raise AssertionError("an unknown version decoded")


@settings(max_examples=20, deadline=None)
@given(index=st.sampled_from(range(len(VALID))),
       extra=st.integers(min_value=1, max_value=100_000))
def test_huge_payloads_are_refused_before_parsing(index: int, extra: int) -> None:
    channel, message = VALID[index]
    data = p.encode(message)
    padded = data[:-1] + b" " * (p.MAX_PAYLOAD_BYTES - len(data) + extra) + b"}"
    try:
        p.decode(channel, padded)
    except PayloadTooLarge:
        return
    raise AssertionError("an oversized payload decoded")


@FUZZ
@given(kiosk_id=kiosk_ids, seq=st.integers(min_value=1, max_value=2**53 - 1),
       kind=st.sampled_from(sorted(VALID_PAYLOADS)), ts=st.floats(0, 4e9))
def test_valid_events_round_trip(kiosk_id: str, seq: int, kind: str, ts: float) -> None:
    event = p.Event(kiosk_id, seq, seq - 1, ts, kind, VALID_PAYLOADS[kind])
    assert p.decode("event", p.encode(event)) == event


@FUZZ
@given(topic=st.text(max_size=80) | st.builds(
    "/".join, st.lists(st.sampled_from(["kiosk", "v1", "fleet", "ack", "+", "#", "", "a-b",
                                        "jongno-0001", "event", "cmd"]), max_size=6)))
def test_topics_parse_or_raise_topic_error(topic: str) -> None:
    try:
        parsed = p.parse_topic(topic)
    except TopicError:
        return
    assert str(parsed) == topic
    assert not {"+", "#", ""} & set(topic.split("/"))


@FUZZ
@given(site=st.sampled_from(["seoul-jongno", "busan"]), kiosk_id=kiosk_ids,
       garbage=st.sampled_from(["+", "#", "/", ""]), position=st.integers(0, 10))
def test_ids_with_wildcards_are_refused(site: str, kiosk_id: str, garbage: str,
                                        position: int) -> None:
    spoofed = kiosk_id[:position] + garbage + kiosk_id[position:] if garbage else ""
    for build in (lambda: p.kiosk_topic(site, spoofed, "event"), lambda: p.ack_topic(spoofed)):
        try:
            build()
        except TopicError:
            continue
        raise AssertionError("a wildcard id was accepted")


@settings(max_examples=300, deadline=None)
@given(total=st.integers(1, 40), dropped=st.sets(st.integers(1, 40)), data=st.data())
def test_dedupe_applies_every_event_once_in_order(total: int, dropped: set[int],
                                                  data: st.DataObject) -> None:
    """A kiosk resends from the fleet's ack; the network duplicates, reorders and loses."""
    kept = [seq for seq in range(1, total + 1) if seq not in dropped or seq == total]
    high_water, applied = 0, []
    for _round in range(50):
        stream, prev = [], high_water
        for seq in (s for s in kept if s > high_water):
            stream.append(p.Event("jongno-0001", seq, prev, NOW, "satisfaction", {"score": 1}))
            prev = seq
        if not stream:
            break
        delivered = data.draw(st.permutations(stream + data.draw(st.lists(
            st.sampled_from(stream), max_size=5))))
        lost = data.draw(st.sets(st.integers(0, len(delivered))), label="lost")
        for position, event in enumerate(delivered):
            if position in lost:
                continue
            if p.classify_event(high_water, event) is p.Delivery.APPLY:
                applied.append(event.seq)
                high_water = event.seq
    else:
        raise AssertionError("never converged")
    assert applied == kept
