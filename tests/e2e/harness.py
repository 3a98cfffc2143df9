"""The end-to-end harness: simulated kiosks in-process, a scripted citizen walking one visit
through the real core, faults switched on at a given saga step, and the invariants every run
must keep (issue 4, 'Shows it').

A ``SimKiosk`` is one kiosk's device simulator (``sim.host.SimHost`` on real ptys) and the
config it writes, pointed at a shared ``BackendSim``. ``walk`` drives a fresh ``KioskApp`` with a
``ScriptedCitizen`` who gives up (Cancel) when the kiosk keeps them waiting on a screen where
they are the one to act. ``FaultAt`` switches a simulator fault on the moment the journal
records a state, in the saga's own thread, so the fault is in place before the saga's next
step. ``check_money`` reads the card emulator's ledger against the journal.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.app import KioskApp
from kiosk.config import KioskConfig, load_config
from kiosk.demo_citizen import ScriptedCitizen
from kiosk.issuance.journal import TERMINAL_STATES, Journal, Transaction, TxnState
from kiosk.view import Cancel, Screen, ServiceState, SetCopies
from sim.backend.subjects import SUBJECTS
from sim.host import SimHost

#: Who asks for what: the subject's document must exist in the backend simulator.
SUBJECT_FOR = {"resident-copy": "hong-gildong", "vehicle-register": "lee-seojun"}
#: Device deadlines in these runs (timing 0: every reply is immediate), so a silent device is
#: noticed quickly. The card reader's gives card_wait_s = 1 s: a 'timeout' fault costs ~2 s.
DEVICE_TIMEOUTS_S = {"printer": 1.0, "fingerprint": 1.0, "binder": 1.0, "receipt": 1.0,
                     "card_reader": 2.0}
#: Collect timeout in these runs (the product's minimum is 10 s; a not-taken document is
#: retracted after this long).
COLLECT_TIMEOUT_S = 1.5
#: How long the kiosk may wait for a device that does not answer when a visit starts.
DEVICE_WAIT_S = 1.0
#: Screens where the citizen acts; stuck there this long, they press Cancel.
CITIZEN_SCREENS = frozenset({Screen.LANGUAGE, Screen.CATALOGUE, Screen.OPTIONS, Screen.IDENTITY,
                             Screen.FINGERPRINT, Screen.FEE, Screen.PAYMENT})
GIVE_UP_S = 2.5
#: A document shown unavailable this long (not just while a device comes up) sends them away.
UNAVAILABLE_PATIENCE_S = 0.5
#: How long a fresh kiosk may take to be in service (devices replugged just before).
IN_SERVICE_S = 10.0
#: A kiosk that stays out of service this long at the start of a visit refused the citizen.
REFUSED_AFTER_S = 1.0
VISIT_DEADLINE_S = 60.0
#: After a visit, how long its transactions may take to end, and how long one may stay in
#: the same state before it is left to recovery (a device it needs is down).
SETTLE_S = 8.0
QUIET_S = 1.0
#: Ledger settlements (sim.devices.card_reader: Settlement names, lower case).
CAPTURED, VOIDED = "captured", "voided"
#: Journal states in which the card must have been captured (a document went out).
CAPTURED_STATES = frozenset({TxnState.COMPLETED, TxnState.RETRACTED})


def poll(condition: Callable[[], Any], timeout_s: float, what: str,
         interval_s: float = 0.01) -> Any:
    """Wait until ``condition()`` is truthy and return it; fail naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.1f} s waiting for {what}")
        time.sleep(interval_s)


def e2e_config(path: Path, **ui: float) -> KioskConfig:
    """The simulator's kiosk config with these runs' deadlines and no telemetry."""
    config = load_config(path)
    deadlines = {name: dataclasses.replace(getattr(config.devices, name), timeout_s=seconds)
                 for name, seconds in DEVICE_TIMEOUTS_S.items()}
    devices = dataclasses.replace(config.devices, **deadlines)
    return dataclasses.replace(
        config, devices=devices,
        telemetry=dataclasses.replace(config.telemetry, enabled=False),
        ui=dataclasses.replace(config.ui, collect_timeout_s=COLLECT_TIMEOUT_S, **ui))


class HostHands:
    """The person at the machine, through the in-process simulator."""

    def __init__(self, host: SimHost, subject: str) -> None:
        self.host = host
        self.subject = subject

    def place_finger(self) -> None:
        self.host.act("fingerprint", "place", {"subject": self.subject})

    def take_document(self) -> None:
        self.host.act("binder", "take", {})


@dataclass
class SimKiosk:
    """One kiosk's device simulator and config (the backend is shared)."""

    host: SimHost
    config: KioskConfig

    @classmethod
    def start(cls, run_dir: Path, backend_url: str, *, kiosk_id: str = "jongno-0001",
              timing: float = 0.0) -> SimKiosk:
        host = SimHost(run_dir, timing=timing, backend_url=backend_url, kiosk_id=kiosk_id)
        host.start()
        return cls(host, e2e_config(run_dir / "kiosk.toml"))

    def stop(self) -> None:
        self.host.stop()

    def app(self, *, in_service: bool = True) -> KioskApp:
        """A fresh kiosk, started: recovery of anything left open runs before it returns.

        With ``in_service`` it also waits until the kiosk takes citizens (a replugged device
        may take a reconnect or two).
        """
        app = KioskApp(self.config, telemetry=False)
        app.start(device_wait_s=DEVICE_WAIT_S)
        if in_service:
            try:
                poll(lambda: app.channel.latest().service_state is ServiceState.IN_SERVICE
                     and app.channel.latest().screen is Screen.ATTRACT, IN_SERVICE_S,
                     "the kiosk to be in service")
            except AssertionError as exc:
                snapshot = app.channel.latest()
                states = {name: (device.status.state.value, device.status.detail.get("reason"))
                          for name, device in app.devices.items()}
                app.stop()
                raise AssertionError(f"{exc}: {snapshot.screen.value} "
                                     f"{snapshot.unavailable_reasons} {states}") from None
        return app

    def citizen(self, document: str, subject: str | None = None,
                **options: Any) -> ScriptedCitizen:
        subject = subject or SUBJECT_FOR[document]
        return ScriptedCitizen(document, SUBJECTS[subject].rrn, HostHands(self.host, subject),
                               **options)

    def clear_faults(self) -> None:
        for name, emulator in self.host.emulators.items():
            if not self.host.links[name].plugged:
                self.host.fault(name, "replug")
            emulator.clear_faults()

    def ledger(self) -> dict[str, dict[str, Any]]:
        return dict(self.host.emulators["card_reader"].state()["ledger"])

    def card_counters(self) -> dict[str, int]:
        return dict(self.host.emulators["card_reader"].state()["counters"])

    def transactions(self) -> list[Transaction]:
        journal = Journal(self.config.journal.path)
        try:
            return journal.all()
        finally:
            journal.close()

    def history(self, txn_id: str) -> list[str]:
        journal = Journal(self.config.journal.path)
        try:
            return [to for _, to in journal.history(txn_id)]
        finally:
            journal.close()

    def printer_jobs(self) -> list[dict[str, Any]]:
        return list(self.host.emulators["printer"].state()["jobs"])


@dataclass
class VisitResult:
    """What one visit did: the screens, how it ended, and the transactions it opened."""

    screens: list[Screen] = field(default_factory=list)
    failure: str | None = None
    out_of_service: bool = False
    txn_ids: list[str] = field(default_factory=list)
    recovered: bool = False


def walk(app: KioskApp, citizen: ScriptedCitizen, *, copies: int = 1,
         give_up_s: float = GIVE_UP_S, deadline_s: float = VISIT_DEADLINE_S,
         on_snapshot: Callable[[Any], Iterable[Any]] | None = None) -> VisitResult:
    """Walk one visit to its end (back to attract) and return what happened.

    ``on_snapshot`` may answer extra intents (e.g. a Cancel at a chosen moment).
    """
    before = {t.txn_id for t in app.journal.all()}
    changed = threading.Event()
    app.channel.watch(changed.set)
    started = last_change = time.monotonic()
    seen, copies_set = -1, copies == 1
    unavailable_since: float | None = None
    result = VisitResult()
    while True:
        now = time.monotonic()
        if now - started > deadline_s:
            raise AssertionError(f"the visit did not end in {deadline_s:.0f} s: "
                                 f"{[s.value for s in citizen.screens]}")
        changed.wait(0.05)
        changed.clear()
        snapshot = app.channel.latest()
        if snapshot.seq != seen:
            seen, last_change = snapshot.seq, now
            intents = list(citizen.react(snapshot))
            if (citizen.done and snapshot.screen is Screen.FAILURE) \
                    or (snapshot.screen is Screen.PAYMENT and snapshot.payment_hint):
                intents.append(Cancel())  # read the screen, leave (ignored while aborting)
            if not copies_set and snapshot.screen is Screen.OPTIONS:
                intents.insert(0, SetCopies(copies))
                copies_set = True
            if on_snapshot is not None:
                intents += list(on_snapshot(snapshot))
            for intent in intents:
                app.intents.put(intent)
        screen = snapshot.screen
        unavailable_since = (unavailable_since or now) if citizen.unavailable else None
        if unavailable_since is not None and now - unavailable_since > UNAVAILABLE_PATIENCE_S:
            app.intents.put(Cancel())  # the document stays unavailable: leave
            unavailable_since = None
        visiting = any(s not in (Screen.ATTRACT, Screen.OUT_OF_SERVICE)
                       for s in citizen.screens)
        if citizen.done:
            if screen in (Screen.ATTRACT, Screen.OUT_OF_SERVICE):
                break
        elif not visiting and screen is Screen.OUT_OF_SERVICE \
                and now - started > REFUSED_AFTER_S:
            result.out_of_service = True
            break
        elif screen in CITIZEN_SCREENS and now - last_change > give_up_s:
            app.intents.put(Cancel())
            last_change = now
    result.screens = list(citizen.screens)
    result.failure = citizen.failure
    result.txn_ids = [t.txn_id for t in app.journal.all() if t.txn_id not in before]
    return result


def settle(kiosk: SimKiosk, app: KioskApp, result: VisitResult) -> list[Transaction]:
    """Stop the kiosk once its transactions ended; if some stay open (a device was down for
    the capture or the void), clear the faults and let a restarted kiosk's recovery end them.
    Returns the visit's transactions as the journal finally holds them."""
    deadline = time.monotonic() + SETTLE_S
    last, quiet_since = None, time.monotonic()
    while time.monotonic() < deadline:
        rows = [app.journal.get(t) for t in result.txn_ids]
        if all(row.finished for row in rows):
            break
        states = [(row.state, row.updated_at) for row in rows]
        if states != last:
            last, quiet_since = states, time.monotonic()
        elif time.monotonic() - quiet_since > QUIET_S:
            break
        time.sleep(0.02)
    app.stop()
    kiosk.clear_faults()
    rows = {t.txn_id: t for t in kiosk.transactions()}
    if any(not rows[t].finished for t in result.txn_ids):
        result.recovered = True
        kiosk.app().stop()
        rows = {t.txn_id: t for t in kiosk.transactions()}
    return [rows[t] for t in result.txn_ids]


class FaultAt:
    """Switch ``inject()`` on the moment the journal records ``state`` (once), in the thread
    that records it, so the fault is in place before the saga's next step."""

    def __init__(self, journal: Journal, state: TxnState, inject: Callable[[], None]) -> None:
        self.state = state
        self.inject = inject
        self.fired = False
        self._advance = journal.advance
        self._begin = journal.begin
        journal.advance = self._on_advance  # type: ignore[method-assign]
        journal.begin = self._on_begin  # type: ignore[method-assign]

    def _fire(self, txn: Transaction) -> Transaction:
        if txn.state is self.state and not self.fired:
            self.fired = True
            self.inject()
        return txn

    def _on_begin(self, *args: Any, **kwargs: Any) -> Transaction:
        return self._fire(self._begin(*args, **kwargs))

    def _on_advance(self, *args: Any, **kwargs: Any) -> Transaction:
        return self._fire(self._advance(*args, **kwargs))


def check_money(transactions: Iterable[Transaction], ledger: dict[str, dict[str, Any]],
                history: Callable[[str], list[str]]) -> None:
    """Never charged without a document, never charged twice, nothing left held or open."""
    for txn in transactions:
        entry = ledger.get(txn.txn_id)
        where = f"{txn.txn_id} ({txn.state.value}, ledger {entry})"
        assert txn.state in TERMINAL_STATES, f"left open: {where}"
        if txn.fee_won == 0:
            assert entry is None, f"a free document went to the card reader: {where}"
            continue
        if entry is None:
            assert txn.state in (TxnState.FAILED, TxnState.VOIDED), where
            continue
        assert entry["authorisations"] <= 1, f"charged twice: {where}"
        approved = entry["outcome"] == "approved"
        if txn.state in CAPTURED_STATES:
            assert approved and entry["settlement"] == CAPTURED and txn.captured, where
            states = history(txn.txn_id)
            assert "presented" in states, f"captured without a document: {where} {states}"
            if txn.state is TxnState.COMPLETED:
                assert "taken" in states, f"completed but never taken: {where} {states}"
        else:
            assert entry["settlement"] != CAPTURED, f"captured without a document: {where}"
            if approved:
                assert entry["settlement"] == VOIDED, f"authorisation left held: {where}"


def check_captures(transactions: Iterable[Transaction], counters: dict[str, int]) -> None:
    """The reader captured exactly once per document that went out (refunds were captured)."""
    went_out = [t for t in transactions if t.fee_won and
                t.state in (TxnState.COMPLETED, TxnState.RETRACTED, TxnState.REFUNDED)]
    assert counters["captures"] == len(went_out), (counters, [t.txn_id for t in went_out])


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of a journal file, read-only."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()
