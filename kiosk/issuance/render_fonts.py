"""The Korean font of issued documents, registered with reportlab once per process.

NanumGothic (SIL Open Font License 1.1, shipped in ``kiosk/fonts``; see its README) covers
KS X 1001 Hangul and Latin. reportlab embeds only the glyphs a document uses (a subset), so a
page costs a few kilobytes of font data.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
REGULAR = "NanumGothic"
BOLD = "NanumGothic-Bold"
_FILES = {REGULAR: "NanumGothic.ttf", BOLD: "NanumGothicBold.ttf"}


@cache
def register_fonts() -> tuple[str, str]:
    """Register the regular and bold faces (first call parses the files) and return their names."""
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR,
                                  boldItalic=BOLD)
    return REGULAR, BOLD
