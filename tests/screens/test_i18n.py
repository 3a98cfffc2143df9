"""The gettext catalogues: complete, NFC, placeholders kept, compiled files current, every
message key the core can send has a text, and money in each language's form."""

from __future__ import annotations

import ast
import gettext
import inspect
import io
import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import kiosk.errors
from kiosk import view
from kiosk.config import DEVICE_NAMES, LANGUAGES
from kiosk.screens.i18n import LOCALE_DIR, Translator, catalogue_path
from kiosk.screens.messages import FAMILY_FALLBACKS, KEYED_MESSAGES, SILENT_KEYS
from kiosk.session_service import BACKEND_REASON

KIOSK_DIR = Path(kiosk.errors.__file__).resolve().parent
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
#: String constants in the core shaped like a fingerprint hint key (device outcomes).
HINT_SHAPE = re.compile(r"fingerprint\.hint\.[a-z_]+")


def catalogue(language: str):
    with open(LOCALE_DIR / language / "LC_MESSAGES" / "kiosk.po", "rb") as handle:
        return read_po(handle, locale=language)


def strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_nfc_and_keeps_placeholders(language: str) -> None:
    with open(LOCALE_DIR / "kiosk.pot", "rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    translated = catalogue(language)
    assert {m.id for m in translated if m.id} == template, "run scripts/i18n"
    for message in translated:
        if not message.id:
            continue
        assert "fuzzy" not in message.flags, message.id
        for text in strings(message):
            assert text, f"{language}: {message.id!r} is not translated"
            assert unicodedata.is_normalized("NFC", text), message.id
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(ids(message)[-1])), \
                f"{language}: {message.id!r} -> {text!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_po_file(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, catalogue(language))
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)
    with open(catalogue_path(language), "rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    for message in catalogue(language):
        if message.id and not isinstance(message.id, tuple):
            assert shipped.gettext(message.id) == expected.gettext(message.id), \
                f"{language}: kiosk.mo is stale; run scripts/i18n compile"


def core_message_keys() -> dict[str, str]:
    """Every message key the core can put in a snapshot, and where it comes from."""
    keys: dict[str, str] = {}
    for _name, cls in inspect.getmembers(kiosk.errors, inspect.isclass):
        if issubclass(cls, kiosk.errors.KioskError):
            keys[cls.message_key] = f"kiosk.errors.{cls.__name__}"
    for enum in (view.FailureKey, view.NextStep, view.PaymentHint, view.RrnHint,
                 view.OptionHint, view.UnavailableReason):
        keys.update({member.value: f"view.{enum.__name__}" for member in enum})
    keys.update({f"fingerprint.hint.{m.value}": "view.FingerprintHint"
                 for m in view.FingerprintHint})
    keys.update({f"collect.{m.value}": "view.CollectItem" for m in view.CollectItem})
    keys.update({f"device.{name}": "session: device down" for name in DEVICE_NAMES})
    keys[BACKEND_REASON] = "session: backend down"
    for path in KIOSK_DIR.rglob("*.py"):
        if "screens" in path.relative_to(KIOSK_DIR).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    HINT_SHAPE.fullmatch(node.value):
                keys[node.value] = str(path.relative_to(KIOSK_DIR))
    return keys


def test_every_message_key_the_core_can_send_has_a_text() -> None:
    """A key added to the view enums, the errors or the fingerprint outcomes fails here
    until it has a text in kiosk/screens/messages.py (and so a translation)."""
    missing = {key: where for key, where in core_message_keys().items()
               if key not in KEYED_MESSAGES and key not in SILENT_KEYS}
    assert not missing, f"message keys without a text in kiosk/screens/messages.py: {missing}"


def test_every_keyed_text_is_translated_in_every_language() -> None:
    for language in LANGUAGES:
        translator = Translator(language)
        for key, source in KEYED_MESSAGES.items():
            if language != "en":
                assert translator.key(key) != source, f"{language}: {key} untranslated"


def test_unknown_key_shows_its_family_text_and_params_are_filled() -> None:
    korean = Translator("ko")
    assert korean.key("error.brand_new") == korean.key(FAMILY_FALLBACKS["error"])
    assert korean.key("fingerprint.hint.unheard_of") == \
        korean.key("fingerprint.hint.place_finger")
    assert korean.key("printer.paper_out") == korean.key("device.printer")
    assert korean.key("totally.unknown") == korean.key("error.generic")
    assert korean.key("next.none") == ""
    english = Translator("en")
    assert english.fmt("Page {page} of {pages}", page=2, pages=3) == "Page 2 of 3"
    assert english.fmt("Page {page} of {pages}", page=2) == "Page 2 of {pages}"


@pytest.mark.parametrize(("language", "expected"), [
    ("ko", "1,200원"), ("en", "₩1,200"), ("zh", "1,200韩元"), ("vi", "1.200\u00a0₩"),
    ("ja", "1,200ウォン")])
def test_money_is_written_the_local_way(language: str, expected: str) -> None:
    assert Translator(language).money(1200) == expected


def test_zero_fee_is_free_not_zero_won() -> None:
    assert Translator("ko").fee(0) == "무료"
    assert Translator("en").fee(0) == "Free"
    assert Translator("ko").fee(200) == "200원"


def test_translations_are_really_translated() -> None:
    assert Translator("ko")("Cancel") == "취소"
    assert Translator("zh")("Cancel") == "取消"
    assert Translator("ja")("Back") == "戻る"
    assert Translator("vi")("Help") == "Trợ giúp"
    assert Translator("ko").key("error.backend_unavailable") == \
        "시군구 서버 접속이 원활하지 않습니다."


def test_decomposed_input_comes_out_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Tiếng Việt 한국어")
    assert Translator("vi").key("error.x", {}) == Translator("vi")("Something went wrong.")
    assert unicodedata.is_normalized("NFC", Translator("vi").fmt("{x}", x=decomposed))


def test_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        Translator("fr")
