"""The core carries out the real session's effects on its own loop, against the saga with
fake ports and fake fingerprint/identity: whole visits, a cancel during issuing, and identity
failures, with the journal and the card ledger as witnesses."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk import session_events as ev
from kiosk.config import DEVICE_NAMES
from kiosk.core import KioskCore
from kiosk.errors import IdentityRejected
from kiosk.issuance.catalogue import load_catalogue
from kiosk.issuance.journal import Journal, TxnState
from kiosk.issuance.recovery import Recovery
from kiosk.issuance.saga import IssuanceSaga
from kiosk.session import Session
from kiosk.session_settings import SessionSettings
from kiosk.view import (
    ChooseDocument,
    ChooseLanguage,
    Confirm,
    IntentQueue,
    RrnDigit,
    Screen,
    SetCopies,
    SkipRating,
    Snapshot,
    SnapshotChannel,
    Start,
)
from tests.issuance.fakes import Faults, fake_ports

RRN = "9001011234568"


class FakeSensor:
    def __init__(self) -> None:
        self.cancels = 0

    def capture_template(self, deadline_s: float) -> bytes:
        return b"\x01" * 512

    def cancel_capture(self) -> None:
        self.cancels += 1


class FakeIdentity:
    def __init__(self, accept: bool = True) -> None:
        self.accept = accept
        self.seen_rrn: list[bytes] = []

    def identify(self, transaction_id: str, rrn: bytearray, template: bytes) -> str:
        self.seen_rrn.append(bytes(rrn))
        if not self.accept:
            raise IdentityRejected("no match", step="identify")
        return "token-1"

    def health(self) -> float:
        return 0.001


class Harness:
    def __init__(self, tmp_path: Path, faults: Faults, identity: FakeIdentity) -> None:
        self.journal = Journal(tmp_path / "journal.sqlite")
        self.ports = fake_ports(faults, pages=2)
        self.saga = IssuanceSaga(self.journal, self.ports, "jongno-0001", guard=lambda t: False)
        self.session = Session(load_catalogue(), SessionSettings(site="seoul-jongno"),
                               clock=time.monotonic, wall_clock=_office_hours)
        self.changed = threading.Event()
        self.channel = SnapshotChannel(self.session.snapshot())
        self.channel.watch(self.changed.set)
        self.identity = identity
        self.core = KioskCore(self.session, self.saga, Recovery(self.journal, self.ports),
                              channel=self.channel, intents=IntentQueue(),
                              fingerprint=FakeSensor(), identity=identity,
                              document_names=lambda code, lang: "주민등록표 등본")
        self.core.post(ev.DevicesChanged(DEVICE_NAMES))
        self.core.start()

    def wait_for(self, predicate: Callable[[Snapshot], bool], timeout_s: float = 10) -> Snapshot:
        deadline = time.monotonic() + timeout_s
        while True:
            snapshot = self.channel.latest()
            if predicate(snapshot):
                return snapshot
            assert time.monotonic() < deadline, f"stuck on {snapshot.screen}"
            self.changed.wait(0.1)
            self.changed.clear()

    def screen(self, screen: Screen) -> Snapshot:
        return self.wait_for(lambda s: s.screen is screen)

    def send(self, *intents: object) -> None:
        for intent in intents:
            self.core.submit(intent)  # type: ignore[arg-type]

    def walk_to_payment(self) -> None:
        self.screen(Screen.ATTRACT)
        self.send(Start())
        self.screen(Screen.LANGUAGE)
        self.send(ChooseLanguage("ko"))
        self.screen(Screen.CATALOGUE)
        self.send(ChooseDocument("resident-copy"))
        self.screen(Screen.OPTIONS)
        self.send(Confirm())
        self.screen(Screen.IDENTITY)
        self.send(*(RrnDigit(d) for d in RRN), Confirm())

    def close(self) -> None:
        self.core.stop()
        self.journal.close()


def _office_hours() -> float:
    from tests.session.harness import MONDAY_10

    return MONDAY_10 + (time.monotonic() % 60)


@pytest.fixture
def harness_factory(tmp_path: Path):
    made: list[Harness] = []

    def make(faults: Faults | None = None, identity: FakeIdentity | None = None) -> Harness:
        harness = Harness(tmp_path, faults or Faults(), identity or FakeIdentity())
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


def test_whole_visit_completes_and_captures_once(harness_factory) -> None:
    h = harness_factory()
    h.walk_to_payment()
    h.screen(Screen.FEE)
    h.send(Confirm())
    h.screen(Screen.THANKS)
    h.send(SkipRating())
    h.screen(Screen.ATTRACT)
    [txn] = h.journal.all()
    assert txn.state is TxnState.COMPLETED and txn.captured and txn.pages_printed == 2
    assert h.ports.payment.captures == [txn.txn_id]  # type: ignore[attr-defined]
    assert h.identity.seen_rrn == [RRN.encode()]


def test_rrn_is_wiped_after_identity(harness_factory) -> None:
    h = harness_factory()
    h.walk_to_payment()
    h.screen(Screen.FEE)
    snapshot = h.channel.latest()
    assert RRN[6:] not in repr(snapshot)
    assert snapshot.rrn_masked in ("", "900101-*******")


def test_binder_jam_voids_and_tells_the_citizen(harness_factory) -> None:
    h = harness_factory(Faults({"binder_jam"}))
    h.walk_to_payment()
    h.screen(Screen.FEE)
    h.send(Confirm())
    failure = h.screen(Screen.FAILURE)
    assert failure.failure is not None and failure.failure.refunded
    [txn] = h.journal.all()
    assert txn.state is TxnState.VOIDED
    assert h.ports.payment.ledger[txn.txn_id].voided  # type: ignore[attr-defined]
    assert h.ports.payment.captures == []  # type: ignore[attr-defined]
    assert h.ports.finisher.retracted == 1  # type: ignore[attr-defined]


def test_identity_rejected_three_times_ends_politely(harness_factory) -> None:
    h = harness_factory(identity=FakeIdentity(accept=False))
    h.walk_to_payment()
    failure = h.screen(Screen.FAILURE)
    assert failure.failure is not None
    assert failure.failure.message_key == "failure.identity_attempts"
    assert h.ports.payment.approvals == []  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    while any(t.state is not TxnState.FAILED for t in h.journal.all()):
        assert time.monotonic() < deadline, [t.state for t in h.journal.all()]
        time.sleep(0.05)
    assert len(h.identity.seen_rrn) == 3


def test_copies_chosen_on_the_fee_screen_are_printed_and_charged(harness_factory) -> None:
    h = harness_factory()
    h.walk_to_payment()
    h.screen(Screen.FEE)
    h.send(SetCopies(2))
    assert h.wait_for(lambda s: s.fee_won == 400).copies == 2
    h.send(Confirm())
    h.screen(Screen.THANKS)
    [txn] = h.journal.all()
    deadline = time.monotonic() + 10
    while h.journal.get(txn.txn_id).state is not TxnState.COMPLETED:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    done = h.journal.get(txn.txn_id)
    assert (done.fee_won, done.pages_printed, done.captured) == (400, 4, True)
    assert [pages for _, pages in h.ports.printer.jobs] == [2, 2]  # type: ignore[attr-defined]
