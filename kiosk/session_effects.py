"""What the citizen session asks the core to do: frozen effect records (no behaviour).

``kiosk.session.Session`` is pure; each of its ``handle``/``on_event``/``tick`` calls returns
a list of these, in order, and the core carries them out (devices, issuance saga, telemetry)
and reports back with ``kiosk.session_events``.

References: ``session`` numbers one citizen's visit (attract to attract); ``txn`` numbers one
transaction (document, options, copies and fee, paid for at most once). Both grow for the
life of the ``Session`` object, so a reply meant for an earlier visit or transaction is told
apart and ignored. The core maps ``txn`` to its journal's transaction id.

Personal data: only ``VerifyIdentity`` carries any (the RRN digits, in a ``bytearray`` the core
wipes with ``wipe()`` once it has encrypted them); its ``repr`` and ``str`` never show them.
``PublishEvent`` fields are anonymous by construction (see its docstring).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class EndReason(StrEnum):
    """Why a visit ended (``EndSession.reason``); anonymous, fit for telemetry."""

    COMPLETED = "completed"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    IDENTITY_FAILED = "identity_failed"
    PAYMENT_FAILED = "payment_failed"
    FAILED = "failed"
    RETRACTED = "retracted"
    UNAVAILABLE = "unavailable"
    SERVICE_MODE = "service_mode"


class Effect:
    """Base of everything the session asks the core to do."""


@dataclass(frozen=True)
class BeginTransaction(Effect):
    """Open a transaction in the journal (saga state 'selected').

    ``options`` holds every choice option and the text options the citizen filled in (an
    empty one is absent); ``fee_won`` is the total for all copies (0: no payment follows).
    """

    session: int
    txn: int
    document: str
    options: Mapping[str, str]
    copies: int
    fee_won: int
    language: str


@dataclass(frozen=True)
class Requote(Effect):
    """The citizen changed the number of copies on the fee screen, before paying: the open
    transaction's copies and total fee change (journal state 'quoted' only)."""

    txn: int
    copies: int
    fee_won: int


@dataclass(frozen=True)
class CaptureFingerprint(Effect):
    """Ask the sensor for a finger image and template; answer with ``FingerprintCaptured`` or
    ``FingerprintFailed``. The template stays in the core (never in the session)."""

    session: int


@dataclass(frozen=True, repr=False)
class VerifyIdentity(Effect):
    """Send the RRN and the last captured template to the backend (encrypted, with ``txn``
    as associated data); answer with ``IdentityVerified`` or ``IdentityRejected``.

    ``rrn`` holds the 13 ASCII digits; call ``wipe()`` as soon as they are encrypted. The
    identity then holds for every later transaction of the same ``session`` (visit).
    """

    session: int
    txn: int
    rrn: bytearray = field(compare=False)

    def wipe(self) -> None:
        """Overwrite the digits in place (every holder of this object sees zeros after)."""
        for index in range(len(self.rrn)):
            self.rrn[index] = 0

    def __repr__(self) -> str:
        return f"VerifyIdentity(session={self.session}, txn={self.txn}, rrn=<redacted>)"

    __str__ = __repr__


@dataclass(frozen=True)
class RequestPayment(Effect):
    """Ask the card reader to approve ``amount_won`` with the transaction as idempotency key.
    Requested at most once per ``txn``; a retry after a decline is a new transaction.
    Answer with ``PaymentApproved`` or ``PaymentFailed``."""

    txn: int
    amount_won: int


@dataclass(frozen=True)
class StartIssuing(Effect):
    """Fetch, print, bind and present the transaction's document (paid for, or free);
    report ``IssuingProgress`` and then ``DocumentPresented`` or ``TransactionFailed``."""

    txn: int


@dataclass(frozen=True)
class AbortTransaction(Effect):
    """End the transaction now: stop issuing, void an authorisation (or refund a capture),
    journal the outcome. Always answered with ``TransactionAborted`` (the session waits for
    the answer only when a payment was requested)."""

    txn: int
    reason: EndReason


@dataclass(frozen=True)
class RetractDocument(Effect):
    """The presented document was not taken in time: pull it back into the bin and record it
    (it was issued, so it stays paid). Answer with ``DocumentRetracted``."""

    txn: int


@dataclass(frozen=True)
class EndSession(Effect):
    """The visit is over: privacy reset. Drop the template and any identity token, purge the
    printer queue of this visit's jobs, reset speech, volume, magnification and language. The
    session has already dropped everything the citizen typed or produced."""

    session: int
    reason: EndReason


@dataclass(frozen=True)
class PublishEvent(Effect):
    """Send an anonymous telemetry event. ``fields`` never hold personal data: only the kind
    of document, the UI language and the like (e.g. ``kind='satisfaction'``, ``fields=
    {'score': 4, 'document': 'resident-copy', 'language': 'en'}``)."""

    kind: str
    fields: Mapping[str, str | int]


@dataclass(frozen=True)
class PlayCue(Effect):
    """A sound cue (``view.Cue``) for a device the core drives itself (e.g. the panel's
    buzzer); the same cue also reaches the UI through ``Snapshot.cue``/``cue_seq``."""

    cue: str
