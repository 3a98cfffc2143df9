"""The document catalogue: the shipped data, fees per site, hours, availability reasons, and
validation errors that name the key path."""

from __future__ import annotations

import copy
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import LANGUAGES
from kiosk.errors import ConfigError, DocumentUnavailable
from kiosk.issuance.catalogue import BACKEND, load_catalogue, parse_catalogue
from kiosk.view import OptionChoice, UnavailableReason
from tests.session.harness import ALL_DEVICES, SEOUL, shipped_catalogue

REQUIRED = {
    "resident-copy": "resident", "resident-abstract": "resident",
    "family-relation": "family", "basic-certificate": "family", "marriage-relation": "family",
    "adoption-relation": "family", "full-adoption-relation": "family",
    "land-register": "land", "forest-register": "land", "land-use-plan": "land",
    "land-price": "land", "building-register-general": "building",
    "building-register-collective": "building", "local-tax-payment": "tax",
    "local-tax-itemised": "tax", "vehicle-register": "vehicle", "military-service": "military",
}
EVERYTHING = ALL_DEVICES | {BACKEND}
MONDAY_10 = datetime(2025, 11, 3, 10, 0, tzinfo=SEOUL)
SATURDAY_10 = datetime(2025, 11, 8, 10, 0, tzinfo=SEOUL)


def _scripts(text: str) -> set[str]:
    names = set()
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            names.add(name.split()[0])
    return names


# ---------------------------------------------------------------------- shipped data


def test_shipped_catalogue_has_every_required_document_with_its_category() -> None:
    catalogue = shipped_catalogue()
    found = {document.code: document.category for document in catalogue.documents}
    assert {code: found.get(code) for code in REQUIRED} == REQUIRED


@pytest.mark.parametrize("code", sorted(REQUIRED))
def test_names_and_labels_are_real_translations_in_every_language(code: str) -> None:
    document = shipped_catalogue().get(code)
    labelled = [document.names] + [option.labels for option in document.options] + [
        value.labels for option in document.options for value in option.values]
    for labels in labelled:
        assert set(labels) == set(LANGUAGES)
        assert "HANGUL" in _scripts(labels["ko"])
        assert "HANGUL" not in _scripts(labels["zh"]) | _scripts(labels["ja"])
        assert "CJK" in _scripts(labels["zh"])
        assert _scripts(labels["ja"]) & {"CJK", "HIRAGANA", "KATAKANA"}
        assert _scripts(labels["en"]) <= {"LATIN"} and labels["en"].isascii()
        assert _scripts(labels["vi"]) <= {"LATIN"}
        assert len({labels[language] for language in ("ko", "en", "vi")}) == 3
    assert 1 <= document.typical_pages <= 5
    for option in document.options:
        if option.is_text:
            assert option.codes == () and option.default == "" and option.max_length > 0
        else:
            assert option.default in option.codes and len(option.codes) >= 2


def test_resident_documents_offer_the_options_real_kiosks_offer() -> None:
    copy_options = {o.key for o in shipped_catalogue().get("resident-copy").options}
    assert {"address-history", "other-members", "relation-to-head",
            "rrn-back-digits"} <= copy_options
    abstract = shipped_catalogue().get("resident-abstract")
    assert set(abstract.option("address-history").codes) == {"all", "recent-5y", "none"}
    assert abstract.option("military") is not None
    assert shipped_catalogue().get("family-relation").option("detail").codes == (
        "general", "detailed")


@pytest.mark.parametrize(("code", "place"), [
    ("land-register", "parcel"), ("forest-register", "parcel"), ("land-use-plan", "parcel"),
    ("land-price", "parcel"), ("building-register-general", "address"),
    ("building-register-collective", "address")])
def test_property_documents_ask_for_the_place(code: str, place: str) -> None:
    document = shipped_catalogue().get(code)
    assert document.missing_options(document.default_options())[:1] == (place,)
    assert document.missing_options({**document.default_options(), place: "x 1-1"}) in (
        (), ("unit",))


def test_a_unit_is_needed_only_for_one_unit_of_a_collective_building() -> None:
    document = shipped_catalogue().get("building-register-collective")
    unit = document.option("unit")
    assert unit.required_with({"register-part": "unit"})
    assert not unit.required_with({"register-part": "title"})
    assert unit.to_choice({"register-part": "unit", "unit": "101동 1203호"}) == OptionChoice(
        key="unit", labels=unit.labels, values=(), value_labels={}, selected="101동 1203호",
        kind="text", required=True, max_length=30)
    assert unit.accepts("101동 1203호") and not unit.accepts("1" * 31)
    assert not unit.accepts("101\n1203")


def test_catalogue_options_match_what_the_backend_simulator_accepts() -> None:
    specs = pytest.importorskip("sim.backend.issuer").SPECS
    for document in shipped_catalogue().documents:
        rules = specs[document.code].options
        assert {option.key for option in document.options} == set(rules), document.code
        for option in document.options:
            rule = rules[option.key]
            if option.is_text:
                assert not hasattr(rule, "values") and rule.required == option.required
            else:
                assert (set(rule.values), rule.default) == (set(option.codes), option.default)


def test_identity_is_checked_for_personal_documents_only() -> None:
    catalogue = shipped_catalogue()
    assert catalogue.get("resident-copy").identity_required
    assert catalogue.get("family-relation").identity_required
    assert not catalogue.get("land-register").identity_required
    assert not catalogue.get("building-register-general").identity_required


# ---------------------------------------------------------------------- fees


def test_fees_resolve_config_then_site_then_waiver_then_default() -> None:
    catalogue = shipped_catalogue()
    assert catalogue.fee("resident-copy", "seoul-jongno") == 200
    assert catalogue.fee("family-relation", "seoul-jongno") == 500
    assert catalogue.fee("family-relation", "seoul-junggu") == 0
    assert catalogue.fee("resident-copy", "nowhere") == catalogue.get("resident-copy").fee_won
    assert catalogue.fee("resident-copy", "seoul-jongno", {"resident-copy": 0}) == 0
    assert catalogue.fee("land-register", "seoul-junggu", {"land-register": 700}) == 700
    with pytest.raises(DocumentUnavailable):
        catalogue.fee("passport", "seoul-jongno")


def test_config_fee_overrides_for_unknown_documents_are_rejected_by_key_path() -> None:
    with pytest.raises(ConfigError) as caught:
        shipped_catalogue().check_fee_overrides({"resident-copy": 0, "passport": 100})
    assert caught.value.problems == ["fees.passport: not a document of the catalogue"]


# ---------------------------------------------------------------------- hours


@pytest.mark.parametrize(("at", "open_"), [
    (MONDAY_10, True),
    (MONDAY_10.replace(hour=8, minute=59), False),
    (MONDAY_10.replace(hour=9, minute=0), True),
    (MONDAY_10.replace(hour=17, minute=59), True),
    (MONDAY_10.replace(hour=18, minute=0), False),
    (SATURDAY_10, False),
    (datetime(2025, 12, 25, 10, 0, tzinfo=SEOUL), False),     # Christmas, a Thursday
    (datetime(2025, 11, 3, 1, 0, tzinfo=UTC), True),           # 10:00 in Seoul
    (datetime(2025, 11, 3, 10, 0), True),                       # naive: kiosk-local
])
def test_family_documents_follow_office_hours(at: datetime, open_: bool) -> None:
    catalogue = shipped_catalogue()
    assert catalogue.is_available("family-relation", at) is open_
    assert catalogue.is_available("resident-copy", at)


def test_next_change_finds_the_closing_time() -> None:
    assert shipped_catalogue().next_change(MONDAY_10) == MONDAY_10.replace(hour=18)


@settings(max_examples=60, deadline=None)
@given(minutes=st.integers(0, 14 * 24 * 60), probes=st.lists(st.floats(0, 1), max_size=5))
def test_availability_is_constant_until_next_change(minutes: int, probes: list[float]) -> None:
    catalogue = shipped_catalogue()
    at = datetime(2025, 12, 20, tzinfo=SEOUL) + timedelta(minutes=minutes)
    change = catalogue.next_change(at)
    assert change is not None and change > at
    before = [catalogue.is_available(code, at) for code in catalogue.codes]
    for fraction in probes:
        probe = at + (change - at) * fraction
        if probe < change:
            assert [catalogue.is_available(code, probe) for code in catalogue.codes] == before


# ---------------------------------------------------------------------- availability reasons


def _reasons(usable: frozenset[str], at: datetime = MONDAY_10, language: str | None = None,
             site: str = "seoul-jongno") -> dict[str, str | None]:
    return {choice.code: choice.unavailable_reason for choice in shipped_catalogue()
            .document_choices(language, usable_devices=usable, now=at, site=site)}


def test_everything_is_available_with_every_device_in_office_hours() -> None:
    assert set(_reasons(EVERYTHING).values()) == {None}


@pytest.mark.parametrize(("down", "reason"), [
    (BACKEND, UnavailableReason.BACKEND), ("printer", UnavailableReason.PRINTER)])
def test_backend_or_printer_down_makes_everything_unavailable(down: str, reason: str) -> None:
    assert set(_reasons(EVERYTHING - {down}).values()) == {reason}


def test_binder_down_leaves_only_one_page_documents() -> None:
    catalogue = shipped_catalogue()
    for code, reason in _reasons(EVERYTHING - {"binder"}).items():
        multi_page = catalogue.get(code).typical_pages > 1
        assert reason == (UnavailableReason.BINDER if multi_page else None), code
    assert _reasons(EVERYTHING - {"binder"})["resident-abstract"] == "unavailable.binder"


def test_fingerprint_down_blocks_documents_that_check_identity() -> None:
    catalogue = shipped_catalogue()
    for code, reason in _reasons(EVERYTHING - {"fingerprint"}).items():
        document = catalogue.get(code)
        expected = UnavailableReason.FINGERPRINT if document.identity_required else None
        assert reason == expected, code


def test_card_reader_down_blocks_only_documents_that_cost_money() -> None:
    catalogue = shipped_catalogue()
    for code, reason in _reasons(EVERYTHING - {"card_reader"}).items():
        paid = catalogue.fee(code, "seoul-jongno") > 0
        assert reason == (UnavailableReason.PAYMENT if paid else None), code
    assert set(_reasons(EVERYTHING - {"card_reader"}, site="seoul-junggu").values()) == {None}


def test_hours_and_language_mode_are_reasons_too() -> None:
    saturday = _reasons(EVERYTHING, at=SATURDAY_10)
    assert saturday["family-relation"] == UnavailableReason.HOURS
    assert saturday["resident-copy"] is None
    english = _reasons(EVERYTHING, language="en")
    assert english["adoption-relation"] == UnavailableReason.LANGUAGE
    assert english["family-relation"] is None and english["land-register"] is None


def test_choices_carry_fee_pages_and_identity_for_the_screen() -> None:
    choices = shipped_catalogue().document_choices(
        "ko", usable_devices=EVERYTHING, now=MONDAY_10, site="seoul-jongno",
        fee_overrides={"resident-abstract": 0})
    by_code = {choice.code: choice for choice in choices}
    assert by_code["resident-copy"].fee_won == 200
    assert by_code["resident-abstract"].fee_won == 0
    assert by_code["resident-abstract"].typical_pages == 2
    assert by_code["land-register"].identity_required is False
    assert by_code["resident-copy"].name("en") == "Resident Registration Copy (household)"


def test_option_choice_falls_back_to_the_default() -> None:
    option = shipped_catalogue().get("resident-copy").option("address-history")
    assert option.to_choice({}).selected == "none"
    assert option.to_choice({"address-history": "bogus"}).selected == "none"
    chosen = option.to_choice({"address-history": "all"})
    assert chosen.selected == "all" and chosen.kind == "choice"
    assert chosen.value_labels["all"]["ko"] == "전체"


# ---------------------------------------------------------------------- validation


def _labels(text: str) -> dict[str, str]:
    return {language: f"{text} {language}" for language in LANGUAGES}


def _minimal() -> dict:
    yes_no = [{"value": "yes", "label": _labels("yes")}, {"value": "no", "label": _labels("no")}]
    return {
        "schema": 1,
        "holidays": ["2025-12-25"],
        "schedules": {"always": {"windows": [
            {"days": ["mon", "sun"], "start": "00:00", "end": "24:00"}]}},
        "documents": {"doc": {
            "category": "resident", "name": _labels("X"), "identity_required": True,
            "typical_pages": 1, "fee_won": 200, "options": [
                {"key": "history", "default": "no", "label": _labels("history"),
                 "values": yes_no}]}},
        "sites": {"site-a": {"fees": {"doc": 100}}},
    }


def test_minimal_catalogue_loads() -> None:
    catalogue = parse_catalogue(_minimal())
    assert catalogue.codes == ("doc",)
    assert catalogue.fee("doc", "site-a") == 100


def _set(data: dict, path: str, value: object) -> None:
    keys = re.findall(r"[^.\[\]]+", path)
    target = data
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    last: str | int = int(keys[-1]) if isinstance(target, list) else keys[-1]
    if value is _DELETE:
        del target[last]
    elif isinstance(target, list) and last == len(target):
        target.append(value)
    else:
        target[last] = value


_DELETE = object()


@pytest.mark.parametrize(("path", "value", "problem"), [
    ("documents.doc.fee_won", -1, "documents.doc.fee_won: must be >= 0, got -1"),
    ("documents.doc.fee_won", "free", "documents.doc.fee_won: must be an integer"),
    ("documents.doc.name.vi", _DELETE, "documents.doc.name.vi: missing translation"),
    ("documents.doc.name.vi", "  ", "documents.doc.name.vi: missing translation"),
    ("documents.doc.name.th", "X", "documents.doc.name.th: unknown language"),
    ("documents.doc.category", "food", "documents.doc.category: must be one of"),
    ("documents.doc.typical_pages", 0, "documents.doc.typical_pages: must be >= 1"),
    ("documents.doc.identity_required", _DELETE,
     "documents.doc.identity_required: missing required key"),
    ("documents.doc.colour", "red", "documents.doc.colour: unknown key"),
    ("documents.doc.schedule", "nope", "documents.doc.schedule: unknown schedule 'nope'"),
    ("documents.doc.languages", ["en"], "documents.doc.languages: every document is offered"),
    ("documents.doc.languages", ["ko", "th"], "documents.doc.languages: unknown language 'th'"),
    ("documents.doc.options.0.default", "maybe",
     "documents.doc.options[0].default: 'maybe' is not one of its values"),
    ("documents.doc.options.0.values.1", _DELETE,
     "documents.doc.options[0].values: an option needs at least two values"),
    ("documents.doc.options.0.values.1.label.ja", _DELETE,
     "documents.doc.options[0].values[1].label.ja: missing translation"),
    ("documents.doc.options.0.values.1.value", "yes", "documents.doc.options[0].values: duplicate"),
    ("documents.doc.options.0.key", "Bad Key", "documents.doc.options[0].key: must match"),
    ("documents.doc.options.0.kind", "number", "documents.doc.options[0].kind: must be one of"),
    ("documents.doc.options.0.kind", "text", "documents.doc.options[0].values: a text option"),
    ("documents.doc.options.1", {"key": "place", "kind": "text", "label": _labels("p")},
     "documents.doc.options[1].max_length: a text option needs a length"),
    ("documents.doc.options.1", {"key": "place", "kind": "text", "max_length": 101,
                                 "label": _labels("p")},
     "documents.doc.options[1].max_length: must be <= 100"),
    ("documents.doc.options.1", {"key": "place", "kind": "text", "max_length": 9,
                                 "required_when": {"history": "maybe"}, "label": _labels("p")},
     "documents.doc.options[1].required_when.history: not a value of a choice option"),
    ("schedules.always.windows.0.start", "25:00",
     "schedules.always.windows[0].start: must match"),
    ("schedules.always.windows.0.end", "00:00",
     "schedules.always.windows[0]: start 00:00 must be before end 00:00"),
    ("schedules.always.windows.0.days", ["funday"],
     "schedules.always.windows[0].days[0]: must be one of"),
    ("schedules.always.windows", [], "schedules.always.windows: a schedule needs"),
    ("holidays", ["2025-02-30"], "holidays[0]: not a calendar date"),
    ("sites.site-a.fees.y", 10, "sites.site-a.fees.y: not a document of the catalogue"),
    ("sites.site-a.fees.doc", -5, "sites.site-a.fees.doc: must be >= 0"),
    ("sites.S S", {}, "sites.S S: not a site slug"),
    ("schema", 2, "schema: must be <= 1, got 2"),
    ("documents", {}, "documents: the catalogue lists no document"),
])
def test_validation_names_the_key_path(path: str, value: object, problem: str) -> None:
    data = _minimal()
    _set(data, path, value)
    with pytest.raises(ConfigError) as caught:
        parse_catalogue(data)
    assert any(found.startswith(problem) for found in caught.value.problems), \
        caught.value.problems


def test_bad_document_code_and_every_problem_at_once() -> None:
    data = _minimal()
    data["documents"]["X_1"] = copy.deepcopy(data["documents"]["doc"])
    data["documents"]["doc"]["fee_won"] = -1
    with pytest.raises(ConfigError) as caught:
        parse_catalogue(data)
    problems = caught.value.problems
    assert any(p.startswith("documents.X_1: not a document code") for p in problems)
    assert any(p.startswith("documents.doc.fee_won:") for p in problems)


def test_load_reports_missing_files_bad_toml_and_bad_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="catalogue file not found"):
        load_catalogue(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("schema = = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_catalogue(broken)
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = 1\n[schedules.always]\nwindows = []\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_catalogue(bad)
    assert "documents: missing required key" in caught.value.problems


def test_unknown_time_zone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"kiosk\.timezone"):
        parse_catalogue(_minimal(), timezone="Mars/Olympus")
