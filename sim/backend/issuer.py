"""The backend simulator's document service: which documents exist, their options, who may have
them, and issuing one as a signed document (``kiosk.issuance.document``).

Options are validated strictly against each document's schema (unknown option, wrong type or a
value outside its choices is an :class:`OptionError` naming the option, never echoing the
value). Document numbers are 12 random digits, unique for the life of the simulator.
"""

from __future__ import annotations

import datetime
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.issuance.document import (
    DOCUMENT_NUMBER_DIGITS,
    DocumentContent,
    SignedDocument,
    format_issued_at,
    sign_document,
)
from sim.backend.forms_base import FormError, FormRequest
from sim.backend.forms_building import BUILDING_FORMS
from sim.backend.forms_family import FAMILY_FORMS
from sim.backend.forms_land import LAND_FORMS
from sim.backend.forms_personal import PERSONAL_FORMS, arrears
from sim.backend.forms_resident import resident_abstract, resident_copy
from sim.backend.records import find_parcel, vehicles_of
from sim.backend.subjects import MILITARY, Person

SEOUL = ZoneInfo("Asia/Seoul")  # issue times are printed in Korean time
LOCAL_AUTHORITY = "서울특별시 종로구청장"  # the simulated kiosks stand in 종로구
MAX_OPTION_CHARS = 100  # a parcel address or unit name fits easily


class OptionError(FormError):
    error = "bad_option"
    status = 422


@dataclass(frozen=True)
class Choice:
    """An option with enumerated text values (as in the catalogue)."""

    values: tuple[str, ...]
    default: str


@dataclass(frozen=True)
class Text:
    """A free-text option (a parcel, an address, a unit, a plate)."""

    required: bool = False


DETAIL = Choice(("general", "detailed"), "general")
INCLUDE = ("include", "exclude")
EXCLUDED = Choice(INCLUDE, "exclude")
INCLUDED = Choice(INCLUDE, "include")
HISTORY = ("none", "recent-5y", "all")


@dataclass(frozen=True)
class DocumentSpec:
    """One document: title, builder, whether it needs identity, options and issuer.

    Option keys and values follow kiosk/issuance/catalogue.toml (what a kiosk sends); the
    place options (``parcel``, ``address``, ``unit``, ``plate``) are free text.
    """

    code: str
    title: str
    build: Callable[[FormRequest], dict[str, Any]]
    identity: bool
    options: Mapping[str, Choice | Text] = field(default_factory=dict)
    authority: str = LOCAL_AUTHORITY

    def title_for(self, options: Mapping[str, Any]) -> str:
        if "detail" in self.options:
            return f"{self.title}({'상세' if options['detail'] == 'detailed' else '일반'})"
        part = options.get("register-part")
        if part is not None:
            suffix = {"unit": "전유부", "title": "표제부", "summary": "총괄표제부"}.get(part)
            return f"{self.title}({suffix})" if suffix else self.title
        if self.code == "vehicle-register":
            return f"{self.title}({'을' if options['part'] == 'mortgage' else '갑'})"
        if options.get("edition") == "english":
            return "Certificate of Military Service (병적증명서)"
        return self.title


def _family(code: str, title: str, **extra: Choice) -> DocumentSpec:
    return DocumentSpec(code, title, FAMILY_FORMS[code], True, {"detail": DETAIL, **extra})


def _parcel_doc(code: str, title: str, **extra: Choice) -> DocumentSpec:
    return DocumentSpec(code, title, LAND_FORMS[code], False,
                        {"parcel": Text(required=True), **extra})


SPECS: Mapping[str, DocumentSpec] = {spec.code: spec for spec in (
    DocumentSpec("resident-copy", "주민등록표 등본", resident_copy, True, {
        "address-history": Choice(HISTORY, "none"), "household-composition": EXCLUDED,
        "change-reasons": EXCLUDED, "other-members": INCLUDED, "relation-to-head": INCLUDED,
        "cohabitants": EXCLUDED,
        "rrn-back-digits": Choice(("none", "self", "all"), "none")}),
    DocumentSpec("resident-abstract", "주민등록표 초본", resident_abstract, True, {
        "personal-history": EXCLUDED, "address-history": Choice(HISTORY, "all"),
        "address-head": EXCLUDED, "military": EXCLUDED, "change-reasons": EXCLUDED,
        "rrn-back-digits": Choice(("hide", "show"), "hide")}),
    _family("family-relation", "가족관계증명서",
            **{"rrn-back-digits": Choice(("self", "all"), "self")}),
    _family("basic-certificate", "기본증명서"),
    _family("marriage-relation", "혼인관계증명서"),
    _family("adoption-relation", "입양관계증명서"),
    _family("full-adoption-relation", "친양자입양관계증명서"),
    _parcel_doc("land-register", "토지대장", history=EXCLUDED),
    _parcel_doc("forest-register", "임야대장", history=EXCLUDED),
    _parcel_doc("land-use-plan", "토지이용계획확인서"),
    _parcel_doc("land-price", "개별공시지가확인서"),
    DocumentSpec("building-register-general", "일반건축물대장",
                 BUILDING_FORMS["building-register-general"], False,
                 {"address": Text(required=True),
                  "register-part": Choice(("building", "summary"), "building")}),
    DocumentSpec("building-register-collective", "집합건축물대장",
                 BUILDING_FORMS["building-register-collective"], False,
                 {"address": Text(required=True),
                  "register-part": Choice(("unit", "title", "summary"), "unit"),
                  "unit": Text()}),
    DocumentSpec("local-tax-payment", "지방세 납세증명서", PERSONAL_FORMS["local-tax-payment"],
                 True, {"purpose": Choice(("general", "payment", "emigration"), "general")}),
    DocumentSpec("local-tax-itemised", "지방세 세목별 과세증명서",
                 PERSONAL_FORMS["local-tax-itemised"], True,
                 {"period": Choice(("recent-1y", "recent-3y", "recent-5y"), "recent-1y")}),
    DocumentSpec("vehicle-register", "자동차등록원부", PERSONAL_FORMS["vehicle-register"],
                 True, {"part": Choice(("main", "mortgage"), "main"), "plate": Text()},
                 authority="서울특별시장"),
    DocumentSpec("military-service", "병적증명서", PERSONAL_FORMS["military-service"], True,
                 {"edition": Choice(("korean", "english"), "korean")}, authority="병무청장"),
)}


def validate_options(spec: DocumentSpec, options: object) -> dict[str, Any]:
    """Options with defaults filled in. Raises OptionError naming the option."""
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise OptionError("options must be a JSON object")
    unknown = [key for key in options if key not in spec.options]
    if unknown:
        raise OptionError(f"{spec.code} takes no option {str(unknown[0])[:40]!r}; "
                          f"known: {', '.join(spec.options) or 'none'}")
    result: dict[str, Any] = {}
    for name, rule in spec.options.items():
        value = options.get(name)
        if isinstance(rule, Choice):
            if value is None:
                value = rule.default
            if not isinstance(value, str) or value not in rule.values:
                raise OptionError(f"option {name!r} must be one of {list(rule.values)}")
        else:
            if value is None and rule.required:
                raise OptionError(f"option {name!r} is required")
            if value is not None and (not isinstance(value, str)
                                      or len(value) > MAX_OPTION_CHARS):
                raise OptionError(f"option {name!r} must be text of at most "
                                  f"{MAX_OPTION_CHARS} characters")
        result[name] = value
    return result


def entitled_documents(subject: Person, today: datetime.date) -> list[str]:
    """The identity documents ``subject`` can be issued now (records exist, no arrears)."""
    codes = []
    for code, spec in SPECS.items():
        if not spec.identity:
            continue
        if code == "military-service" and subject.key not in MILITARY:
            continue
        if code == "vehicle-register" and not vehicles_of(subject.key):
            continue
        if code == "local-tax-payment" and arrears(subject.key, today):
            continue
        codes.append(code)
    return codes


class Issuer:
    """Builds and signs documents; hands out unique document numbers. Thread-safe."""

    def __init__(self, signing_key: Ed25519PrivateKey,
                 clock: Callable[[], datetime.datetime] | None = None) -> None:
        self._key = signing_key
        self._clock = clock or (lambda: datetime.datetime.now(SEOUL))
        self._numbers: set[str] = set()
        self._lock = threading.Lock()

    def now(self) -> datetime.datetime:
        return self._clock().astimezone(SEOUL)

    def new_number(self) -> str:
        with self._lock:
            while True:
                number = str(secrets.randbelow(10 ** DOCUMENT_NUMBER_DIGITS)).zfill(
                    DOCUMENT_NUMBER_DIGITS)
                if number not in self._numbers:
                    self._numbers.add(number)
                    return number

    def issue(self, spec: DocumentSpec, options: Mapping[str, Any], subject: Person | None,
              kiosk_id: str, transaction_id: str) -> SignedDocument:
        """Build, number and sign one document. Raises FormError subclasses."""
        issued_at = self.now()
        body = spec.build(FormRequest(spec.code, options, subject, issued_at))
        authority = spec.authority
        if "parcel" in options:
            parcel = find_parcel(options["parcel"])
            if parcel is not None:
                authority = parcel_authority(parcel.address)
        content = DocumentContent(
            number=self.new_number(), document_code=spec.code, title=spec.title_for(options),
            authority=authority, issued_at=format_issued_at(issued_at), kiosk_id=kiosk_id,
            transaction_id=transaction_id, body=body)
        return sign_document(content, self._key)


def parcel_authority(address: str) -> str:
    """The head of the county, city or district a parcel lies in (가평군 -> 가평군수)."""
    province, district = address.split(" ")[:2]
    title = {"군": "수", "시": "장", "구": "청장"}.get(district[-1], "장")
    return f"{province} {district}{title}"
