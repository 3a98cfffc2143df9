"""Every character of every translated string has a glyph in the font used for it, checked
against the font files' cmaps with fontTools (independently of the FreeType probe the UI uses
to pick a font), and every text on every sample screen is drawn with a font that has it."""

from __future__ import annotations

from functools import cache

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont

from kiosk.config import LANGUAGES
from kiosk.screens.fonts import FACES, FONTS_DIR, LANGUAGE_FACES
from kiosk.screens.i18n import ENDONYMS, LOCALE_DIR
from kiosk.screens.pages.keyboard import ROWS
from kiosk.screens.samples import SAMPLE_DOCUMENTS, SAMPLE_OPTIONS, STATES

from .helpers import layout_for

#: Characters drawn as nothing: spaces and the line break.
BLANK = frozenset(" \n\u00a0")


@cache
def cmap(face: str, bold: bool = False) -> frozenset[int]:
    regular, bold_file = FACES[face]
    name = bold_file if bold and bold_file else regular
    return frozenset(TTFont(FONTS_DIR / name, lazy=True).getBestCmap())


def missing(text: str, face: str, bold: bool = False) -> set[str]:
    return {c for c in text if c not in BLANK and ord(c) not in cmap(face, bold)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translated_string_has_glyphs_in_its_language_font(language: str) -> None:
    face = LANGUAGE_FACES[language]
    with open(LOCALE_DIR / language / "LC_MESSAGES" / "kiosk.po", "rb") as handle:
        catalogue = read_po(handle, locale=language)
    gaps = {}
    for message in catalogue:
        if not message.id:
            continue
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in texts:
            for bold in (False, True):
                lacking = missing(text, face, bold)
                if lacking:
                    gaps[text] = "".join(sorted(lacking))
    assert not gaps, f"{language} ({face}) lacks glyphs: {gaps}"


def test_language_names_and_sample_content_have_glyphs_in_their_own_font() -> None:
    for code, name in ENDONYMS.items():
        assert not missing(name, LANGUAGE_FACES[code]), name
    for document in SAMPLE_DOCUMENTS:
        for code, name in document.names.items():
            assert not missing(name, LANGUAGE_FACES[code]), name
    for option in SAMPLE_OPTIONS:
        for code, label in option.labels.items():
            assert not missing(label, LANGUAGE_FACES[code]), label


def test_the_check_does_find_a_missing_glyph() -> None:
    assert missing("Tiếng Việt", "hangul") == {"ế", "ệ"}, "NanumGothic lacks Vietnamese marks"
    assert missing("请", "latin") == {"请"}


def test_keyboard_keys_have_glyphs_in_the_korean_font() -> None:
    assert not missing("".join(ROWS), "hangul", bold=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_on_every_screen_is_drawn_with_a_font_that_has_it(fonts, language) -> None:
    gaps = []
    for state in STATES:
        layout = layout_for(fonts, state, language, "default")
        for widget in layout.widgets:
            for line in widget.lines:
                lacking = missing(line, widget.face, widget.bold)
                if lacking:
                    gaps.append(f"{state}: {widget.id} {line!r} lacks {sorted(lacking)}")
    assert not gaps, "\n".join(gaps[:20])


def test_shipped_cjk_subsets_are_small_and_single_face() -> None:
    for face in ("hans", "japanese"):
        path = FONTS_DIR / FACES[face][0]
        assert path.stat().st_size < 4_000_000, path
        assert len(cmap(face)) > 7000
    assert ord("请") in cmap("hans") and ord("証") in cmap("japanese")
