"""What the core tells the citizen session: frozen event records (no behaviour).

The core feeds these to ``Session.on_event``. Three kinds:

- visit events carry ``session`` (the answers to ``CaptureFingerprint``);
- transaction events carry ``txn`` (identity answers to ``VerifyIdentity``, payment, issuing,
  collection, failure, abort);
- kiosk events carry neither (devices, backend, service mode, headset, card removed).

An event whose ``session`` or ``txn`` is not the current one is stale and ignored, so a late
answer for a cancelled visit never reaches the next citizen. No event carries personal data:
the template, identity token, card number and approval code stay in the core.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from kiosk.view import FingerprintHint, IssuingStep


class IdentityRejection(StrEnum):
    """Why the backend refused the identity (``IdentityRejected.reason``)."""

    NO_MATCH = "no_match"
    NOT_LIVE = "not_live"
    NOT_ENTITLED = "not_entitled"


class PaymentFailure(StrEnum):
    """How a payment request ended without approval; nothing was charged."""

    DECLINED = "declined"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"


class SessionEvent:
    """Base of everything the core reports to the session."""


# ------------------------------------------------------------------ kiosk events


@dataclass(frozen=True)
class DevicesChanged(SessionEvent):
    """The devices that can take work now (names of ``kiosk.config.DEVICE_NAMES``), and the
    message keys saying what is wrong with the others (e.g. ``printer.paper_out``); the
    session derives ``device.<name>`` keys for unusable devices the core gives no reason for.
    """

    usable: Collection[str]
    reasons: Collection[str] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "usable", frozenset(self.usable))
        object.__setattr__(self, "reasons", tuple(self.reasons))


@dataclass(frozen=True)
class BackendReachability(SessionEvent):
    """Whether the city backend answers (health check or the last call)."""

    reachable: bool


@dataclass(frozen=True)
class ServiceModeChanged(SessionEvent):
    """A technician turned the service key (on) or left diagnostics mode (off)."""

    on: bool


@dataclass(frozen=True)
class HeadsetChanged(SessionEvent):
    """An earphone was plugged into (or pulled from) the jack; plugging one in on the attract
    screen starts a visit in speech mode (kiosk-domain §2.5, 'blind start')."""

    plugged: bool


@dataclass(frozen=True)
class CardRemoved(SessionEvent):
    """The card reader's slot is empty again."""


# ------------------------------------------------------------------ visit and identity events


@dataclass(frozen=True)
class FingerprintCaptured(SessionEvent):
    """A usable finger image was taken; the core holds the template."""

    session: int


@dataclass(frozen=True)
class FingerprintFailed(SessionEvent):
    """No usable image: no finger within the sensor's deadline, or a wet, dry or smudged one."""

    session: int
    hint: FingerprintHint


@dataclass(frozen=True)
class IdentityVerified(SessionEvent):
    """The answer to ``VerifyIdentity(txn=...)``: this visit's citizen is identified."""

    txn: int


@dataclass(frozen=True)
class IdentityRejected(SessionEvent):
    """The answer to ``VerifyIdentity(txn=...)``: no match, a fake finger, or not entitled."""

    txn: int
    reason: IdentityRejection


# ------------------------------------------------------------------ transaction events


@dataclass(frozen=True)
class PaymentApproved(SessionEvent):
    """The card reader approved (authorised) the amount. ``card_present`` is False for a
    contactless payment (nothing to take back)."""

    txn: int
    card_present: bool = True


@dataclass(frozen=True)
class PaymentFailed(SessionEvent):
    """Declined, cancelled on the reader or timed out; the core has closed the transaction
    with nothing charged."""

    txn: int
    reason: PaymentFailure


@dataclass(frozen=True)
class IssuingProgress(SessionEvent):
    """Issuing moved on: ``done`` of ``total`` pages while printing."""

    txn: int
    step: IssuingStep
    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class DocumentPresented(SessionEvent):
    txn: int


@dataclass(frozen=True)
class DocumentTaken(SessionEvent):
    """The presenter sensed the document leave; the core captures the payment."""

    txn: int


@dataclass(frozen=True)
class DocumentRetracted(SessionEvent):
    txn: int


@dataclass(frozen=True)
class ReceiptPrinted(SessionEvent):
    txn: int


@dataclass(frozen=True)
class TransactionFailed(SessionEvent):
    """Issuing (or identity, or payment) failed and the core has compensated: ``message_key``
    is the citizen-facing key (``KioskError.message_key``), ``refunded`` says money went back.
    """

    txn: int
    message_key: str
    refunded: bool = False


@dataclass(frozen=True)
class TransactionAborted(SessionEvent):
    """The answer to ``AbortTransaction``: the transaction is closed; ``refunded`` says an
    authorisation was voided or a capture refunded."""

    txn: int
    refunded: bool = False
