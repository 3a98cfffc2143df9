"""The only vocabulary between the UI and the core: immutable snapshots and intents.

DESIGN.md, 'Threads and loops': the core (asyncio, its own thread) publishes a ``Snapshot``
through a ``SnapshotChannel`` and wakes the UI with a callback (the UI posts a pygame user
event from it); the UI sends ``Intent`` objects through an ``IntentQueue``. Nothing else is
shared. Snapshots never carry personal data in clear: the RRN appears only masked
(``900101-*******``) and fingerprint templates never appear at all.

Both channel classes are thread-safe and use only the standard library (no pygame here).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

RRN_DIGITS = 13
RRN_VISIBLE_DIGITS = 6


class Screen(StrEnum):
    """One screen per session state, plus the out-of-service and failure screens."""

    ATTRACT = "attract"
    LANGUAGE = "language"
    CATALOGUE = "catalogue"
    OPTIONS = "options"
    IDENTITY = "identity"
    FINGERPRINT = "fingerprint"
    FEE = "fee"
    PAYMENT = "payment"
    ISSUING = "issuing"
    COLLECT = "collect"
    THANKS = "thanks"
    FAILURE = "failure"
    OUT_OF_SERVICE = "out_of_service"
    SERVICE = "service"


class ServiceState(StrEnum):
    """Whether the kiosk takes citizens: fully, with some documents unavailable, or not."""

    IN_SERVICE = "in_service"
    DEGRADED = "degraded"
    OUT_OF_SERVICE = "out_of_service"
    SERVICE_MODE = "service_mode"


class IssuingStep(StrEnum):
    """What the citizen waits for on the issuing screen."""

    FETCHING = "fetching"
    PRINTING = "printing"
    BINDING = "binding"
    PRESENTING = "presenting"


#: The most copies of one document a citizen may ask for in one session (our limit: each
#: copy is printed and bound on its own, and a queue of citizens waits behind).
MAX_COPIES = 5


class FingerprintHint(StrEnum):
    """Why a fingerprint attempt failed, shown with what to do (Snapshot.fingerprint_hint)."""

    NO_FINGER = "no_finger"
    WET = "wet"
    DRY = "dry"
    MESSY = "messy"
    NO_MATCH = "no_match"
    NOT_LIVE = "not_live"


class RrnHint(StrEnum):
    """Why a typed RRN was not accepted (Snapshot.rrn_hint)."""

    INCOMPLETE = "rrn.incomplete"
    INVALID = "rrn.invalid"
    CHECK_DIGIT = "rrn.check_digit"


class OptionHint(StrEnum):
    """Why the options were not accepted (Snapshot.option_hint); ``message_params['option']``
    names the option's key."""

    REQUIRED = "option.required"


class PaymentHint(StrEnum):
    """Why the last card payment attempt did not go through (Snapshot.payment_hint)."""

    DECLINED = "payment.declined"
    CANCELLED = "payment.cancelled"
    TIMEOUT = "payment.timeout"


class UnavailableReason(StrEnum):
    """Why a document cannot be chosen now (DocumentChoice.unavailable_reason)."""

    BACKEND = "unavailable.backend"
    PRINTER = "unavailable.printer"
    BINDER = "unavailable.binder"
    FINGERPRINT = "unavailable.fingerprint"
    PAYMENT = "unavailable.payment"
    HOURS = "unavailable.hours"
    LANGUAGE = "unavailable.language"


class FailureKey(StrEnum):
    """Failure.message_key values set by the session (the core adds kiosk.errors keys and
    UnavailableReason values)."""

    IDENTITY_ATTEMPTS = "failure.identity_attempts"
    CAPTURE_ATTEMPTS = "failure.capture_attempts"
    NOT_ENTITLED = "failure.not_entitled"
    PAYMENT_ATTEMPTS = "failure.payment_attempts"
    CANCELLING = "failure.cancelling"
    CANCELLED = "failure.cancelled"
    NO_RESPONSE = "failure.no_response"
    RETRACTED = "failure.retracted"


class NextStep(StrEnum):
    """Failure.next_step_key values: what the citizen can do next."""

    VISIT_COUNTER = "next.visit_counter"
    TRY_LATER = "next.try_later"
    REFUNDED = "next.refunded"
    ASK_STAFF = "next.ask_staff"
    CHOOSE_OTHER = "next.choose_other"
    PLEASE_WAIT = "next.please_wait"
    NONE = "next.none"


class CollectItem(StrEnum):
    """Things the citizen must take before leaving (Snapshot.collect_items)."""

    DOCUMENT = "document"
    CARD = "card"
    RECEIPT = "receipt"


class Cue(StrEnum):
    """Sounds the UI plays when Snapshot.cue_seq changes (Snapshot.cue names which)."""

    IDLE_WARNING = "idle.warning"
    COLLECT_CHIME = "collect.chime"
    COLLECT_REMINDER = "collect.reminder"
    GUIDANCE_REPEAT = "guidance.repeat"


def mask_rrn(digits: str) -> str:
    """Mask an RRN being typed: the first six digits and the dash show, the rest are stars.

    >>> mask_rrn("9001011")
    '900101-*'
    >>> mask_rrn("9001011234567")
    '900101-*******'
    """
    if len(digits) <= RRN_VISIBLE_DIGITS:
        return digits
    return digits[:RRN_VISIBLE_DIGITS] + "-" + "*" * (len(digits) - RRN_VISIBLE_DIGITS)


@dataclass(frozen=True)
class DocumentChoice:
    """A document the citizen may choose, as the catalogue screen shows it."""

    code: str
    names: Mapping[str, str]
    category: str
    fee_won: int
    typical_pages: int
    identity_required: bool
    available: bool = True
    unavailable_reason: str | None = None

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("ko") or self.code


@dataclass(frozen=True)
class OptionChoice:
    """One option of the chosen document (e.g. include address history), with its values.

    ``kind`` is ``"choice"`` (pick one of ``values``) or ``"text"`` (free text typed by the
    citizen, e.g. a parcel's lot address: ``values`` is empty, ``selected`` is the text so far,
    at most ``max_length`` characters; ``required`` says the document cannot be issued
    without it, given the other options as selected now).
    """

    key: str
    labels: Mapping[str, str]
    values: tuple[str, ...]
    value_labels: Mapping[str, Mapping[str, str]]
    selected: str
    kind: str = "choice"
    required: bool = False
    max_length: int = 0


@dataclass(frozen=True)
class Progress:
    """Issuing progress: the step, and pages done of pages total when printing."""

    step: IssuingStep
    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class Failure:
    """What went wrong and what to do next, as message keys the screens translate."""

    message_key: str
    next_step_key: str
    refunded: bool = False
    code: str = ""


@dataclass(frozen=True)
class Snapshot:
    """Everything the UI needs to draw one frame; replaced whole on every change.

    ``seq`` grows with every snapshot so the UI can tell a new one from the one it drew.
    ``idle_seconds_left`` is set while the 'need more time?' warning is showing (whole
    seconds; a new snapshot each second). ``rrn_hint`` says why a typed RRN was refused
    (``RrnHint``). ``cue`` names the sound to play whenever ``cue_seq`` changes (``Cue``);
    ``cue_seq`` never goes back, so the UI plays each cue once. ``option_hint`` says why the
    options screen did not go on (``OptionHint``).
    """

    seq: int
    screen: Screen
    language: str = "ko"
    service_state: ServiceState = ServiceState.IN_SERVICE
    unavailable_reasons: tuple[str, ...] = ()
    documents: tuple[DocumentChoice, ...] = ()
    selected_document: str | None = None
    options: tuple[OptionChoice, ...] = ()
    rrn_masked: str = ""
    rrn_complete: bool = False
    fingerprint_hint: str | None = None
    identity_attempts_left: int = 3
    fee_won: int = 0
    copies: int = 1
    payment_hint: str | None = None
    progress: Progress | None = None
    failure: Failure | None = None
    collect_items: tuple[str, ...] = ()
    idle_seconds_left: float | None = None
    headset: bool = False
    volume: int = 5
    rating_offered: bool = False
    message_params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    rrn_hint: str | None = None
    cue: str | None = None
    cue_seq: int = 0
    max_copies: int = MAX_COPIES
    option_hint: str | None = None


class Intent:
    """Base of everything the UI can ask the core to do."""


@dataclass(frozen=True)
class Start(Intent):
    """The citizen touched the attract screen (or pressed a key)."""


@dataclass(frozen=True)
class ChooseLanguage(Intent):
    language: str


@dataclass(frozen=True)
class ChooseDocument(Intent):
    code: str


@dataclass(frozen=True)
class SetOption(Intent):
    key: str
    value: str


@dataclass(frozen=True)
class SetCopies(Intent):
    copies: int


@dataclass(frozen=True)
class RrnDigit(Intent):
    digit: str


@dataclass(frozen=True)
class RrnBackspace(Intent):
    """Delete the last RRN digit."""


@dataclass(frozen=True)
class RrnClear(Intent):
    """Delete every RRN digit."""


@dataclass(frozen=True)
class Confirm(Intent):
    """Go on: submit the RRN, accept options, accept the fee, finish collecting."""


@dataclass(frozen=True)
class Back(Intent):
    """Go to the previous screen."""


@dataclass(frozen=True)
class Cancel(Intent):
    """End the session now; anything paid is voided or refunded."""


@dataclass(frozen=True)
class ExtendTime(Intent):
    """The citizen answered 'need more time?' with yes."""


@dataclass(frozen=True)
class Activity(Intent):
    """Any touch or key press: resets the idle timer."""


@dataclass(frozen=True)
class RateSatisfaction(Intent):
    score: int


@dataclass(frozen=True)
class SkipRating(Intent):
    """The citizen declined the satisfaction rating."""


@dataclass(frozen=True)
class ChangeVolume(Intent):
    delta: int


@dataclass(frozen=True)
class RepeatGuidance(Intent):
    """Speak the current screen again (help key)."""


class SnapshotChannel:
    """Holds the newest snapshot; the core publishes, the UI reads. Thread-safe.

    ``wake`` is called (from the core's thread) after each publish; the UI sets it to a
    function that posts a user event so that its blocking event wait returns.
    """

    def __init__(self, initial: Snapshot, wake: Callable[[], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._latest = initial
        self._wake = wake
        self._watchers: list[Callable[[], None]] = []

    def watch(self, callback: Callable[[], None]) -> None:
        """Also call ``callback()`` after every publish (telemetry, demos and tests)."""
        with self._lock:
            self._watchers.append(callback)

    def set_wake(self, wake: Callable[[], None] | None) -> None:
        with self._lock:
            self._wake = wake

    def publish(self, snapshot: Snapshot) -> None:
        with self._lock:
            self._latest = snapshot
            callbacks = [*self._watchers, *([self._wake] if self._wake else [])]
        for callback in callbacks:
            callback()

    def latest(self) -> Snapshot:
        with self._lock:
            return self._latest


class IntentQueue:
    """Intents from the UI thread to the core's loop, bounded so a stuck core cannot grow it."""

    def __init__(self, maxsize: int = 256) -> None:
        self._queue: queue.Queue[Intent] = queue.Queue(maxsize=maxsize)
        self._notify: Callable[[], None] | None = None

    def set_notify(self, notify: Callable[[], None] | None) -> None:
        """Call ``notify()`` after every put (the core wakes its loop with it)."""
        self._notify = notify

    def put(self, intent: Intent) -> bool:
        """Queue an intent; returns False (dropping it) if the core is not keeping up."""
        try:
            self._queue.put_nowait(intent)
        except queue.Full:
            return False
        notify = self._notify
        if notify is not None:
            notify()
        return True

    def get(self, timeout_s: float | None = None) -> Intent | None:
        try:
            return self._queue.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def drain(self) -> list[Intent]:
        items: list[Intent] = []
        while True:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                return items
