"""Emulated card reader (docs/protocols/card-reader.md) with a ledger of every transaction.

A simulated citizen presents an IC card ``CARD_PRESENT_S`` after APPROVE (scaled by
``timing``); the VAN answers ``AUTH_S`` later. The reader gives up after the host's
``card_wait_s`` (real seconds) if no card came. The ledger keeps, per idempotency key, the
outcome, settlement and how many times the card was really charged (``authorisations``: a key
is never charged twice) plus capture and void requests; ``state()["ledger"]`` exposes it for
tests. Faults: ``declined`` (params ``reason`` = a DeclineReason name, default
INSUFFICIENT_FUNDS, and ``code``, default 6B), ``timeout`` (no card: TIMEOUT after the host's
``card_wait_s``, real seconds), ``removed`` (the card is pulled out while authorising),
``comm_error`` (the VAN link is down: APPROVE is refused, STATUS shows it) and
``no_reply_after_charge`` (the card is charged but the result event is never sent, so the host
must find it by QUERY). Action: ``cancel`` (the citizen presses cancel on the reader). Only masked
card numbers exist here. Uses the codec, never the driver.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Any

from kiosk.devices.card_reader.codec import (
    MAX_AMOUNT_WON,
    MAX_CARD_WAIT_S,
    Approve,
    Cancel,
    CardAction,
    CardCode,
    CardEvent,
    Confirm,
    DeclineReason,
    LastTxn,
    Outcome,
    Query,
    ReaderActivity,
    ReaderFlag,
    ReaderStatus,
    Settlement,
    TxnRecord,
    Void,
)
from kiosk.devices.card_reader.codec import parse_request as parse_card_request
from kiosk.devices.framing import Frame
from kiosk.devices.framing_messages import DeviceKind, FixedMessage
from sim.devices.framed_link import FramedEmulator

CARD_PRESENT_S = 4.0  # the citizen finds and inserts the card
AUTH_S = 2.5  # card read plus the VAN round trip (card-reader.md §5: typically 2-3 s)
REMOVE_AFTER_S = 1.5  # the citizen pulls the card out after the result
REMOVED_DURING_AUTH_S = 0.5
LEDGER_SIZE = 1000  # card-reader.md §1: at least the last 1,000 transactions
TEST_CARD_PREFIX = "5409-12"  # masked test card: first 6 digits (a test BIN) ...
COUNTER_NAMES = ("approvals", "declines", "cancels", "timeouts", "card_removed", "van_errors",
                 "captures", "voids")


@dataclass
class LedgerEntry:
    """One idempotency key's transaction, as the reader's journal holds it."""

    key: str
    amount_won: int
    serial: int
    outcome: Outcome = Outcome.PENDING
    settlement: Settlement = Settlement.NONE
    at: int = 0
    decline_reason: DeclineReason = DeclineReason.NONE
    decline_code: str = ""
    approval_code: str = ""
    masked_card: str = ""
    provider_txn_id: str = ""
    authorisations: int = 0
    capture_requests: int = 0
    void_requests: int = 0

    def record(self) -> TxnRecord:
        return TxnRecord(self.key, self.outcome, self.settlement, self.amount_won, self.at,
                         self.decline_reason, self.decline_code, self.approval_code,
                         self.masked_card, self.provider_txn_id)


class CardReaderEmulator(FramedEmulator):
    """A VAN-style IC/contactless payment terminal."""

    name = "card_reader"
    KIND = DeviceKind.CARD_READER
    SERIAL_PREFIX = "CRD"
    FAULTS = frozenset({"declined", "timeout", "removed", "comm_error",
                        "no_reply_after_charge"})
    ACTIONS = frozenset({"cancel"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ledger: OrderedDict[str, LedgerEntry] = OrderedDict()
        self.current: LedgerEntry | None = None
        self.activity = ReaderActivity.IDLE
        self.card_present = False
        self.last_key: str | None = None
        self.counters = dict.fromkeys(COUNTER_NAMES, 0)
        self._serial = 0
        self._announced = self.flags()

    # ------------------------------------------------------------ status

    def flags(self) -> ReaderFlag:
        flags = ReaderFlag(0)
        if self.current is not None:
            flags |= ReaderFlag.BUSY
        if self.card_present:
            flags |= ReaderFlag.CARD_PRESENT
        if "comm_error" in self.faults:
            flags |= ReaderFlag.VAN_LINK_DOWN
        return flags

    def status_block(self) -> bytes:
        return ReaderStatus(self.flags(), self.activity,
                            events_dropped=self.link["events_dropped"],
                            **self.counters).payload()

    def _announce(self) -> None:
        """card-reader.md §6: STATUS_CHANGED when a fault flag changes."""
        flags = self.flags() & ReaderFlag.VAN_LINK_DOWN
        if flags != self._announced:
            self._announced = flags
            self.send_event(ReaderStatus.from_payload(self.status_block()))

    # ------------------------------------------------------------ requests

    def parse_request(self, frame: Frame) -> FixedMessage:
        return parse_card_request(frame)

    def handle_request(self, request: FixedMessage) -> tuple[int, bytes]:
        if isinstance(request, Approve):
            return self._approve(request), b""
        if isinstance(request, Cancel):
            return self._cancel(request.key), b""
        if isinstance(request, LastTxn):
            if self.last_key is None:
                return CardCode.NO_TRANSACTION, b""
            return CardCode.OK, self.ledger[self.last_key].record().payload()
        assert isinstance(request, (Confirm, Void, Query))
        entry = self.ledger.get(request.key)
        if entry is None:
            return CardCode.UNKNOWN_KEY, b""
        code = CardCode.OK
        if isinstance(request, Confirm):
            code = self._confirm(entry)
        elif isinstance(request, Void):
            code = self._void(entry)
        return code, entry.record().payload() if code == CardCode.OK else b""

    def _approve(self, request: Approve) -> CardCode:
        if not 1 <= request.amount_won <= MAX_AMOUNT_WON \
                or not 1 <= request.card_wait_s <= MAX_CARD_WAIT_S:
            return CardCode.BAD_PARAMETER
        known = self.ledger.get(request.key)
        if known is not None:
            if known.amount_won != request.amount_won:
                return CardCode.KEY_CONFLICT
            if known.outcome is not Outcome.PENDING:
                self.schedule(0, lambda: self._send_result(known))
            return CardCode.OK
        if self.current is not None:
            return CardCode.BUSY
        if "comm_error" in self.faults:
            return CardCode.VAN_LINK_DOWN
        self._serial += 1
        entry = LedgerEntry(request.key, request.amount_won, self._serial)
        self.ledger[entry.key] = entry
        while len(self.ledger) > LEDGER_SIZE:
            self.ledger.popitem(last=False)
        self.current, self.last_key = entry, entry.key
        self.activity = ReaderActivity.WAITING_CARD
        self.schedule(float(request.card_wait_s),  # the reader's own timer, real seconds
                      lambda: self._finish_if_waiting(entry, Outcome.TIMEOUT))
        if "timeout" not in self.faults:
            self.schedule(self.scaled(CARD_PRESENT_S), lambda: self._card_inserted(entry))
        return CardCode.OK

    def _cancel(self, key: str) -> CardCode:
        if key not in self.ledger:
            return CardCode.UNKNOWN_KEY
        entry = self.ledger[key]
        if entry is not self.current or self.activity is not ReaderActivity.WAITING_CARD:
            return CardCode.NOT_CANCELLABLE
        self._finish(entry, Outcome.CANCELLED_BY_HOST)
        return CardCode.OK

    def _confirm(self, entry: LedgerEntry) -> CardCode:
        entry.capture_requests += 1
        if entry.outcome is not Outcome.APPROVED:
            return CardCode.NOT_APPROVED
        if entry.settlement is Settlement.VOIDED:
            return CardCode.ALREADY_VOIDED
        if entry.settlement is Settlement.NONE:
            entry.settlement = Settlement.CAPTURED
            self.counters["captures"] += 1
        return CardCode.OK

    def _void(self, entry: LedgerEntry) -> CardCode:
        entry.void_requests += 1
        if entry.outcome is not Outcome.APPROVED:
            return CardCode.NOT_APPROVED
        if entry.settlement is not Settlement.VOIDED:
            entry.settlement = Settlement.VOIDED
            self.counters["voids"] += 1
        return CardCode.OK

    # ------------------------------------------------------------ the payment

    def _card_inserted(self, entry: LedgerEntry) -> None:
        if entry is not self.current or self.activity is not ReaderActivity.WAITING_CARD:
            return
        self.card_present = True
        self.activity = ReaderActivity.AUTHORISING
        self.send_event(CardEvent(CardAction.IC_INSERTED))
        if "removed" in self.faults:
            self.schedule(self.scaled(REMOVED_DURING_AUTH_S), lambda: self._pulled_out(entry))
        else:
            self.schedule(self.scaled(AUTH_S), lambda: self._authorised(entry))

    def _pulled_out(self, entry: LedgerEntry) -> None:
        self.card_present = False
        self.send_event(CardEvent(CardAction.IC_REMOVED))
        self._finish(entry, Outcome.CARD_REMOVED)

    def _authorised(self, entry: LedgerEntry) -> None:
        if entry is not self.current:
            return
        if "declined" in self.faults:
            params = self.faults["declined"]
            reason = str(params.get("reason", "INSUFFICIENT_FUNDS")).upper()
            entry.decline_reason = DeclineReason.__members__.get(reason, DeclineReason.OTHER)
            entry.decline_code = str(params.get("code", "6B"))[:4]
            self._finish(entry, Outcome.DECLINED)
        elif "comm_error" in self.faults:
            self._finish(entry, Outcome.VAN_ERROR)
        else:
            entry.authorisations += 1  # the card is charged here, exactly once per key
            entry.approval_code = f"{self.random.randrange(10 ** 8):08d}"
            entry.masked_card = f"{TEST_CARD_PREFIX}**-****-{self.random.randrange(10 ** 4):04d}"
            entry.provider_txn_id = f"VAN{time.strftime('%Y%m%d')}{entry.serial:09d}"
            self._finish(entry, Outcome.APPROVED)
        self.schedule(self.scaled(REMOVE_AFTER_S), self._card_taken_out)

    def _card_taken_out(self) -> None:
        if self.card_present and self.current is None:
            self.card_present = False
            self.send_event(CardEvent(CardAction.IC_REMOVED))

    def _finish_if_waiting(self, entry: LedgerEntry, outcome: Outcome) -> None:
        if entry is self.current and self.activity is ReaderActivity.WAITING_CARD:
            self._finish(entry, outcome)

    def _finish(self, entry: LedgerEntry, outcome: Outcome) -> None:
        entry.outcome = outcome
        entry.at = int(time.time())
        counter = {Outcome.APPROVED: "approvals", Outcome.DECLINED: "declines",
                   Outcome.CANCELLED_BY_USER: "cancels", Outcome.CANCELLED_BY_HOST: "cancels",
                   Outcome.TIMEOUT: "timeouts", Outcome.CARD_REMOVED: "card_removed",
                   Outcome.VAN_ERROR: "van_errors"}.get(outcome)
        if counter is not None:
            self.counters[counter] += 1
        if entry is self.current:
            self.current = None
            self.activity = ReaderActivity.IDLE
        self._send_result(entry)

    def _send_result(self, entry: LedgerEntry) -> None:
        """TXN_RESULT, except for a charge while ``no_reply_after_charge`` is on."""
        if entry.outcome is Outcome.APPROVED and "no_reply_after_charge" in self.faults:
            return
        self.send_event(entry.record())

    # ------------------------------------------------------------ faults and actions

    def on_fault(self, fault: str, active: bool, params: dict[str, Any]) -> None:
        del active, params
        if fault == "comm_error":
            self._announce()

    def on_action(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        del action, params
        entry = self.current
        if entry is None or self.activity is not ReaderActivity.WAITING_CARD:
            return {"cancelled": False}
        self._finish(entry, Outcome.CANCELLED_BY_USER)
        return {"cancelled": True, "key": entry.key}

    def state(self) -> dict[str, Any]:
        with self.lock:
            ledger = {}
            for key, entry in self.ledger.items():
                row = asdict(entry)
                for name in ("outcome", "settlement", "decline_reason"):
                    row[name] = row[name].name.lower()
                ledger[key] = row
            return {**super().state(), "activity": self.activity.name.lower(),
                    "card_present": self.card_present,
                    "current": self.current.key if self.current else None,
                    "last_key": self.last_key, "counters": dict(self.counters),
                    "ledger": ledger}
