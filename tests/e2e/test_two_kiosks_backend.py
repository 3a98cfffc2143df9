"""Two kiosks sharing one city backend, with requests less than a second apart, each hand
their own citizen their own document; and on one kiosk, a visit cancelled while its document is
on its way to the printer never hands that job to the next citizen."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import load_config
from kiosk.demo import SimulatorControl, run_visit
from kiosk.demo_citizen import ScriptedCitizen
from kiosk.issuance.document import canonical_bytes
from kiosk.issuance.verify import verify_pdf
from kiosk.issuance.verify_trust import load_anchors
from kiosk.view import Cancel, Intent, Screen, Snapshot
from sim.backend.simulator import BackendSim
from sim.backend.subjects import SUBJECTS
from sim.host import SimHost

PKI = Path(__file__).resolve().parents[2] / "examples" / "pki"


@pytest.fixture
def backend() -> Iterator[BackendSim]:
    with BackendSim(port=0) as simulator:
        yield simulator


class PatientCitizen(ScriptedCitizen):
    """Waits at the catalogue while a device the document needs is still coming up."""

    def react(self, snapshot: Snapshot) -> list[Intent]:
        if snapshot.screen is Screen.CATALOGUE:
            choice = next(c for c in snapshot.documents if c.code == self.document)
            if not choice.available:
                self._last_screen = None  # act again on the next snapshot
                return []
        return super().react(snapshot)


def printed(host: SimHost) -> list[Path]:
    return sorted((host.run_dir / "output" / "printer").glob("*.pdf"))


def document_of(pdf: Path) -> Any:
    anchors = load_anchors([PKI / "ca.pem"])
    return verify_pdf(pdf.read_bytes(), anchors).content


def test_two_kiosks_each_get_their_own_citizens_document(tmp_path: Path,
                                                          backend: BackendSim) -> None:
    visits = {"jongno-0001": "hong-gildong", "jongno-0002": "kim-minji"}
    hosts = {kiosk: SimHost(tmp_path / kiosk, timing=0, backend_url=backend.url,
                            kiosk_id=kiosk) for kiosk in visits}
    results: dict[str, dict[str, Any]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(visits))

    def visit(kiosk: str) -> None:
        host = hosts[kiosk]
        subject = visits[kiosk]
        citizen = PatientCitizen("resident-copy", SUBJECTS[subject].rrn,
                                 SimulatorControl(host.control_url, subject))
        try:
            start.wait(30)
            results[kiosk] = run_visit(load_config(host.run_dir / "kiosk.toml"), citizen,
                                       telemetry=False)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    for host in hosts.values():
        host.start()
    try:
        threads = [threading.Thread(target=visit, args=(kiosk,)) for kiosk in visits]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
    finally:
        for host in hosts.values():
            host.stop()
    assert errors == []
    assert all(results.get(kiosk) for kiosk in visits), results
    created = sorted(result["created_at"] for result in results.values())
    assert created[1] - created[0] < 1.0, "the two visits were not concurrent"
    for kiosk, subject in visits.items():
        result = results[kiosk]
        assert str(result["state"]) == "completed", result
        [pdf] = printed(hosts[kiosk])
        assert pdf.stem == result["txn_id"]
        content = document_of(pdf)
        assert (content.kiosk_id, content.transaction_id) == (kiosk, result["txn_id"])
        assert content.number == result["document_number"]
        body = canonical_bytes(content).decode()
        other = next(s for k, s in visits.items() if k != kiosk)
        assert SUBJECTS[subject].name in body
        assert SUBJECTS[other].name not in body


class CancellingCitizen(PatientCitizen):
    """Pays, then presses cancel as soon as the document is being fetched."""

    def react(self, snapshot: Snapshot) -> list[Intent]:
        if snapshot.screen is Screen.ISSUING and not getattr(self, "_cancelled", False):
            self._cancelled = True
            return [Cancel()]
        return super().react(snapshot)


def test_cancelled_visit_never_hands_its_job_to_the_next_citizen(tmp_path: Path,
                                                                  backend: BackendSim) -> None:
    with SimHost(tmp_path / "kiosk", timing=0, backend_url=backend.url) as host:
        config = load_config(host.run_dir / "kiosk.toml")
        backend.fault("slow", delay_s=2.0)
        first = CancellingCitizen("resident-copy", SUBJECTS["hong-gildong"].rrn,
                                  SimulatorControl(host.control_url, "hong-gildong"))
        cancelled = run_visit(config, first, telemetry=False)
        backend.fault("slow", False)
        assert str(cancelled["state"]) == "voided", cancelled
        assert printed(host) == []

        second = PatientCitizen("resident-copy", SUBJECTS["kim-minji"].rrn,
                                SimulatorControl(host.control_url, "kim-minji"))
        completed = run_visit(config, second, telemetry=False)
        assert str(completed["state"]) == "completed"
        [pdf] = printed(host)
        assert pdf.stem == completed["txn_id"]
        body = canonical_bytes(document_of(pdf)).decode()
        assert SUBJECTS["kim-minji"].name in body
        assert SUBJECTS["hong-gildong"].name not in body
        ledger = host.emulators["card_reader"].state()["ledger"]
        assert ledger[cancelled["txn_id"]]["outcome"] == "approved"
        assert ledger[cancelled["txn_id"]]["settlement"] == "voided"
        assert ledger[completed["txn_id"]]["settlement"] == "captured"
