"""Driver of the card reader (docs/protocols/card-reader.md).

``CardReader.approve`` authorises a payment under an idempotency key: the reader answers at
once and sends the result when the citizen has presented a card (or not), within
``config.timeout_s``. If that deadline passes, the driver cancels the wait and asks QUERY, so it
returns what really happened or raises ``DeviceTimeout`` meaning *unknown, query later*; it never
repeats a payment. ``confirm`` captures, ``void`` reverses, ``query`` and ``last_transaction``
recover after a crash. No full card number ever reaches this module: records carry a masked one.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from kiosk.devices.card_reader.codec import (
    MAX_AMOUNT_WON,
    MAX_CARD_WAIT_S,
    Approve,
    Cancel,
    CardAction,
    CardCmd,
    CardCode,
    CardEvent,
    Confirm,
    LastTxn,
    Query,
    ReaderFlag,
    ReaderStatus,
    TxnRecord,
    Void,
    check_key,
    parse_event,
    parse_record,
    parse_status,
)
from kiosk.devices.card_reader.results import PaymentOutcome, outcome_from_record
from kiosk.devices.framed_device import FramedDevice
from kiosk.devices.framing import Frame
from kiosk.devices.framing_messages import DeviceKind
from kiosk.errors import DeviceOperationError, DeviceTimeout
from kiosk.status import DetailValue, DeviceState

CARD_WAIT_FRACTION = 0.75  # card-reader.md §5: the reader waits 75 % of the host's deadline


def card_wait_s(timeout_s: float) -> int:
    """The APPROVE ``card_wait_s`` for a host deadline of ``timeout_s`` (card-reader.md §5)."""
    return max(1, min(MAX_CARD_WAIT_S, int(timeout_s * CARD_WAIT_FRACTION)))


def reader_state(flags: ReaderFlag) -> tuple[DeviceState, str | None]:
    """The XFS4IoT state for ``flags`` and the reason when it needs attention (§7)."""
    if flags & ReaderFlag.TAMPER:
        return DeviceState.FRAUD_ATTEMPT, "tamper"
    if flags & ReaderFlag.IC_FAULT:
        return DeviceState.HARDWARE_ERROR, "ic_fault"
    if flags & ReaderFlag.VAN_LINK_DOWN:
        return DeviceState.OFFLINE, "van_link_down"
    if flags & ReaderFlag.BUSY:
        return DeviceState.DEVICE_BUSY, None
    return DeviceState.ONLINE, None


def reader_detail(status: ReaderStatus) -> dict[str, DetailValue]:
    flags = status.flags
    return {
        "media": "present" if flags & ReaderFlag.CARD_PRESENT else "notPresent",
        "activity": status.activity.name.lower(),
        "ic": "fault" if flags & ReaderFlag.IC_FAULT else "ok",
        "rf": "fault" if flags & ReaderFlag.RF_FAULT else "ok",
        "van_link": "down" if flags & ReaderFlag.VAN_LINK_DOWN else "up",
        "tamper": "active" if flags & ReaderFlag.TAMPER else "clear",
    }


def reader_counters(status: ReaderStatus) -> dict[str, int]:
    return {
        "approvals": status.approvals, "declines": status.declines, "cancels": status.cancels,
        "timeouts_no_card": status.timeouts, "card_removed": status.card_removed,
        "van_errors": status.van_errors, "captures": status.captures, "voids": status.voids,
        "device_events_dropped": status.events_dropped,
    }


class CardReader(FramedDevice):
    """The payment terminal; see card-reader.md for what each call sends."""

    kind: ClassVar[str] = "card_reader"
    device_kind: ClassVar[DeviceKind] = DeviceKind.CARD_READER
    code_enum = CardCode

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._counters["recovered_by_query"] = 0
        self.last_status: ReaderStatus | None = None

    # ------------------------------------------------------------ payments

    def approve(self, amount_won: int, idempotency_key: str) -> PaymentOutcome:
        """Authorise ``amount_won`` under ``idempotency_key``; wait for the citizen's card.

        The same key never charges twice: the reader returns the existing result.

        Raises:
            ValueError: amount outside 1-99,999,999 won or a malformed key.
            DeviceOperationError: refused (fault ``van_link_down``, ``busy``,
                ``key_conflict``, ``card_module_fault``) or the VAN failed (``van_error``);
                nothing was charged.
            DeviceTimeout: no answer: whether the card was charged is **unknown**; resolve it
                with ``query(idempotency_key)``.
            DeviceUnavailable: the port was lost (same caveat as DeviceTimeout).
        """
        check_key(idempotency_key)
        if not 1 <= amount_won <= MAX_AMOUNT_WON:
            raise ValueError(f"amount must be 1-{MAX_AMOUNT_WON} won, got {amount_won}")
        request = Approve(amount_won, card_wait_s(self.config.timeout_s), idempotency_key)
        deadline = time.monotonic() + self.config.timeout_s
        waiter = self._expect(lambda e: isinstance(e, TxnRecord) and e.final
                              and e.key == idempotency_key)
        host_gave_up = False
        try:
            self._check(self._exchange(CardCmd.APPROVE, request.payload()), "APPROVE")
            try:
                record: TxnRecord = self._await_event(waiter, deadline, "payment result")
            except DeviceTimeout:
                record = self._settle_after_deadline(idempotency_key)
                host_gave_up = True
        finally:
            self._forget(waiter)
        outcome = outcome_from_record(record, host_gave_up=host_gave_up)
        if outcome is None:
            raise DeviceOperationError(self.name, "the VAN did not answer; nothing was charged",
                                       fault="van_error")
        return outcome

    def cancel(self, idempotency_key: str) -> bool:
        """Stop a payment still waiting for a card; False if it is past that point."""
        reply = self._exchange(CardCmd.CANCEL, Cancel(idempotency_key).payload())
        if reply.code in (CardCode.NOT_CANCELLABLE, CardCode.UNKNOWN_KEY):
            return False
        self._check(reply, "CANCEL")
        return True

    def confirm(self, idempotency_key: str) -> TxnRecord:
        """Capture an approved payment (idempotent).

        Raises:
            DeviceOperationError: fault ``unknown_key``, ``not_approved`` or ``already_voided``.
        """
        return self._record_request(CardCmd.CONFIRM, Confirm(idempotency_key).payload(),
                                    "CONFIRM")

    def void(self, idempotency_key: str) -> TxnRecord:
        """Reverse an approved payment, captured or not (idempotent).

        Raises:
            DeviceOperationError: fault ``unknown_key`` or ``not_approved``.
        """
        return self._record_request(CardCmd.VOID, Void(idempotency_key).payload(), "VOID")

    def query(self, idempotency_key: str) -> TxnRecord | None:
        """The reader's record of ``idempotency_key``, or None if it never saw the key."""
        reply = self._exchange(CardCmd.QUERY, Query(idempotency_key).payload())
        if reply.code == CardCode.UNKNOWN_KEY:
            return None
        self._check(reply, "QUERY")
        return parse_record(reply.body)

    def last_transaction(self) -> TxnRecord | None:
        """The most recently started transaction's record, or None before any."""
        reply = self._exchange(CardCmd.LAST_TXN, LastTxn().payload())
        if reply.code == CardCode.NO_TRANSACTION:
            return None
        self._check(reply, "LAST_TXN")
        return parse_record(reply.body)

    # ------------------------------------------------------------ helpers

    def _record_request(self, cmd: int, payload: bytes, what: str) -> TxnRecord:
        reply = self._exchange(cmd, payload)
        self._check(reply, what)
        return parse_record(reply.body)

    def _settle_after_deadline(self, key: str) -> TxnRecord:
        """card-reader.md §5: CANCEL the wait, then QUERY what really happened."""
        self.cancel(key)
        record = self.query(key)
        if record is None or not record.final:
            raise DeviceTimeout(self.name, "payment result unknown after the deadline; "
                                "query the key later")
        self._count("recovered_by_query")
        return record

    # ------------------------------------------------------------ FramedDevice hooks

    def _parse_event(self, frame: Frame) -> Any:
        return parse_event(frame)

    def _parse_status(self, body: bytes) -> ReaderStatus:
        return parse_status(body)

    def _apply_status(self, status: ReaderStatus) -> None:
        self.last_status = status
        state, reason = reader_state(status.flags)
        detail = reader_detail(status)
        if reason is not None:
            detail["reason"] = reason
        self._update(state, detail, reader_counters(status))

    def _handle_event(self, event: Any) -> None:
        if isinstance(event, ReaderStatus):
            self._apply_status(event)
        elif isinstance(event, CardEvent) and event.action in (CardAction.IC_INSERTED,
                                                              CardAction.IC_REMOVED):
            present = event.action is CardAction.IC_INSERTED
            self._set_state(self.status.state, {"media": "present" if present else "notPresent"})
