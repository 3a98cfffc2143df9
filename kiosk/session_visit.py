"""One citizen's visit: the session's phases, and everything the visit holds until it ends.

``Phase`` is finer than ``view.Screen``: the fingerprint screen has a capture and a
verification phase, the payment screen a pending and a retry phase, and cancelling or
retracting are phases of their own. ``Visit`` holds everything the citizen typed, chose or
produced; ``Visit.wipe`` overwrites the RRN digits and drops the rest, and the session then
drops the ``Visit`` itself, so nothing of a citizen survives the visit (privacy reset,
kiosk-domain.md §5.4 and §6.9).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kiosk.session_effects import EndReason
from kiosk.session_rrn import RrnBuffer
from kiosk.session_settings import IDENTITY_ATTEMPTS, VOLUME_DEFAULT
from kiosk.view import Failure, Progress, Screen


class Phase(StrEnum):
    IDLE = "idle"
    LANGUAGE = "language"
    CATALOGUE = "catalogue"
    OPTIONS = "options"
    IDENTITY = "identity"
    CAPTURE = "capture"
    VERIFY = "verify"
    FEE = "fee"
    PAYMENT = "payment"
    PAYMENT_RETRY = "payment_retry"
    ISSUING = "issuing"
    COLLECT = "collect"
    RETRACTING = "retracting"
    ABORTING = "aborting"
    THANKS = "thanks"
    FAILURE = "failure"


#: The screen each phase shows (IDLE shows attract, out-of-service or service).
SCREEN_OF: dict[Phase, Screen] = {
    Phase.IDLE: Screen.ATTRACT,
    Phase.LANGUAGE: Screen.LANGUAGE,
    Phase.CATALOGUE: Screen.CATALOGUE,
    Phase.OPTIONS: Screen.OPTIONS,
    Phase.IDENTITY: Screen.IDENTITY,
    Phase.CAPTURE: Screen.FINGERPRINT,
    Phase.VERIFY: Screen.FINGERPRINT,
    Phase.FEE: Screen.FEE,
    Phase.PAYMENT: Screen.PAYMENT,
    Phase.PAYMENT_RETRY: Screen.PAYMENT,
    Phase.ISSUING: Screen.ISSUING,
    Phase.COLLECT: Screen.COLLECT,
    Phase.RETRACTING: Screen.COLLECT,
    Phase.ABORTING: Screen.FAILURE,
    Phase.THANKS: Screen.THANKS,
    Phase.FAILURE: Screen.FAILURE,
}

#: Phases that wait for the citizen: the idle timer runs (warning, then end of visit).
INTERACTIVE: frozenset[Phase] = frozenset({
    Phase.LANGUAGE, Phase.CATALOGUE, Phase.OPTIONS, Phase.IDENTITY, Phase.CAPTURE, Phase.FEE,
    Phase.PAYMENT_RETRY,
})
#: Phases with a chosen document and no money in flight: if the document becomes unavailable
#: the visit leaves it (and may choose another); a technician's key ends them at once.
BEFORE_PAYMENT: frozenset[Phase] = frozenset({
    Phase.OPTIONS, Phase.IDENTITY, Phase.CAPTURE, Phase.VERIFY, Phase.FEE, Phase.PAYMENT_RETRY,
})
#: Phases a technician's service key ends at once (nothing paid or printed yet).
ENDED_BY_SERVICE_KEY: frozenset[Phase] = BEFORE_PAYMENT | {Phase.LANGUAGE, Phase.CATALOGUE}
#: Phases in which a cancel must go through the core (money requested or paper moving).
CANCEL_THROUGH_CORE: frozenset[Phase] = frozenset({Phase.PAYMENT, Phase.ISSUING})


@dataclass
class Visit:
    """Everything one citizen's visit holds; ``wipe`` empties it."""

    number: int
    language: str
    volume: int = VOLUME_DEFAULT
    document: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    copies: int = 1
    option_hint: str | None = None
    option_missing: str | None = None
    fee_won: int = 0
    rrn: RrnBuffer = field(default_factory=RrnBuffer)
    rrn_hint: str | None = None
    check_digit_warned: bool = False
    identity_verified: bool = False
    identity_attempts_left: int = IDENTITY_ATTEMPTS
    capture_failures: int = 0
    fingerprint_hint: str | None = None
    payment_attempts: int = 0
    payment_hint: str | None = None
    txn: int | None = None
    txn_open: bool = False
    paid: bool = False
    card_present: bool = False
    progress: Progress | None = None
    document_taken: bool = False
    receipt_printed: bool = False
    failure: Failure | None = None
    failure_resumable: bool = False
    end_reason: EndReason = EndReason.CANCELLED

    def forget_document(self) -> None:
        """Drop the chosen document and everything tied to its transaction (not the
        visit's identity check or attempt counters, which bound the whole visit)."""
        self.rrn.wipe()
        self.document = None
        self.options.clear()
        self.copies = 1
        self.option_hint = None
        self.option_missing = None
        self.fee_won = 0
        self.rrn_hint = None
        self.check_digit_warned = False
        self.fingerprint_hint = None
        self.payment_hint = None
        self.txn = None
        self.txn_open = False
        self.paid = False
        self.progress = None
        self.failure = None
        self.failure_resumable = False

    def wipe(self) -> None:
        """Overwrite and drop everything (the visit object is discarded after)."""
        self.forget_document()
        self.identity_verified = False
        self.card_present = False
        self.document_taken = False
        self.receipt_printed = False
        self.language = ""
