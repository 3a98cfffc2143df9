"""The card reader driver against its emulator over a real pty: every payment outcome and
fault, idempotency (one charge per key, checked in the emulator's ledger), capture and void,
and recovery by QUERY after a lost result or a crash."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from kiosk.devices.card_reader.codec import Outcome, Settlement
from kiosk.devices.card_reader.driver import CardReader, card_wait_s
from kiosk.devices.card_reader.results import (
    Approved,
    CancelledByUser,
    CardRemoved,
    Declined,
    PaymentOutcome,
    Timeout,
)
from kiosk.errors import DeviceOperationError, DeviceTimeout, DeviceUnavailable
from kiosk.status import DeviceState
from tests.devices.card_reader.conftest import DEADLINE_S, ReaderRig
from tests.devices.framing.harness import RECOVERY_S, running, wait_for

MASKED = re.compile(r"\d{4}-\d{2}\*\*-\*{4}-\d{4}")


def ledger(rig: ReaderRig, key: str) -> dict[str, object]:
    return rig.emulator.state()["ledger"][key]  # type: ignore[no-any-return]


def test_approval_then_capture(rig: ReaderRig) -> None:
    outcome = rig.device.approve(3000, "TX-0001")
    assert isinstance(outcome, Approved)
    assert MASKED.fullmatch(outcome.masked_card)
    assert outcome.approval_code.isdigit() and outcome.provider_txn_id.startswith("VAN")
    assert ledger(rig, "TX-0001")["authorisations"] == 1
    record = rig.device.confirm("TX-0001")
    assert (record.outcome, record.settlement) == (Outcome.APPROVED, Settlement.CAPTURED)
    assert rig.device.confirm("TX-0001").settlement is Settlement.CAPTURED  # idempotent
    entry = ledger(rig, "TX-0001")
    assert (entry["settlement"], entry["capture_requests"]) == ("captured", 2)
    rig.device.refresh_status()
    counters = rig.device.status.counters
    assert (counters["approvals"], counters["captures"]) == (1, 1)


def test_the_same_key_never_charges_twice(rig: ReaderRig) -> None:
    first = rig.device.approve(3000, "TX-0002")
    second = rig.device.approve(3000, "TX-0002")
    assert first == second
    assert ledger(rig, "TX-0002")["authorisations"] == 1
    assert rig.emulator.counters["approvals"] == 1
    with pytest.raises(DeviceOperationError) as caught:
        rig.device.approve(5000, "TX-0002")
    assert caught.value.fault == "key_conflict"
    assert ledger(rig, "TX-0002")["authorisations"] == 1


def test_declined(rig: ReaderRig) -> None:
    rig.fault("declined")
    outcome = rig.device.approve(3000, "TX-0003")
    assert outcome == Declined("TX-0003", "insufficient_funds", "6B")
    assert ledger(rig, "TX-0003")["authorisations"] == 0
    with pytest.raises(DeviceOperationError) as caught:
        rig.device.void("TX-0003")
    assert caught.value.fault == "not_approved"
    rig.fault("declined", active=False)
    assert isinstance(rig.device.approve(3000, "TX-0004"), Approved)


def test_declined_with_the_vans_code(rig: ReaderRig) -> None:
    rig.fault("declined", reason="card_unusable", code="71")
    assert rig.device.approve(1000, "TX-0005") == Declined("TX-0005", "card_unusable", "71")


def test_no_card_in_time(rig: ReaderRig) -> None:
    rig.fault("timeout")
    started = time.monotonic()
    assert rig.device.approve(3000, "TX-0006") == Timeout("TX-0006")
    assert card_wait_s(DEADLINE_S) <= time.monotonic() - started < DEADLINE_S
    assert ledger(rig, "TX-0006")["outcome"] == "timeout"
    rig.fault("timeout", active=False)
    assert isinstance(rig.device.approve(3000, "TX-0007"), Approved)


def test_card_removed_during_the_payment(rig: ReaderRig) -> None:
    rig.fault("removed")
    assert rig.device.approve(3000, "TX-0008") == CardRemoved("TX-0008")
    assert ledger(rig, "TX-0008")["authorisations"] == 0
    rig.fault("removed", active=False)
    assert isinstance(rig.device.approve(3000, "TX-0009"), Approved)


def test_comm_error_takes_the_reader_offline(rig: ReaderRig) -> None:
    rig.fault("comm_error")
    rig.wait_state(DeviceState.OFFLINE)
    assert rig.device.status.detail["van_link"] == "down"
    assert rig.device.status.detail["reason"] == "van_link_down"
    with pytest.raises(DeviceOperationError) as caught:
        rig.device.approve(3000, "TX-0010")
    assert caught.value.fault == "van_link_down"
    assert "TX-0010" not in rig.emulator.state()["ledger"]
    rig.fault("comm_error", active=False)
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    assert isinstance(rig.device.approve(3000, "TX-0010"), Approved)


def approve_in_background(rig: ReaderRig, key: str) -> tuple[threading.Thread,
                                                             list[PaymentOutcome]]:
    results: list[PaymentOutcome] = []
    thread = threading.Thread(target=lambda: results.append(rig.device.approve(3000, key)))
    thread.start()
    wait_for(lambda: rig.emulator.state()["activity"] == "waiting_card")
    return thread, results


def test_cancel_from_the_screen(tmp_path: Path) -> None:
    from sim.devices.card_reader import CardReaderEmulator

    with running(CardReaderEmulator(), CardReader, tmp_path, timeout_s=6.0) as rig:
        rig.fault("timeout")  # no card comes: the reader waits 4 s
        thread, results = approve_in_background(rig, "TX-0011")
        assert rig.device.cancel("TX-0011") is True
        thread.join(timeout=2)
        assert results == [CancelledByUser("TX-0011", at_reader=False)]
        assert rig.device.cancel("TX-0011") is False  # already final
        assert rig.device.cancel("NEVER-SEEN") is False
        assert rig.device.query("TX-0011").outcome is Outcome.CANCELLED_BY_HOST


def test_cancel_at_the_reader(tmp_path: Path) -> None:
    from sim.devices.card_reader import CardReaderEmulator

    with running(CardReaderEmulator(), CardReader, tmp_path, timeout_s=6.0) as rig:
        rig.fault("timeout")
        thread, results = approve_in_background(rig, "TX-0012")
        assert rig.emulator.act("cancel") == {"cancelled": True, "key": "TX-0012"}
        thread.join(timeout=2)
        assert results == [CancelledByUser("TX-0012", at_reader=True)]


def test_no_reply_after_charge_is_found_by_query(rig: ReaderRig) -> None:
    rig.fault("no_reply_after_charge")
    started = time.monotonic()
    outcome = rig.device.approve(3000, "TX-0013")
    assert time.monotonic() - started >= DEADLINE_S  # waited for the result, then asked
    assert isinstance(outcome, Approved)
    assert rig.device.status.counters["recovered_by_query"] == 1
    assert ledger(rig, "TX-0013")["authorisations"] == 1
    record = rig.device.query("TX-0013")
    assert record is not None and record.outcome is Outcome.APPROVED
    assert record.masked_card == outcome.masked_card
    again = rig.device.approve(3000, "TX-0013")  # a retry after the lost result ...
    assert again == outcome
    assert ledger(rig, "TX-0013")["authorisations"] == 1  # ... is not a second charge


def test_recovery_after_a_crash_by_query_and_last_transaction(rig: ReaderRig,
                                                              tmp_path: Path) -> None:
    assert rig.device.last_transaction() is None
    rig.fault("no_reply_after_charge")
    errors: list[BaseException] = []

    def pay() -> None:
        try:
            rig.device.approve(4000, "TX-0014")
        except DeviceUnavailable as exc:
            errors.append(exc)

    crashed = threading.Thread(target=pay, daemon=True)
    crashed.start()
    wait_for(lambda: rig.emulator.state()["ledger"].get("TX-0014", {}).get("authorisations"))
    rig.device.stop()  # the kiosk dies with the payment in flight
    crashed.join(timeout=5)
    assert len(errors) == 1  # the caller learns the port is gone, not an outcome
    rig.fault("no_reply_after_charge", active=False)
    restarted = CardReader(rig.device.config, poll_interval_s=0.1)
    restarted.start()
    try:
        wait_for(lambda: restarted.status.state is DeviceState.ONLINE)
        record = restarted.query("TX-0014")
        assert record is not None
        assert (record.outcome, record.settlement, record.amount_won) == (
            Outcome.APPROVED, Settlement.NONE, 4000)
        last = restarted.last_transaction()
        assert last is not None and last.key == "TX-0014"
        voided = restarted.void("TX-0014")  # the saga gives the money back
        assert voided.settlement is Settlement.VOIDED
        assert restarted.void("TX-0014").settlement is Settlement.VOIDED
        with pytest.raises(DeviceOperationError) as caught:
            restarted.confirm("TX-0014")
        assert caught.value.fault == "already_voided"
        assert restarted.query("NEVER-SEEN") is None
        assert ledger(rig, "TX-0014")["authorisations"] == 1
    finally:
        restarted.stop()


def test_silent_reader_and_unplug(rig: ReaderRig) -> None:
    rig.fault("silent")
    with pytest.raises(DeviceTimeout):
        rig.device.query("TX-0015")
    rig.wait_state(DeviceState.OFFLINE)
    rig.fault("silent", active=False)
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    rig.link.close()
    rig.wait_state(DeviceState.NO_DEVICE)
    with pytest.raises(DeviceUnavailable):
        rig.device.approve(3000, "TX-0015")
    rig.link.open()
    assert rig.wait_state(DeviceState.ONLINE) < RECOVERY_S
    assert isinstance(rig.device.approve(3000, "TX-0015"), Approved)


def test_garbage_on_the_line_does_not_disturb_a_payment(rig: ReaderRig) -> None:
    rig.fault("garbage")
    assert isinstance(rig.device.approve(3000, "TX-0016"), Approved)
    assert rig.device.confirm("TX-0016").settlement is Settlement.CAPTURED
    assert rig.device.status.counters["protocol_errors"] >= 2
    assert ledger(rig, "TX-0016")["authorisations"] == 1


def test_inputs_are_checked_before_anything_is_sent(rig: ReaderRig) -> None:
    for amount, key in ((0, "TX-1"), (100_000_000, "TX-1"), (1000, "bad key"), (1000, "")):
        with pytest.raises(ValueError):
            rig.device.approve(amount, key)
    assert rig.emulator.state()["ledger"] == {}


def test_card_wait_is_three_quarters_of_the_deadline() -> None:
    assert [card_wait_s(t) for t in (0.5, 2.0, 35.0, 600.0)] == [1, 1, 26, 120]
