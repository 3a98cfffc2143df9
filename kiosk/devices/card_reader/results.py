"""What a card payment ended as, for the issuance pipeline (pure).

``approve`` returns one of ``Approved``, ``Declined``, ``CancelledByUser``, ``Timeout`` or
``CardRemoved``; only ``Approved`` means money was taken (card-reader.md §4). They carry a
masked card number at most (never a full one), so they may be journalled and logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.devices.card_reader.codec import DeclineReason, Outcome, TxnRecord


@dataclass(frozen=True)
class Approved:
    """The card was charged ``amount_won``; capture with ``confirm`` or reverse with ``void``."""

    key: str
    amount_won: int
    approval_code: str
    masked_card: str
    provider_txn_id: str


@dataclass(frozen=True)
class Declined:
    """The VAN refused the card; nothing was charged. ``reason`` is a stable slug."""

    key: str
    reason: str
    code: str = ""


@dataclass(frozen=True)
class CancelledByUser:
    """The citizen cancelled (at the reader, or on the screen through the host)."""

    key: str
    at_reader: bool


@dataclass(frozen=True)
class Timeout:
    """No card was presented in time; nothing was charged."""

    key: str


@dataclass(frozen=True)
class CardRemoved:
    """The card was pulled out before the payment finished; nothing was charged."""

    key: str


PaymentOutcome = Approved | Declined | CancelledByUser | Timeout | CardRemoved

DECLINE_REASONS: dict[DeclineReason, str] = {
    DeclineReason.NONE: "declined",
    DeclineReason.INSUFFICIENT_FUNDS: "insufficient_funds",
    DeclineReason.CARD_UNUSABLE: "card_unusable",
    DeclineReason.EXPIRED: "expired",
    DeclineReason.LIMIT_EXCEEDED: "limit_exceeded",
    DeclineReason.OTHER: "other",
}


def outcome_from_record(record: TxnRecord, *, host_gave_up: bool = False) -> PaymentOutcome | None:
    """The payment outcome a final record describes.

    ``host_gave_up``: the host cancelled because its own deadline passed, so a
    CANCELLED_BY_HOST record is a ``Timeout``, not the citizen's cancel.

    Returns ``None`` for PENDING and VAN_ERROR (no outcome a citizen caused: the caller
    raises).
    """
    key = record.key
    outcome = record.outcome
    if outcome is Outcome.APPROVED:
        return Approved(key, record.amount_won, record.approval_code, record.masked_card,
                        record.provider_txn_id)
    if outcome is Outcome.DECLINED:
        return Declined(key, DECLINE_REASONS[record.decline_reason], record.decline_code)
    if outcome is Outcome.CARD_ERROR:
        return Declined(key, "card_unreadable")
    if outcome is Outcome.CANCELLED_BY_USER:
        return CancelledByUser(key, at_reader=True)
    if outcome is Outcome.CANCELLED_BY_HOST:
        return Timeout(key) if host_gave_up else CancelledByUser(key, at_reader=False)
    if outcome is Outcome.TIMEOUT:
        return Timeout(key)
    if outcome is Outcome.CARD_REMOVED:
        return CardRemoved(key)
    return None
