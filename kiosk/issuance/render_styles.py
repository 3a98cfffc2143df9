"""Per-category look of issued documents: header label, legal-basis line and colours.

The category is read from the catalogue code's prefix (``resident-copy`` -> resident), so new
catalogue entries get a fitting header without code changes; unknown prefixes get the generic
form. The colours follow the pale tints of Korean security paper (KOMSCO stock is pale green or
beige; kiosk-domain reference §1.7); the exact tints are ours.
"""

from __future__ import annotations

from dataclasses import dataclass

RGB = tuple[float, float, float]


@dataclass(frozen=True)
class CategoryStyle:
    """How one document category's header and background look."""

    name: str
    label: str  # the register's name in the header band, e.g. '주민등록'
    basis: str  # the small line above the title naming the register or law
    accent: RGB  # header band and rules
    tint: RGB  # background pattern ink
    band_text: RGB = (1.0, 1.0, 1.0)


GENERIC = CategoryStyle(
    name="generic", label="민원서류", basis="민원 처리에 관한 법률에 따른 무인민원발급 문서",
    accent=(0.20, 0.27, 0.36), tint=(0.80, 0.84, 0.88))

_STYLES: dict[str, CategoryStyle] = {
    "resident": CategoryStyle(
        name="resident", label="주민등록", basis="주민등록법에 따른 주민등록표",
        accent=(0.09, 0.32, 0.55), tint=(0.78, 0.86, 0.93)),
    "family": CategoryStyle(
        name="family", label="가족관계등록", basis="가족관계의 등록 등에 관한 법률에 따른 증명서",
        accent=(0.42, 0.18, 0.36), tint=(0.90, 0.82, 0.88)),
    "land": CategoryStyle(
        name="land", label="토지·임야", basis="공간정보의 구축 및 관리 등에 관한 법률에 따른 대장",
        accent=(0.22, 0.40, 0.20), tint=(0.82, 0.90, 0.80)),
    "building": CategoryStyle(
        name="building", label="건축물", basis="건축법에 따른 건축물대장",
        accent=(0.48, 0.30, 0.12), tint=(0.92, 0.86, 0.78)),
    "tax": CategoryStyle(
        name="tax", label="지방세", basis="지방세기본법에 따른 증명",
        accent=(0.55, 0.12, 0.12), tint=(0.93, 0.82, 0.80)),
}

# Catalogue code prefixes (the part before the first '-') that map to one category.
_PREFIX_ALIASES: dict[str, str] = {
    "resident": "resident",
    "family": "family", "basic": "family", "marriage": "family", "adoption": "family",
    "full": "family",
    "land": "land", "forest": "land",
    "building": "building",
    "tax": "tax", "local": "tax",
}


def style_for(document_code: str) -> CategoryStyle:
    """The header style of a catalogue code, by its prefix; generic when unknown."""
    prefix = document_code.split("-", 1)[0]
    category = _PREFIX_ALIASES.get(prefix)
    return _STYLES[category] if category else GENERIC
