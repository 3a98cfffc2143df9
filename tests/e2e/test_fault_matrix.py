"""Every device fault of the simulator, injected at each step of the saga where it can bite,
ends in a defined outcome, and never charges without a document (issue 4, 'Shows it').

One visit per case through the real core, drivers on real ptys and the emulators at timing 0,
against the in-process city backend. The fault is switched on before the visit ('before') or
the moment the journal records the step (``harness.FaultAt``). Afterwards the faults are
cleared; a transaction a downed device left open is ended by a restarted kiosk's recovery,
as on a real kiosk. Every case then checks the card emulator's ledger against the journal
(``check_money``: no capture without the document taken or retracted, no double charge, no
authorisation left held, nothing open), the reader's capture count, and that a document
reached the citizen exactly when a transaction completed.

``EXPECTED`` is the whole table: the outcome of each fault at each step where it bites; at
every other step the fault does not touch the transaction, which completes. ``make test``
runs each fault before the visit, at the first and last step it bites and at the first step
it cannot (``representative``); ``make chaos`` (KIOSK_CHAOS=full) runs every cell.

Outcomes: ``none`` means the kiosk refused up front (out of service, or the document shown
unavailable, so the citizen left without a transaction). Card-reader faults before payment
end ``failed`` because the citizen, offered a retry, gives up. The binder's ``not_taken`` is
the citizen walking away: the document is retracted, and paid for (it was issued).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kiosk.issuance.journal import TxnState
from tests.e2e.harness import (
    FaultAt,
    SimKiosk,
    check_captures,
    check_money,
    integrity,
    settle,
    walk,
)

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

FULL = os.environ.get("KIOSK_CHAOS") == "full"
STEPS = ("before", "quoted", "payment_pending", "paid", "fetched", "printing", "printed",
         "bound", "presented", "taken")
NONE, FAILED, VOIDED, COMPLETED, RETRACTED = "none", "failed", "voided", "completed", "retracted"
#: A device that goes down while the citizen identifies: the kiosk ends the visit before
#: payment if it notices first (failed), else voids the authorisation; both are right.
EITHER = "failed|voided"
#: Documents: a 1-page paid one, and a 2-page paid one for the binder and the 'bound' step.
ONE_PAGE, TWO_PAGES = "resident-copy", "vehicle-register"


def _until(last: str, outcome: str, *, before: str = NONE,
           quoted: str | None = None) -> dict[str, str]:
    """``outcome`` from 'quoted' up to ``last`` (inclusive), ``before`` before the visit."""
    steps = STEPS[1:STEPS.index(last) + 1]
    table = {"before": before, **dict.fromkeys(steps, outcome)}
    if quoted is not None:
        table["quoted"] = quoted
    return table


_PRINTER_STOPS = _until("printing", VOIDED, quoted=EITHER)
_BINDER_STOPS = _until("bound", VOIDED, quoted=EITHER)
_CARD_REFUSALS = _until("payment_pending", FAILED, before=FAILED)
_IDENTITY = {"before": FAILED, "quoted": FAILED}

#: (device, fault) -> {step: outcome} where the fault bites; every other step: completed.
EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    # The printer is essential: stopped before the visit, the kiosk is out of service; stopped
    # while the citizen identifies, the visit ends before payment or the authorisation is
    # voided; after payment it is voided; once printed it no longer matters.
    ("printer", "paper_out"): _PRINTER_STOPS,
    ("printer", "jam"): _PRINTER_STOPS,
    ("printer", "door_open"): _PRINTER_STOPS,
    ("printer", "offline"): _PRINTER_STOPS,
    ("printer", "toner_low"): {"before": COMPLETED},
    ("printer", "paper_low"): {"before": COMPLETED},
    ("printer", "silent"): _until("printing", VOIDED, quoted=EITHER),
    ("printer", "unplug"): _PRINTER_STOPS,
    # The receipt is a courtesy: no fault of it touches the transaction.
    ("receipt", "paper_out"): {"before": COMPLETED},
    ("receipt", "paper_near_end"): {"before": COMPLETED},
    ("receipt", "cover_open"): {"before": COMPLETED},
    ("receipt", "cutter_error"): {"before": COMPLETED},
    # The binder binds and presents: down before the visit, 2-page documents are unavailable;
    # down before the document is out, the authorisation is voided.
    ("binder", "jam"): _BINDER_STOPS,
    ("binder", "motor_fault"): _BINDER_STOPS,
    ("binder", "retract_bin_full"): _BINDER_STOPS,
    ("binder", "cover_open"): _BINDER_STOPS,
    # Gone once the document is at the slot: 'taken' may not be sensed any more, so the
    # visit ends completed (sensed in time) or retracted (not sensed): issued and paid either way.
    ("binder", "silent"): {**_BINDER_STOPS, "presented": "completed|retracted"},
    ("binder", "unplug"): {**_until("bound", VOIDED, quoted=EITHER),
                           "presented": "completed|retracted"},
    # Staples are supplies, not a device state: the document is offered, then voided at bind.
    ("binder", "staples_out"): _until("printing", VOIDED, before=VOIDED),
    ("binder", "not_taken"): _until("bound", RETRACTED, before=RETRACTED),
    # The card reader: a refused payment charges nothing; a reader that goes quiet after
    # charging is resolved by query (void) or its capture finished by recovery.
    ("card_reader", "declined"): _CARD_REFUSALS,
    ("card_reader", "timeout"): _CARD_REFUSALS,
    ("card_reader", "removed"): _CARD_REFUSALS,
    ("card_reader", "comm_error"): _until("payment_pending", FAILED),
    ("card_reader", "no_reply_after_charge"): {"before": COMPLETED},
    ("card_reader", "silent"): _until("payment_pending", VOIDED),
    ("card_reader", "unplug"): _until("payment_pending", FAILED),
    # Identity comes before any money: the visit ends with the transaction failed.
    ("fingerprint", "no_finger"): _IDENTITY,
    ("fingerprint", "no_match"): _IDENTITY,
    ("fingerprint", "wet"): _IDENTITY,
    ("fingerprint", "fake"): _IDENTITY,
    ("fingerprint", "silent"): {"before": NONE, "quoted": FAILED},
}
#: The presenter went quiet after it was told to present: the kiosk cannot know the document
#: went out, so it voids (never charge without knowing), and the citizen takes it free.
FREE_DOCUMENT = frozenset({("binder", "silent", "printed"), ("binder", "silent", "bound")})


def outcome(device: str, fault: str, step: str) -> str:
    return EXPECTED[(device, fault)].get(step, COMPLETED)


def document_for(device: str, step: str) -> str:
    return TWO_PAGES if device == "binder" or step == "bound" else ONE_PAGE


def representative(device: str, fault: str) -> list[str]:
    """Before the visit, the first and last step the fault bites, the first it cannot."""
    biting = [step for step in STEPS[1:] if step in EXPECTED[(device, fault)]]
    harmless = [step for step in STEPS[1:] if step not in EXPECTED[(device, fault)]]
    picks = ["before", *biting[:1], *biting[-1:], *harmless[:1]]
    if device == "binder" and fault != "not_taken":
        picks.append("bound")
    return list(dict.fromkeys(picks))


def cases() -> Iterator[tuple[str, str, str]]:
    for device, fault in EXPECTED:
        for step in STEPS if FULL else representative(device, fault):
            yield device, fault, step


@pytest.mark.parametrize(("device", "fault", "step"), list(cases()),
                         ids=str)
def test_fault_ends_in_a_defined_outcome(kiosk: SimKiosk, device: str, fault: str,
                                         step: str) -> None:
    expected = outcome(device, fault, step)
    walks_away = fault == "not_taken"
    taken_before = kiosk.host.emulators["binder"].state()["counters"]["taken"]
    if step == "before":
        kiosk.host.fault(device, fault)
    app = kiosk.app(in_service=step != "before")
    tap = None
    if step != "before":
        tap = FaultAt(app.journal, TxnState(step),
                      lambda: kiosk.host.fault(device, fault))
    try:
        result = walk(app, kiosk.citizen(document_for(device, step), take=not walks_away))
    except BaseException:
        app.stop()
        kiosk.clear_faults()
        raise
    transactions = settle(kiosk, app, result)
    states = [txn.state.value for txn in transactions]
    assert (states[-1] if states else NONE) in expected.split("|"), (
        f"{device}:{fault} at {step}: {states}, screens {[s.value for s in result.screens]}")
    assert all(state in (FAILED, *expected.split("|")) for state in states), states
    if tap is not None:
        assert tap.fired, f"the journal never reached {step}"
    every = kiosk.transactions()
    check_money(every, kiosk.ledger(), kiosk.history)
    check_captures(every, kiosk.card_counters())
    taken = kiosk.host.emulators["binder"].state()["counters"]["taken"] - taken_before
    free = 1 if (device, fault, step) in FREE_DOCUMENT else 0
    assert taken == states.count(COMPLETED) + free, f"documents handed out: {taken}, {states}"
    for txn in transactions:
        if txn.state.value in (COMPLETED, RETRACTED):
            jobs = [job for job in kiosk.printer_jobs() if job["name"] == txn.txn_id]
            assert [job["printed"] for job in jobs] == [txn.pages_expected], jobs
    assert integrity(kiosk.config.journal.path) == "ok"
