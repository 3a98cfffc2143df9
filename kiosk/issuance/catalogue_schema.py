"""The shape of ``catalogue.toml``: raw tables as dataclasses, and the checks between them.

``kiosk.config_schema.Loader`` turns the TOML into these dataclasses, reporting wrong types,
unknown and missing keys and out-of-range numbers by key path; ``check_raw`` then checks what
spans several keys (every UI language translated, option defaults among the values, schedule
names that exist, windows that open before they close, sites charging for known documents).
The file format is documented at the top of ``catalogue.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from kiosk.config_schema import spec

CATEGORIES = ("resident", "family", "land", "building", "tax", "vehicle", "military")
#: Day names in ``datetime.weekday()`` order (0 = Monday).
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIME_PATTERN = r"([01]\d|2[0-3]):[0-5]\d|24:00"
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
TOKEN_PATTERN = r"[a-z][a-z0-9-]{0,31}"
#: Bounds on data that a typo could blow up (a 500-page 'typical' document, a 1,000,000 won fee).
MAX_PAGES = 50
MAX_FEE_WON = 100_000
CURRENT_SCHEMA = 1
#: 'choice': one of the listed values; 'text': free text the citizen types (a parcel, a plate).
OPTION_KINDS = ("choice", "text")
#: Longest free text an option takes (the issuance backend accepts 100 characters).
MAX_TEXT_LENGTH = 100


@dataclass(frozen=True)
class RawValue:
    value: str = field(metadata=spec(pattern=TOKEN_PATTERN))
    label: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class RawOption:
    key: str = field(metadata=spec(pattern=TOKEN_PATTERN))
    kind: str = field(default="choice", metadata=spec(choices=OPTION_KINDS))
    default: str = ""
    values: tuple[RawValue, ...] = ()
    label: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    required: bool = False
    required_when: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    max_length: int = field(default=0, metadata=spec(ge=0, le=MAX_TEXT_LENGTH))


@dataclass(frozen=True)
class RawWindow:
    days: tuple[str, ...] = field(metadata=spec(choices=DAY_NAMES))
    start: str = field(metadata=spec(pattern=TIME_PATTERN))
    end: str = field(metadata=spec(pattern=TIME_PATTERN))


@dataclass(frozen=True)
class RawSchedule:
    windows: tuple[RawWindow, ...]
    closed_on_holidays: bool = False


@dataclass(frozen=True)
class RawDocument:
    category: str = field(metadata=spec(choices=CATEGORIES))
    identity_required: bool
    typical_pages: int = field(metadata=spec(ge=1, le=MAX_PAGES))
    fee_won: int = field(metadata=spec(ge=0, le=MAX_FEE_WON))
    name: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    schedule: str = "always"
    languages: tuple[str, ...] | None = None
    options: tuple[RawOption, ...] = ()


@dataclass(frozen=True)
class RawSite:
    fees: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}),
                                    metadata=spec(ge=0, le=MAX_FEE_WON))
    waive_all: bool = False


@dataclass(frozen=True)
class RawCatalogue:
    schema: int = field(metadata=spec(ge=CURRENT_SCHEMA, le=CURRENT_SCHEMA))
    schedules: Mapping[str, RawSchedule]
    documents: Mapping[str, RawDocument]
    holidays: tuple[str, ...] = field(default=(), metadata=spec(pattern=DATE_PATTERN))
    sites: Mapping[str, RawSite] = field(default_factory=lambda: MappingProxyType({}))


def check_names(data: Mapping[str, object], *, code_pattern: str,
                site_pattern: str) -> list[str]:
    """Document codes and site slugs that break their pattern (checked on the raw tables, so
    they are reported even when other problems keep the rest from loading)."""
    problems = []
    for table, pattern, what in (("documents", code_pattern, "document code"),
                                 ("sites", site_pattern, "site slug")):
        entries = data.get(table)
        if isinstance(entries, Mapping):
            problems += [f"{table}.{name}: not a {what} ({pattern})" for name in entries
                         if re.fullmatch(pattern, str(name)) is None]
    return problems


def check_raw(raw: RawCatalogue, *, languages: tuple[str, ...]) -> list[str]:
    """Problems that span several keys, each as ``key.path: message``."""
    problems: list[str] = []
    for index, day in enumerate(raw.holidays):
        try:
            date.fromisoformat(day)
        except ValueError:
            problems.append(f"holidays[{index}]: not a calendar date: {day!r}")
    for name, schedule in raw.schedules.items():
        problems += _check_schedule(f"schedules.{name}", schedule)
    if not raw.documents:
        problems.append("documents: the catalogue lists no document")
    for code, document in raw.documents.items():
        path = f"documents.{code}"
        problems += _check_labels(f"{path}.name", document.name, languages)
        if document.schedule not in raw.schedules:
            problems.append(f"{path}.schedule: unknown schedule {document.schedule!r}")
        problems += _check_languages(f"{path}.languages", document.languages, languages)
        problems += _check_options(f"{path}.options", document.options, languages)
    for slug, site in raw.sites.items():
        problems += [f"sites.{slug}.fees.{code}: not a document of the catalogue"
                     for code in site.fees if code not in raw.documents]
    return problems


def _check_schedule(path: str, schedule: RawSchedule) -> list[str]:
    problems = []
    if not schedule.windows:
        problems.append(f"{path}.windows: a schedule needs at least one window")
    for index, window in enumerate(schedule.windows):
        where = f"{path}.windows[{index}]"
        if not window.days:
            problems.append(f"{where}.days: list at least one day")
        if minutes_of_day(window.start) >= minutes_of_day(window.end):
            problems.append(f"{where}: start {window.start} must be before end {window.end} "
                            f"(split a window that crosses midnight in two)")
    return problems


def _check_labels(path: str, labels: Mapping[str, str], languages: tuple[str, ...]
                  ) -> list[str]:
    problems = [f"{path}.{language}: missing translation"
                for language in languages if not labels.get(language, "").strip()]
    problems += [f"{path}.{key}: unknown language (one of {', '.join(languages)})"
                 for key in labels if key not in languages]
    return problems


def _check_languages(path: str, offered: tuple[str, ...] | None,
                     languages: tuple[str, ...]) -> list[str]:
    if offered is None:
        return []
    problems = [f"{path}: unknown language {language!r}"
                for language in offered if language not in languages]
    if "ko" not in offered:
        problems.append(f"{path}: every document is offered in Korean ('ko')")
    return problems


def _check_options(path: str, options: tuple[RawOption, ...],
                   languages: tuple[str, ...]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    choices = {option.key: {value.value for value in option.values}
               for option in options if option.kind == "choice"}
    for index, option in enumerate(options):
        where = f"{path}[{index}]"
        if option.key in seen:
            problems.append(f"{where}.key: duplicate option {option.key!r}")
        seen.add(option.key)
        problems += _check_labels(f"{where}.label", option.label, languages)
        if option.kind == "text":
            problems += _check_text_option(where, option, choices)
            continue
        values = [value.value for value in option.values]
        if len(values) < 2:
            problems.append(f"{where}.values: an option needs at least two values")
        if len(set(values)) != len(values):
            problems.append(f"{where}.values: duplicate value")
        if option.default not in values:
            problems.append(f"{where}.default: {option.default!r} is not one of its values")
        for value_index, value in enumerate(option.values):
            problems += _check_labels(f"{where}.values[{value_index}].label", value.label,
                                      languages)
    return problems


def _check_text_option(where: str, option: RawOption, choices: Mapping[str, set[str]]
                       ) -> list[str]:
    problems = []
    if option.values:
        problems.append(f"{where}.values: a text option has no values")
    if option.default:
        problems.append(f"{where}.default: a text option starts empty")
    if option.max_length < 1:
        problems.append(f"{where}.max_length: a text option needs a length of 1 to "
                        f"{MAX_TEXT_LENGTH}")
    for key, value in option.required_when.items():
        if value not in choices.get(key, ()):
            problems.append(f"{where}.required_when.{key}: not a value of a choice option "
                            f"of this document")
    return problems


def minutes_of_day(text: str) -> int:
    """'HH:MM' (or '24:00') as minutes after midnight."""
    hours, minutes = (int(part) for part in text.split(":"))
    return hours * 60 + minutes
