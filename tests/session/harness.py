"""Shared pieces of the session tests: a fake clock, a session on the shipped catalogue, a
driver that walks a visit to a given step, and a scan for personal data left in an object."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from types import FunctionType, MethodType, ModuleType
from zoneinfo import ZoneInfo

from kiosk import session_events as ev
from kiosk import view
from kiosk.config import DEVICE_NAMES
from kiosk.issuance.catalogue import Catalogue, load_catalogue
from kiosk.session import Session
from kiosk.session_effects import Effect
from kiosk.session_settings import SessionSettings

SEOUL = ZoneInfo("Asia/Seoul")
#: Monday 3 November 2025, 10:00 in Seoul: a working day inside office hours.
MONDAY_10 = datetime(2025, 11, 3, 10, 0, tzinfo=SEOUL).timestamp()
#: A resident number with a correct historic check digit (born 1 January 1990).
RRN = "9001011234568"
#: The same with a wrong check digit.
RRN_BAD_CHECK = "9001011234567"
ALL_DEVICES = frozenset(DEVICE_NAMES)
#: A place typed into a text option (a parcel's or building's address).
PLACE = "서울특별시 종로구 세종로 1-1"

_CATALOGUE: Catalogue | None = None


def shipped_catalogue() -> Catalogue:
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = load_catalogue()
    return _CATALOGUE


class FakeClock:
    def __init__(self, start: float = MONDAY_10) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Driver:
    """A session with a fake clock and every device up, plus helpers that walk a visit."""

    def __init__(self, *, site: str = "seoul-jongno", start: float = MONDAY_10,
                 devices: Iterable[str] = ALL_DEVICES, **settings: object) -> None:
        self.clock = FakeClock(start)
        self.session = Session(shipped_catalogue(), SessionSettings(site=site, **settings),
                               clock=self.clock)
        self.effects: list[Effect] = []
        self.event(ev.DevicesChanged(devices))

    # one call each, collecting effects
    def intent(self, intent: view.Intent) -> list[Effect]:
        out = self.session.handle(intent)
        self.effects += out
        return out

    def event(self, event: ev.SessionEvent) -> list[Effect]:
        out = self.session.on_event(event)
        self.effects += out
        return out

    def wait(self, seconds: float) -> list[Effect]:
        """Advance the clock by ``seconds``, ticking at every deadline on the way."""
        end = self.clock.now + seconds
        out: list[Effect] = []
        while True:
            deadline = self.session.next_deadline()
            if deadline is None or deadline > end:
                break
            self.clock.now = max(self.clock.now, deadline)
            out += self.session.tick()
        self.clock.now = end
        out += self.session.tick()
        self.effects += out
        return out

    @property
    def snap(self) -> view.Snapshot:
        return self.session.snapshot()

    def of(self, kind: type) -> list:
        return [effect for effect in self.effects if isinstance(effect, kind)]

    def last(self, kind: type) -> object:
        found = self.of(kind)
        assert found, f"no {kind.__name__} among {self.effects}"
        return found[-1]

    # walking a visit
    def choose(self, code: str, language: str = "ko", *, fill: bool = True) -> None:
        """Start a visit and choose ``code``; ``fill`` types a place into required text
        options (the parcel of a land register, ...)."""
        self.intent(view.Start())
        self.intent(view.ChooseLanguage(language))
        self.intent(view.ChooseDocument(code))
        assert self.snap.screen is view.Screen.OPTIONS, self.snap
        if fill:
            self.fill_required()

    def fill_required(self) -> None:
        for option in self.snap.options:
            if option.kind == "text" and option.required and not option.selected:
                self.intent(view.SetOption(option.key, PLACE))

    def type_rrn(self, digits: str = RRN) -> None:
        self.intent(view.RrnClear())
        for digit in digits:
            self.intent(view.RrnDigit(digit))

    def identify(self, digits: str = RRN) -> None:
        """From the identity screen through a verified fingerprint."""
        self.type_rrn(digits)
        self.intent(view.Confirm())
        visit = self.session.visit_number
        assert visit is not None
        self.event(ev.FingerprintCaptured(visit))
        self.event(ev.IdentityVerified(self.txn))

    @property
    def txn(self) -> int:
        txn = self.session.open_transaction
        assert txn is not None
        return txn

    def pay(self) -> int:
        """From the fee screen through an approved payment; returns the transaction."""
        self.intent(view.Confirm())
        txn = self.txn
        self.event(ev.PaymentApproved(txn))
        return txn

    def issue_and_take(self, txn: int, pages: int = 1) -> None:
        self.event(ev.IssuingProgress(txn, view.IssuingStep.FETCHING))
        for page in range(1, pages + 1):
            self.event(ev.IssuingProgress(txn, view.IssuingStep.PRINTING, page, pages))
        self.event(ev.DocumentPresented(txn))
        self.event(ev.DocumentTaken(txn))


#: Objects whose insides are code, not data.
OPAQUE = (ModuleType, FunctionType, MethodType, type)


def walk(obj: object, skip: tuple[type, ...] = ()) -> Iterator[object]:
    """Every object reachable from ``obj`` through attributes and containers."""
    seen: set[int] = set()
    stack = [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, (*skip, *OPAQUE)):
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) or hasattr(item, "__dict__"):
            stack.extend(vars(item).values())


def personal_leftovers(session: Session, secrets: Iterable[str]) -> list[str]:
    """Where personal data survives in the session: non-zero bytearrays, strings holding a
    secret, or a visit object."""
    found = []
    secrets = [secret for secret in secrets if secret]
    for item in walk(session, skip=(Catalogue, SessionSettings)):
        if isinstance(item, (bytearray, bytes)) and any(item):
            found.append(f"bytes {bytes(item)!r}")
        elif isinstance(item, str) and any(secret in item for secret in secrets):
            found.append(f"text {item!r}")
        elif type(item).__name__ == "Visit":
            found.append("a Visit object")
    return found
