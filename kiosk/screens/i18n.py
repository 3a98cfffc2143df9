"""Translations for the citizen screens: gettext catalogues, money and numbers, NFC text.

Catalogues are GNU gettext ``kiosk.mo`` files under ``kiosk/screens/locale/<lang>/LC_MESSAGES``
(extracted, updated and compiled by ``scripts/i18n`` with Babel). Source strings (msgids) are
English. Keys sent by the core are looked up in :mod:`kiosk.screens.messages` first.

Money follows reference/kiosk-domain.md §6.9: Korean kiosks show ``1,200원`` (not Babel's
``₩1,200``), so the currency pattern is itself a translatable string and the amount is
formatted with Babel's ``format_decimal`` for the language's digit grouping. Every string that
leaves this module is NFC-normalised (§6.6: decomposed Vietnamese marks render wrongly).
"""

from __future__ import annotations

import gettext
import logging
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from babel.numbers import format_decimal

from kiosk.config import LANGUAGES
from kiosk.screens.messages import KEYED_MESSAGES, N_, SILENT_KEYS, fallback_key

LOG = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "kiosk"
#: Babel locale used for number formatting per UI language (CLDR identifiers).
BABEL_LOCALES: Mapping[str, str] = {
    "ko": "ko_KR", "en": "en_US", "zh": "zh_Hans_CN", "vi": "vi_VN", "ja": "ja_JP",
}
#: Each language's name in itself, as the language buttons show it (never translated).
ENDONYMS: Mapping[str, str] = {
    "ko": "한국어", "en": "English", "zh": "中文(简体)", "vi": "Tiếng Việt", "ja": "日本語",
}

_warned_keys: set[str] = set()


def nfc(text: str) -> str:
    """The NFC form of ``text`` (precomposed Hangul syllables and Vietnamese letters)."""
    return unicodedata.normalize("NFC", text)


class SafeParams(dict[str, str]):
    """``str.format_map`` parameters that leave unknown placeholders visible but harmless."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Translator:
    """Translate one language's strings; ``tr("Cancel")`` or ``tr.key("error.generic")``."""

    def __init__(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}; one of {LANGUAGES}")
        self.language = language
        self._catalogue = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language],
                                              fallback=language == "en")

    def __call__(self, message: str) -> str:
        return nfc(self._catalogue.gettext(message))

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return nfc(self._catalogue.ngettext(singular, plural, count))

    def fmt(self, message: str, **params: object) -> str:
        """Translate ``message`` and fill its ``{name}`` placeholders."""
        return nfc(self(message).format_map(SafeParams({k: str(v) for k, v in params.items()})))

    def key(self, key: str, params: Mapping[str, str] | None = None) -> str:
        """The text of a core message key, in this language, with its parameters filled
        (an unknown key shows its family's text; ``next.none`` shows nothing)."""
        if key in SILENT_KEYS:
            return ""
        known = fallback_key(key)
        if known != key and key not in _warned_keys:
            _warned_keys.add(key)
            LOG.warning("no text for message key %s; showing %s instead", key, known)
        text = self(KEYED_MESSAGES[known])
        if params:
            text = text.format_map(SafeParams(params))
        return nfc(text)

    def number(self, value: int) -> str:
        return nfc(format_decimal(value, locale=BABEL_LOCALES[self.language]))

    def money(self, won: int) -> str:
        """An amount in won the way this language writes it: ``1,200원``, ``₩1,200``, ..."""
        # Translators: an amount in Korean won; keep {amount}. Korean kiosks write {amount}원
        return self.fmt("₩{amount}", amount=self.number(won))

    def fee(self, won: int) -> str:
        """A fee as shown on buttons: the amount, or 'Free' for 0 won (a normal fee, §1.4)."""
        return self(N_("Free")) if won == 0 else self.money(won)


@lru_cache(maxsize=len(LANGUAGES))
def translator(language: str) -> Translator:
    """The shared translator of ``language`` (catalogues are read once)."""
    return Translator(language)


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
