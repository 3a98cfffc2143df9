"""After identity and document traffic, no file and no log holds an RRN or a template.

The loggers write through an UNREDACTED handler here, so the test checks that our code never
logs personal data at all, not that the redaction filter catches it. It covers the client and
the simulator in-process and ``kiosk-sim backend`` as a separate process.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import BackendConfig
from kiosk.errors import KioskError
from kiosk.issuance.backend import BackendClient
from kiosk.logsetup import JsonFormatter
from sim.backend import BackendSim
from sim.backend.subjects import SUBJECTS
from sim.subjects_fingers import template_for

REPO = Path(__file__).resolve().parents[2]
PKI = REPO / "examples" / "pki"
UNKNOWN_RRN = "850620-1077458"
STRANGER_TEMPLATE = template_for("unenrolled-stranger")
START_DEADLINE_S = 20.0
KIOSK_SIM = (sys.executable, "-c", "import sys; from sim.cli import main; sys.exit(main())")


def rrn_needles(rrn: str) -> list[bytes]:
    return [rrn.encode(), rrn.replace("-", "").encode()]


def template_needles(template: bytes) -> list[bytes]:
    needles = [template, template.hex().encode(), template.hex().upper().encode()]
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        needles.append(encode(template))
        needles.append(encode(template[:48]))  # any 48-byte-aligned run, padding-free
    return needles


NEEDLES = [needle for subject in SUBJECTS.values() for needle in (
    rrn_needles(subject.rrn) + [n for finger in subject.fingers
                                for n in template_needles(template_for(subject.key, finger))])]
NEEDLES += rrn_needles(UNKNOWN_RRN) + template_needles(STRANGER_TEMPLATE)


def config_for(url: str, kiosk: str = "jongno-0001") -> BackendConfig:
    return BackendConfig(url=url, ca_file=PKI / "ca.pem", cert_file=PKI / f"kiosk-{kiosk}.pem",
                         key_file=PKI / f"kiosk-{kiosk}.key",
                         public_key_file=PKI / "backend-x25519.pub", timeout_s=3.0)


def exercise(client: BackendClient, errors: list[str]) -> None:
    """Every identity outcome and identity documents, including the unmasked RRN option."""
    for index, subject in enumerate(SUBJECTS.values()):
        txn = f"txn-privacy-{index}"
        token = client.identify(txn, subject.rrn, template_for(subject.key, subject.fingers[0]))
        client.fetch_document(txn, "resident-abstract", {"rrn-back-digits": "show"}, token)
        client.fetch_document(txn, "family-relation", {"rrn-back-digits": "all"}, token)
        for rrn, template in ((subject.rrn, STRANGER_TEMPLATE),
                              (UNKNOWN_RRN, template_for(subject.key)),
                              (subject.rrn + "9", template_for(subject.key))):
            try:
                client.identify(txn + "-x", rrn, template)
            except KioskError as exc:
                errors += [str(exc), repr(exc), str(exc.to_dict())]


def scan(root: Path, extra_text: str) -> list[str]:
    found = []
    haystacks = {str(path): path.read_bytes() for path in root.rglob("*") if path.is_file()}
    haystacks["<captured log>"] = extra_text.encode("utf-8")
    for name, data in haystacks.items():
        found += [f"{name}: needle {index}" for index, needle in enumerate(NEEDLES)
                  if needle in data]
    return found


@pytest.fixture
def unredacted_log(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "logs" / "all.jsonl"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(previous)
    handler.close()


def test_in_process_run_leaves_no_personal_data(tmp_path: Path, unredacted_log: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[str] = []
    with BackendSim(run_dir=tmp_path / "run") as backend:
        with BackendClient(config_for(backend.url), "jongno-0001") as client:
            exercise(client, errors)
            backend.fault("error_5xx")
            try:
                client.identify("txn-privacy-5xx", UNKNOWN_RRN, STRANGER_TEMPLATE)
            except KioskError as exc:
                errors.append(repr(exc))
        counters = backend.state()["counters"]
    (tmp_path / "errors.txt").write_text("\n".join(errors), encoding="utf-8")
    assert counters["identity_accepted"] == len(SUBJECTS)
    assert counters["identity_rejected"] == 2 * len(SUBJECTS)
    assert len(errors) == 3 * 3 * len(SUBJECTS) + 1
    assert "identity accepted" in caplog.text and unredacted_log.stat().st_size > 0
    assert scan(tmp_path, caplog.text) == []


def test_backend_process_leaves_no_personal_data(tmp_path: Path) -> None:
    run_dir, out, err = tmp_path / "run", tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [*KIOSK_SIM, "backend", "--port", "0", "--dir", str(run_dir), "--log-level", "DEBUG"],
            cwd=REPO, stdout=stdout, stderr=stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            url = wait_for_url(out, process)
            with BackendClient(config_for(url, "jongno-0002"), "jongno-0002") as client:
                exercise(client, [])
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 0
    assert "backend simulator stopped" in out.read_text(encoding="utf-8")
    assert "identity accepted" in err.read_text(encoding="utf-8")
    assert not (run_dir / "backend.json").exists()
    assert scan(tmp_path, "") == []


def wait_for_url(stdout_file: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        match = re.search(r"^api\s+(https://\S+)", stdout_file.read_text(encoding="utf-8"),
                          re.MULTILINE)
        if match:
            return match.group(1)
        if process.poll() is not None:
            pytest.fail(f"kiosk-sim backend exited with {process.returncode}")
        time.sleep(0.05)
    pytest.fail("kiosk-sim backend did not print its address in time")


def test_the_scan_finds_planted_personal_data(tmp_path: Path) -> None:
    subject = SUBJECTS["park-jiwoo"]
    template = template_for(subject.key, subject.fingers[-1])
    (tmp_path / "a.txt").write_bytes(b"x" + subject.rrn_digits.encode() + b"y")
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "b.bin").write_bytes(base64.b64encode(template))
    found = scan(tmp_path, "log line " + template.hex().upper())
    assert {hit.split(": needle")[0] for hit in found} == {
        str(tmp_path / "a.txt"), str(tmp_path / "deep" / "b.bin"), "<captured log>"}
