"""The document catalogue: what this kiosk issues, in which languages, for what fee, and when.

Data, not code (DESIGN.md, 'Issuance'): ``catalogue.toml`` next to this module lists every
document with its stable code, category, names in the five UI languages, whether identity is
checked, typical page count, options with their values, default kiosk fee, the languages whose
mode offers it and the weekly schedule it may be issued in. Facts follow
``shared/reference/kiosk-domain.md`` §1.2-1.6 (fees per site, 0 won allowed; family-relation
documents on office hours; foreign-language mode limited to a document subset, §3).

Fees resolve in this order: the kiosk config's ``[fees]`` table (``KioskConfig.fees``), then the
site's ``[sites.<slug>.fees]``, then the site's ``waive_all``, then the document's ``fee_won``.
Schedules are weekly windows in the kiosk's time zone, optionally closed on the listed public
holidays. Loading checks everything and raises ``ConfigError`` listing every problem by its key
path (``documents.resident-copy.name.vi: missing translation``).

A document is unavailable, with a ``view.UnavailableReason``, when the backend or the printer is
down, when the binder is down and it runs to more than one page, when the fingerprint sensor is
down and identity is checked, when the card reader is down and it costs money, outside its hours,
or when the chosen language's mode does not offer it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.config import DOCUMENT_CODE_PATTERN, LANGUAGES, SITE_PATTERN
from kiosk.config_schema import Loader
from kiosk.errors import ConfigError, DocumentUnavailable
from kiosk.issuance.catalogue_schema import (
    DAY_NAMES,
    RawCatalogue,
    RawDocument,
    RawOption,
    RawSchedule,
    check_names,
    check_raw,
    minutes_of_day,
)
from kiosk.view import DocumentChoice, OptionChoice, UnavailableReason

DEFAULT_PATH = Path(__file__).with_name("catalogue.toml")
DEFAULT_TIMEZONE = "Asia/Seoul"
#: Pseudo-device name for the city backend in a set of usable devices.
BACKEND = "backend"
#: How far ahead ``next_change`` looks: a week of windows plus a day for holiday midnights.
LOOKAHEAD_DAYS = 8


@dataclass(frozen=True)
class OptionValue:
    value: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class DocumentOption:
    """One option of a document: a choice among values (e.g. address history), or free
    text the citizen types (``kind == 'text'``: a parcel's lot address, a plate number)."""

    key: str
    labels: Mapping[str, str]
    values: tuple[OptionValue, ...]
    default: str
    kind: str = "choice"
    required: bool = False
    required_when: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    max_length: int = 0

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(value.value for value in self.values)

    @property
    def is_text(self) -> bool:
        return self.kind == "text"

    def accepts(self, value: str) -> bool:
        """Whether ``value`` may be set: one of the values, or printable text short enough."""
        if not self.is_text:
            return value in self.codes
        return len(value) <= self.max_length and value.isprintable()

    def required_with(self, options: Mapping[str, str]) -> bool:
        """Whether a text option must be filled in, given the other options chosen."""
        if self.required:
            return True
        return bool(self.required_when) and all(
            options.get(key) == value for key, value in self.required_when.items())

    def to_choice(self, options: Mapping[str, str]) -> OptionChoice:
        """The option as the options screen shows it, with the citizen's ``options``."""
        selected = options.get(self.key)
        if self.is_text:
            return OptionChoice(key=self.key, labels=self.labels, values=(),
                                value_labels=MappingProxyType({}), selected=selected or "",
                                kind=self.kind, required=self.required_with(options),
                                max_length=self.max_length)
        return OptionChoice(
            key=self.key, labels=self.labels, values=self.codes,
            value_labels=MappingProxyType({v.value: v.labels for v in self.values}),
            selected=selected if selected in self.codes else self.default)


@dataclass(frozen=True)
class Window:
    """Open on ``days`` (0 = Monday) from ``start_min`` to ``end_min`` minutes after midnight."""

    days: frozenset[int]
    start_min: int
    end_min: int

    def contains(self, weekday: int, minute: int) -> bool:
        return weekday in self.days and self.start_min <= minute < self.end_min


@dataclass(frozen=True)
class Schedule:
    name: str
    windows: tuple[Window, ...]
    closed_on_holidays: bool = False


@dataclass(frozen=True)
class Document:
    """One issuable document as the catalogue defines it."""

    code: str
    category: str
    names: Mapping[str, str]
    identity_required: bool
    typical_pages: int
    fee_won: int
    schedule: Schedule
    languages: frozenset[str]
    options: tuple[DocumentOption, ...] = ()

    def option(self, key: str) -> DocumentOption | None:
        return next((option for option in self.options if option.key == key), None)

    def default_options(self) -> dict[str, str]:
        """The choice options at their defaults (text options start empty: absent)."""
        return {option.key: option.default for option in self.options if not option.is_text}

    def missing_options(self, options: Mapping[str, str]) -> tuple[str, ...]:
        """Keys of required text options left empty."""
        return tuple(option.key for option in self.options
                     if option.is_text and option.required_with(options)
                     and not options.get(option.key))

    @property
    def needs_binding(self) -> bool:
        return self.typical_pages > 1


@dataclass(frozen=True)
class Site:
    slug: str
    fees: Mapping[str, int]
    waive_all: bool = False


class Catalogue:
    """The loaded catalogue; immutable, cheap to query."""

    def __init__(self, documents: Iterable[Document], sites: Iterable[Site] = (),
                 holidays: Collection[date] = (), timezone: str = DEFAULT_TIMEZONE) -> None:
        self.documents: tuple[Document, ...] = tuple(documents)
        self._by_code = {document.code: document for document in self.documents}
        self.sites: Mapping[str, Site] = MappingProxyType({s.slug: s for s in sites})
        self.holidays: frozenset[date] = frozenset(holidays)
        try:
            self.timezone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"kiosk.timezone: unknown time zone {timezone!r}") from None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._by_code)

    def get(self, code: str) -> Document:
        """The document with this code.

        Raises:
            DocumentUnavailable: no such document in the catalogue.
        """
        try:
            return self._by_code[code]
        except KeyError:
            raise DocumentUnavailable(f"unknown document code {code!r}",
                                      code="issuance.unknown_document") from None

    def fee(self, code: str, site: str | None = None,
            overrides: Mapping[str, int] | None = None) -> int:
        """The kiosk fee in won for one copy, at ``site``, with the config's overrides."""
        document = self.get(code)
        if overrides and code in overrides:
            return overrides[code]
        site_entry = self.sites.get(site) if site else None
        if site_entry is not None:
            if code in site_entry.fees:
                return site_entry.fees[code]
            if site_entry.waive_all:
                return 0
        return document.fee_won

    def check_fee_overrides(self, overrides: Mapping[str, int]) -> None:
        """Reject a kiosk config ``[fees]`` table naming documents the catalogue lacks.

        Raises:
            ConfigError: one problem per unknown code, as ``fees.<code>: ...``.
        """
        problems = [f"fees.{code}: not a document of the catalogue"
                    for code in overrides if code not in self._by_code]
        if problems:
            raise ConfigError(problems)

    def local_time(self, at: datetime) -> datetime:
        """``at`` in the kiosk's time zone; a naive ``at`` is taken as kiosk-local already."""
        if at.tzinfo is None:
            return at.replace(tzinfo=self.timezone)
        return at.astimezone(self.timezone)

    def is_available(self, code: str, at: datetime) -> bool:
        """Whether the document's schedule is open at ``at`` (devices aside)."""
        return self._open(self.get(code).schedule, self.local_time(at))

    def _open(self, schedule: Schedule, local: datetime) -> bool:
        if schedule.closed_on_holidays and local.date() in self.holidays:
            return False
        minute = local.hour * 60 + local.minute
        return any(w.contains(local.weekday(), minute) for w in schedule.windows)

    def unavailable_reason(self, code: str, *, usable_devices: Collection[str], at: datetime,
                           language: str | None = None, site: str | None = None,
                           fee_overrides: Mapping[str, int] | None = None
                           ) -> UnavailableReason | None:
        """Why the document cannot be issued now, or None if it can."""
        document = self.get(code)
        if BACKEND not in usable_devices:
            return UnavailableReason.BACKEND
        if "printer" not in usable_devices:
            return UnavailableReason.PRINTER
        if document.needs_binding and "binder" not in usable_devices:
            return UnavailableReason.BINDER
        if document.identity_required and "fingerprint" not in usable_devices:
            return UnavailableReason.FINGERPRINT
        if (self.fee(code, site, fee_overrides) > 0
                and "card_reader" not in usable_devices):
            return UnavailableReason.PAYMENT
        if not self._open(document.schedule, self.local_time(at)):
            return UnavailableReason.HOURS
        if language is not None and language not in document.languages:
            return UnavailableReason.LANGUAGE
        return None

    def document_choices(self, language: str | None = None, *,
                         usable_devices: Collection[str], now: datetime,
                         site: str | None = None,
                         fee_overrides: Mapping[str, int] | None = None
                         ) -> tuple[DocumentChoice, ...]:
        """Every document as the catalogue screen shows it, with availability and reason."""
        choices = []
        for document in self.documents:
            reason = self.unavailable_reason(
                document.code, usable_devices=usable_devices, at=now, language=language,
                site=site, fee_overrides=fee_overrides)
            choices.append(DocumentChoice(
                code=document.code, names=document.names, category=document.category,
                fee_won=self.fee(document.code, site, fee_overrides),
                typical_pages=document.typical_pages,
                identity_required=document.identity_required, available=reason is None,
                unavailable_reason=None if reason is None else reason.value))
        return tuple(choices)

    def next_change(self, after: datetime) -> datetime | None:
        """The first moment after ``after`` at which some document's schedule opens or closes
        (window edges, and midnights when a schedule closes on holidays); None if never."""
        local = self.local_time(after)
        schedules = {document.schedule for document in self.documents}
        candidates: list[datetime] = []
        for offset in range(LOOKAHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            midnight = datetime.combine(day, time(), tzinfo=self.timezone)
            for schedule in schedules:
                if schedule.closed_on_holidays:
                    candidates.append(midnight)
                for window in schedule.windows:
                    if day.weekday() in window.days:
                        candidates.extend(midnight + timedelta(minutes=m)
                                          for m in (window.start_min, window.end_min))
        later = [moment for moment in candidates if moment > local]
        return min(later) if later else None


def load_catalogue(path: str | Path = DEFAULT_PATH, *,
                   timezone: str = DEFAULT_TIMEZONE) -> Catalogue:
    """Read and validate a catalogue file.

    Raises:
        ConfigError: the file is missing or not TOML, or has problems (all listed by key path).
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: catalogue file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_catalogue(data, timezone=timezone)


def parse_catalogue(data: Mapping[str, object], *,
                    timezone: str = DEFAULT_TIMEZONE) -> Catalogue:
    """Build a ``Catalogue`` from parsed TOML.

    Raises:
        ConfigError: every problem found, each naming its key path.
    """
    loader = Loader(Path("."))
    raw = loader.build(RawCatalogue, data, "")
    problems = list(loader.problems)
    if isinstance(data, Mapping):
        problems += check_names(data, code_pattern=DOCUMENT_CODE_PATTERN,
                                site_pattern=SITE_PATTERN)
    if raw is not None:
        problems += check_raw(raw, languages=LANGUAGES)
    if problems or raw is None:
        raise ConfigError(problems or ["<root>: invalid catalogue"])
    schedules = {name: _schedule(name, entry) for name, entry in raw.schedules.items()}
    documents = [_document(code, entry, schedules[entry.schedule])
                 for code, entry in raw.documents.items()]
    sites = [Site(slug, MappingProxyType(dict(entry.fees)), entry.waive_all)
             for slug, entry in raw.sites.items()]
    holidays = [date.fromisoformat(day) for day in raw.holidays]
    return Catalogue(documents, sites, holidays, timezone)


def _schedule(name: str, raw: RawSchedule) -> Schedule:
    windows = tuple(
        Window(frozenset(DAY_NAMES.index(day) for day in w.days), minutes_of_day(w.start),
               minutes_of_day(w.end))
        for w in raw.windows)
    return Schedule(name, windows, raw.closed_on_holidays)


def _option(raw: RawOption) -> DocumentOption:
    values = tuple(OptionValue(v.value, MappingProxyType(dict(v.label))) for v in raw.values)
    return DocumentOption(raw.key, MappingProxyType(dict(raw.label)), values, raw.default,
                          kind=raw.kind, required=raw.required,
                          required_when=MappingProxyType(dict(raw.required_when)),
                          max_length=raw.max_length)


def _document(code: str, raw: RawDocument, schedule: Schedule) -> Document:
    languages = frozenset(raw.languages if raw.languages is not None else LANGUAGES)
    return Document(
        code=code, category=raw.category, names=MappingProxyType(dict(raw.name)),
        identity_required=raw.identity_required, typical_pages=raw.typical_pages,
        fee_won=raw.fee_won, schedule=schedule, languages=languages,
        options=tuple(_option(option) for option in raw.options))
