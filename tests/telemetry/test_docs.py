"""docs/telemetry.md stays true: every JSON example decodes under its topic, the command
example's signature verifies with the test fleet key over the canonical text shown, and the ACL
shown is the shipped one."""

from __future__ import annotations

import json
import re

from kiosk.telemetry import protocol as p
from kiosk.telemetry.commands import load_fleet_public_key
from tests.telemetry.broker import MOSQUITTO_DIR, PKI_DIR, REPO

DOC = (REPO / "docs" / "telemetry.md").read_text(encoding="utf-8")
EXAMPLE = re.compile(r"Topic: `([^`]+)`\n```json\n(.*?)\n```", re.DOTALL)


def test_every_example_decodes() -> None:
    examples = EXAMPLE.findall(DOC)
    channels = {topic.rsplit("/", 1)[1] if topic.startswith("kiosk/") else "ack"
                for topic, _ in examples}
    assert channels == {"status", "health", "event", "ack", "cmd"}
    for topic, body in examples:
        payload = json.dumps(json.loads(body)).encode()
        parsed_topic, message = p.parse_message(topic, payload)
        assert parsed_topic.kiosk_id == message.kiosk_id


def test_the_command_example_is_signed_over_the_canonical_text() -> None:
    (body,) = [body for topic, body in EXAMPLE.findall(DOC) if topic.endswith("/cmd")]
    command = p.decode("cmd", json.dumps(json.loads(body)).encode())
    canonical = p.signing_bytes(command)
    assert f"```text\n{canonical.decode()}\n```" in DOC
    load_fleet_public_key(PKI_DIR / "fleet-ed25519.pub").verify(command.signature_bytes,
                                                                canonical)


def test_the_acl_shown_is_the_shipped_acl() -> None:
    shipped = [line for line in (MOSQUITTO_DIR / "acl").read_text().splitlines()
               if line and not line.startswith("#")]
    shown = re.search(r"`examples/mosquitto/acl`:\n\n```text\n(.*?)\n```", DOC, re.DOTALL)
    assert shown is not None
    assert [line for line in shown.group(1).splitlines() if line] == shipped


def test_the_doc_names_files_that_exist() -> None:
    for name in re.findall(r"`((?:kiosk|examples|tests|benchmarks)/[\w/.-]+\.\w+)`", DOC):
        assert (REPO / name).exists(), name
