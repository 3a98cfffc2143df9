"""Card reader (payment terminal) messages on our framed protocol (pure).

Follows docs/protocols/card-reader.md (protocol version 1), a Korean VAN kiosk terminal's
message set (SMARTRO-style): APPROVE with amount and idempotency key, CANCEL, CONFIRM (capture),
VOID, QUERY by key and LAST_TXN; the events TXN_RESULT and CARD; the transaction record and the
38-byte status block. No full card number exists in any message: ``masked_card`` is checked to
show at most 10 digits, and errors never echo it. The standard library, ``kiosk.errors`` and
``kiosk.devices.framing`` only.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from enum import IntEnum, IntFlag
from typing import ClassVar

from kiosk.devices.framing import Frame
from kiosk.devices.framing_messages import (
    COMMON_REQUESTS,
    FAULT_PAYLOAD,
    Booted,
    CommonCmd,
    FixedMessage,
    PayloadReader,
    pack_text,
    parse_message,
)
from kiosk.errors import ProtocolError

PROTOCOL = "card_reader"

KEY_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,40}")  # card-reader.md §1
MAX_KEY = 40
MAX_AMOUNT_WON = 99_999_999  # card-reader.md §2
MAX_CARD_WAIT_S = 120  # card-reader.md §2
MAX_DECLINE_CODE = 4  # card-reader.md §4 field sizes
MAX_APPROVAL_CODE = 12
MAX_MASKED_CARD = 23
MAX_PROVIDER_TXN_ID = 32
MAX_VISIBLE_DIGITS = 10  # card-reader.md §4: first 6 and last 4 at most
MIN_MASK_STARS = 4
MASKED_CARD_CHARS = frozenset("0123456789*- ")


class CardCmd(IntEnum):
    """Card reader requests (card-reader.md §2)."""

    APPROVE = 0x40
    CANCEL = 0x41
    CONFIRM = 0x42
    VOID = 0x43
    QUERY = 0x44
    LAST_TXN = 0x45


class CardEventCmd(IntEnum):
    """Card reader events (card-reader.md §3)."""

    TXN_RESULT = 0xE8
    CARD = 0xE9


class CardCode(IntEnum):
    """Response codes (framing.md §5 and card-reader.md §2.1)."""

    OK = 0x00
    UNKNOWN_COMMAND = 0x01
    BAD_PARAMETER = 0x02
    BUSY = 0x03
    NOT_READY = 0x04
    INTERNAL_ERROR = 0x05
    VAN_LINK_DOWN = 0x10
    CARD_MODULE_FAULT = 0x11
    KEY_CONFLICT = 0x12
    UNKNOWN_KEY = 0x13
    NOT_CANCELLABLE = 0x14
    NOT_APPROVED = 0x15
    ALREADY_VOIDED = 0x16
    NO_TRANSACTION = 0x17


class Outcome(IntEnum):
    """A transaction's outcome (card-reader.md §4); only APPROVED charges."""

    PENDING = 0
    APPROVED = 1
    DECLINED = 2
    CANCELLED_BY_USER = 3
    CANCELLED_BY_HOST = 4
    TIMEOUT = 5
    CARD_REMOVED = 6
    VAN_ERROR = 7
    CARD_ERROR = 8


class Settlement(IntEnum):
    NONE = 0
    CAPTURED = 1
    VOIDED = 2


class DeclineReason(IntEnum):
    NONE = 0
    INSUFFICIENT_FUNDS = 1
    CARD_UNUSABLE = 2
    EXPIRED = 3
    LIMIT_EXCEEDED = 4
    OTHER = 5


class CardAction(IntEnum):
    """CARD event actions (SMARTRO ``@I @O @R @M @F``)."""

    IC_INSERTED = 1
    IC_REMOVED = 2
    RF_TAPPED = 3
    MSR_SWIPED = 4
    FALLBACK = 5


class ReaderFlag(IntFlag):
    """Status block ``flags`` (card-reader.md §6)."""

    BUSY = 1 << 0
    CARD_PRESENT = 1 << 1
    IC_FAULT = 1 << 2
    RF_FAULT = 1 << 3
    VAN_LINK_DOWN = 1 << 4
    TAMPER = 1 << 5


NO_FLAGS = ReaderFlag(0)
KNOWN_FLAGS = ReaderFlag((1 << 6) - 1)


class ReaderActivity(IntEnum):
    IDLE = 0
    WAITING_CARD = 1
    AUTHORISING = 2


def check_key(key: str) -> str:
    """Return ``key`` if it is a valid idempotency key.

    Raises:
        ValueError: not 1-40 characters of ``A-Z a-z 0-9 . _ : -``.
    """
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ValueError("idempotency key must be 1-40 characters of A-Z a-z 0-9 . _ : -")
    return key


def check_masked_card(masked: str) -> str:
    """Return ``masked`` if it shows no more than a receipt may (card-reader.md §4).

    Raises:
        ValueError: other characters, more than 10 digits or fewer than 4 '*'. The message
            never contains the value.
    """
    if not masked:
        return masked
    digits = sum(char.isdigit() for char in masked)
    if (not set(masked) <= MASKED_CARD_CHARS or digits > MAX_VISIBLE_DIGITS
            or masked.count("*") < MIN_MASK_STARS):
        raise ValueError("masked card number is not masked (more than 10 digits or too few '*')")
    return masked


class _CardMessage(FixedMessage):
    PROTOCOL: ClassVar[str] = PROTOCOL


def _payload_error(what: str, exc: ValueError) -> ProtocolError:
    return ProtocolError(PROTOCOL, f"{what}: {exc}", fault=FAULT_PAYLOAD)


# ------------------------------------------------------------------------- requests


@dataclass(frozen=True, slots=True)
class Approve(_CardMessage):
    CMD: ClassVar[int] = CardCmd.APPROVE
    amount_won: int
    card_wait_s: int
    key: str

    def __post_init__(self) -> None:
        check_key(self.key)

    def payload(self) -> bytes:
        if not 0 <= self.amount_won <= 0xFFFF_FFFF or not 0 <= self.card_wait_s <= 0xFF:
            raise ValueError("APPROVE: amount or card wait out of range")
        return (self.amount_won.to_bytes(4, "big") + bytes((self.card_wait_s,))
                + pack_text(self.key, MAX_KEY))

    @classmethod
    def from_payload(cls, data: bytes) -> Approve:
        reader = PayloadReader(data, PROTOCOL, "APPROVE")
        amount, wait = reader.u32("amount_won"), reader.u8("card_wait_s")
        key = reader.text("key", MAX_KEY)
        try:
            return cls(amount_won=amount, card_wait_s=wait, key=key)
        except ValueError as exc:
            raise _payload_error("APPROVE", exc) from None


@dataclass(frozen=True, slots=True)
class _KeyRequest(_CardMessage):
    key: str

    def __post_init__(self) -> None:
        check_key(self.key)

    def payload(self) -> bytes:
        return pack_text(self.key, MAX_KEY)

    @classmethod
    def from_payload(cls, data: bytes) -> _KeyRequest:
        key = PayloadReader(data, PROTOCOL, cls.__name__).text("key", MAX_KEY)
        try:
            return cls(key)
        except ValueError as exc:
            raise _payload_error(cls.__name__, exc) from None


@dataclass(frozen=True, slots=True)
class Cancel(_KeyRequest):
    CMD: ClassVar[int] = CardCmd.CANCEL


@dataclass(frozen=True, slots=True)
class Confirm(_KeyRequest):
    CMD: ClassVar[int] = CardCmd.CONFIRM


@dataclass(frozen=True, slots=True)
class Void(_KeyRequest):
    CMD: ClassVar[int] = CardCmd.VOID


@dataclass(frozen=True, slots=True)
class Query(_KeyRequest):
    CMD: ClassVar[int] = CardCmd.QUERY


@dataclass(frozen=True, slots=True)
class LastTxn(_CardMessage):
    CMD: ClassVar[int] = CardCmd.LAST_TXN


REQUESTS: dict[int, type[FixedMessage]] = {
    **COMMON_REQUESTS,
    **{cls.CMD: cls for cls in (Approve, Cancel, Confirm, Void, Query, LastTxn)},
}


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class TxnRecord(_CardMessage):
    """A transaction record (card-reader.md §4); also the TXN_RESULT event."""

    CMD: ClassVar[int] = CardEventCmd.TXN_RESULT

    key: str
    outcome: Outcome
    settlement: Settlement = Settlement.NONE
    amount_won: int = 0
    at: int = 0
    decline_reason: DeclineReason = DeclineReason.NONE
    decline_code: str = ""
    approval_code: str = ""
    masked_card: str = ""
    provider_txn_id: str = ""

    def __post_init__(self) -> None:
        check_key(self.key)
        object.__setattr__(self, "outcome", Outcome(self.outcome))
        object.__setattr__(self, "settlement", Settlement(self.settlement))
        object.__setattr__(self, "decline_reason", DeclineReason(self.decline_reason))
        check_masked_card(self.masked_card)
        if self.approval_code and not self.approval_code.isdigit():
            raise ValueError("approval code must be digits")

    def payload(self) -> bytes:
        if not 0 <= self.amount_won <= 0xFFFF_FFFF or not 0 <= self.at <= 0xFFFF_FFFF:
            raise ValueError("transaction record: amount or time out of range")
        return (pack_text(self.key, MAX_KEY)
                + struct.pack(">BBIIB", self.outcome, self.settlement, self.amount_won, self.at,
                              self.decline_reason)
                + pack_text(self.decline_code, MAX_DECLINE_CODE)
                + pack_text(self.approval_code, MAX_APPROVAL_CODE)
                + pack_text(self.masked_card, MAX_MASKED_CARD)
                + pack_text(self.provider_txn_id, MAX_PROVIDER_TXN_ID))

    @classmethod
    def from_payload(cls, data: bytes) -> TxnRecord:
        reader = PayloadReader(data, PROTOCOL, "transaction record")
        fields = dict(
            key=reader.text("key", MAX_KEY), outcome=reader.u8("outcome"),
            settlement=reader.u8("settlement"), amount_won=reader.u32("amount_won"),
            at=reader.u32("at"), decline_reason=reader.u8("decline_reason"),
            decline_code=reader.text("decline_code", MAX_DECLINE_CODE),
            approval_code=reader.text("approval_code", MAX_APPROVAL_CODE),
            masked_card=reader.text("masked_card", MAX_MASKED_CARD),
            provider_txn_id=reader.text("provider_txn_id", MAX_PROVIDER_TXN_ID))
        try:
            return cls(**fields)  # type: ignore[arg-type]
        except ValueError as exc:
            raise _payload_error("transaction record", exc) from None

    @property
    def final(self) -> bool:
        return self.outcome is not Outcome.PENDING


# ---------------------------------------------------------------------- status/events


@dataclass(frozen=True, slots=True)
class ReaderStatus(_CardMessage):
    """The status block (card-reader.md §6): STATUS's result and the STATUS_CHANGED event."""

    CMD: ClassVar[int] = CommonCmd.STATUS_CHANGED
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">BBIIIIIIIII")

    flags: ReaderFlag = NO_FLAGS
    activity: ReaderActivity = ReaderActivity.IDLE
    approvals: int = 0
    declines: int = 0
    cancels: int = 0
    timeouts: int = 0
    card_removed: int = 0
    van_errors: int = 0
    captures: int = 0
    voids: int = 0
    events_dropped: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "flags", ReaderFlag(self.flags & KNOWN_FLAGS))
        object.__setattr__(self, "activity", ReaderActivity(self.activity))


@dataclass(frozen=True, slots=True)
class CardEvent(_CardMessage):
    CMD: ClassVar[int] = CardEventCmd.CARD
    LAYOUT: ClassVar[struct.Struct] = struct.Struct(">B")
    action: CardAction

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", CardAction(self.action))


ReaderEvent = TxnRecord | CardEvent | ReaderStatus | Booted

EVENTS: dict[int, type[FixedMessage]] = {
    cls.CMD: cls for cls in (TxnRecord, CardEvent, ReaderStatus, Booted)
}


def parse_request(frame: Frame) -> FixedMessage:
    """A host request (the emulator's side).

    Raises:
        ProtocolError: unknown CMD (fault ``unknown_command``) or a bad payload.
    """
    return parse_message(frame, REQUESTS, PROTOCOL, "request")


def parse_event(frame: Frame) -> ReaderEvent:
    """A reader event (the host's side).

    Raises:
        ProtocolError: unknown event or a bad payload (e.g. an unmasked card number).
    """
    return parse_message(frame, EVENTS, PROTOCOL, "event")  # type: ignore[return-value]


def parse_status(body: bytes) -> ReaderStatus:
    """STATUS's result.

    Raises:
        ProtocolError: the block is short or its activity unknown.
    """
    return ReaderStatus.from_payload(body)


def parse_record(body: bytes) -> TxnRecord:
    """The record in a CONFIRM, VOID, QUERY or LAST_TXN response.

    Raises:
        ProtocolError: a field is short, out of range, or the card number is not masked.
    """
    return TxnRecord.from_payload(body)
