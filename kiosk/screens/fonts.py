"""Fonts shipped in ``kiosk/fonts`` (one per script), text measuring and line wrapping.

Follows reference/kiosk-domain.md §6.6: text is drawn with ``pygame.font`` (HarfBuzz shaping),
one single-face file per script because there is no glyph fallback; a string goes to the font
of its language when that font has every glyph, else to the first shipped font that has
them all (a Korean document name on the English screen is drawn with the Korean font).
Coverage is read with ``pygame.freetype`` (``get_metrics`` gives ``None`` for a missing glyph).
Wrapping breaks Latin, Vietnamese and Korean at spaces and Chinese and Japanese between
characters, keeping closing punctuation off the start of a line (JIS X 4051 kinsoku, simplified).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

import pygame
import pygame.freetype

LOG = logging.getLogger(__name__)

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"

#: face name -> (regular file, bold file or None for synthetic bold). See kiosk/fonts/README.md.
FACES: Mapping[str, tuple[str, str | None]] = MappingProxyType({
    "hangul": ("NanumGothic.ttf", "NanumGothicBold.ttf"),
    "latin": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "hans": ("NotoSansSC-Regular.otf", None),
    "japanese": ("NotoSansJP-Regular.otf", None),
})
#: UI language -> the face its text is drawn with.
LANGUAGE_FACES: Mapping[str, str] = MappingProxyType({
    "ko": "hangul", "en": "latin", "vi": "latin", "zh": "hans", "ja": "japanese",
})
#: Order in which faces are tried for text its language's face cannot draw.
FALLBACK_ORDER = ("latin", "hangul", "hans", "japanese")

#: May not begin a line (closing brackets, stops, small kana, prolonged sound mark).
_NO_LINE_START = frozenset(
    ")]}>,.!?:;%'\"、。，．・：；？！ー゛゜）〕］｝〉》」』】〙〗々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
    "～…‥”’")
#: May not end a line (opening brackets).
_NO_LINE_END = frozenset("([{<（〔［｛〈《「『【〘〖“‘")


def is_wide(char: str) -> bool:
    """True for characters between which Chinese and Japanese text may break."""
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFF60
            or 0x3000 <= code <= 0x303F or 0x20000 <= code <= 0x2FFFF)


def _tokens(paragraph: str) -> list[str]:
    """Split into unbreakable pieces; spaces stay at the end of the piece before them."""
    tokens: list[str] = []
    current = ""
    for char in paragraph:
        if char == " ":
            current += char
            continue
        breakable_before = (current.endswith(" ") or is_wide(char)
                            or (current != "" and is_wide(current[-1])))
        if current and breakable_before and char not in _NO_LINE_START \
                and current[-1] not in _NO_LINE_END:
            tokens.append(current)
            current = ""
        current += char
    if current:
        tokens.append(current)
    return tokens


def wrap(text: str, max_width: int, width_of: Callable[[str], int]) -> tuple[str, ...]:
    """Break ``text`` into lines no wider than ``max_width`` (a piece wider than a whole line
    is cut between characters). Explicit newlines are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph):
            candidate = line + token
            if width_of(candidate.rstrip()) <= max_width or not line:
                line = candidate
            else:
                lines.append(line.rstrip())
                line = token
            while width_of(line.rstrip()) > max_width and len(line.rstrip()) > 1:
                cut = len(line)
                while cut > 1 and width_of(line[:cut]) > max_width:
                    cut -= 1
                lines.append(line[:cut].rstrip())
                line = line[cut:]
        lines.append(line.rstrip())
    return tuple(lines)


class FontBook:
    """Loaded fonts by (face, size, bold), with measuring and glyph coverage; UI thread only."""

    def __init__(self, fonts_dir: Path = FONTS_DIR) -> None:
        self.fonts_dir = fonts_dir
        if not pygame.font.get_init():
            pygame.font.init()
        if not pygame.freetype.get_init():
            pygame.freetype.init()
        self._fonts: dict[tuple[str, int, bool], pygame.font.Font] = {}
        self._coverage: dict[str, pygame.freetype.Font] = {}
        self._covered: dict[tuple[str, str], bool] = {}
        self._face_of: dict[tuple[str, str], str] = {}
        self._widths: dict[tuple[str, int, bool, str], int] = {}

    def path(self, face: str, bold: bool = False) -> Path:
        regular, bold_file = FACES[face]
        return self.fonts_dir / (bold_file if bold and bold_file else regular)

    def font(self, face: str, px: int, bold: bool = False) -> pygame.font.Font:
        key = (face, px, bold)
        font = self._fonts.get(key)
        if font is None:
            font = pygame.font.Font(self.path(face, bold), px)
            if bold and FACES[face][1] is None:
                font.set_bold(True)
            self._fonts[key] = font
        return font

    def covers(self, face: str, text: str) -> bool:
        """True if ``face`` has a glyph for every character of ``text`` (spaces aside)."""
        probe = self._coverage.get(face)
        if probe is None:
            probe = pygame.freetype.Font(self.path(face), size=16)
            self._coverage[face] = probe
        for char in set(text) - {" ", "\n"}:
            known = self._covered.get((face, char))
            if known is None:
                known = probe.get_metrics(char)[0] is not None
                self._covered[(face, char)] = known
            if not known:
                return False
        return True

    def face_for(self, text: str, language: str) -> str:
        """The face ``text`` is drawn with when shown on a screen in ``language``."""
        key = (language, text)
        face = self._face_of.get(key)
        if face is None:
            preferred = LANGUAGE_FACES[language]
            candidates = (preferred, *[f for f in FALLBACK_ORDER if f != preferred])
            face = next((f for f in candidates if self.covers(f, text)), None)
            if face is None:
                LOG.warning("no shipped font draws every character of a %s string", language)
                face = preferred
            if len(self._face_of) > 4096:
                self._face_of.clear()
            self._face_of[key] = face
        return face

    def width(self, text: str, px: int, bold: bool, face: str) -> int:
        key = (face, px, bold, text)
        width = self._widths.get(key)
        if width is None:
            width = self.font(face, px, bold).size(text)[0]
            if len(self._widths) > 8192:
                self._widths.clear()
            self._widths[key] = width
        return width

    def line_height(self, px: int, face: str) -> int:
        return self.font(face, px).get_linesize()

    def wrap(self, text: str, px: int, bold: bool, face: str, max_width: int) -> tuple[str, ...]:
        return wrap(text, max_width, lambda s: self.width(s, px, bold, face))

    def forget_texts(self) -> None:
        """Drop cached measurements of shown strings (called when a citizen's session ends)."""
        self._face_of.clear()
        self._widths.clear()
