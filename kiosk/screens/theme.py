"""Colour themes and type scale for the citizen screens, with the WCAG contrast arithmetic.

Follows WCAG 2.2 (relative luminance and contrast ratio, SC 1.4.3 / 1.4.6 / 1.4.11) and the
Korean kiosk accessibility numbers in reference/kiosk-domain.md §2: text against its
background at least 4.5:1 (7:1 in the high-contrast theme), UI component outlines such as the
focus ring at least 3:1, text at least 4.8 mm (capital height) and a large-text mode.

Pure: no pygame. Colours are ``(r, g, b)`` tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

Color = tuple[int, int, int]

#: WCAG 2.2 SC 1.4.3: normal text against its background.
MIN_TEXT_CONTRAST = 4.5
#: WCAG 2.2 SC 1.4.6 (AAA), required of the high-contrast theme by the kiosk issue.
MIN_TEXT_CONTRAST_HIGH = 7.0
#: WCAG 2.2 SC 1.4.11: focus indicators and other UI component boundaries.
MIN_COMPONENT_CONTRAST = 3.0
#: Large-text theme: type scale factor (the MSIT 2025 draft asks for much larger text than
#: the 4.8 mm minimum; 1.4 keeps every screen on one page at 1080x1920).
LARGE_TEXT_SCALE = 1.4


def relative_luminance(color: Color) -> float:
    """WCAG 2.2 relative luminance of an sRGB colour (0 black .. 1 white)."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = color
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(first: Color, second: Color) -> float:
    """WCAG 2.2 contrast ratio, 1..21, symmetric."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Palette:
    """Every colour a screen uses, as foreground/background pairs that tests check."""

    background: Color
    text: Color
    muted_text: Color
    header_bg: Color
    header_text: Color
    surface: Color            # cards and panels on the background
    primary_bg: Color
    primary_text: Color
    secondary_bg: Color
    secondary_text: Color
    secondary_border: Color
    danger_bg: Color
    danger_text: Color
    selected_bg: Color
    selected_text: Color
    pressed_bg: Color
    pressed_text: Color
    disabled_bg: Color
    disabled_text: Color
    banner_bg: Color
    banner_text: Color
    error_bg: Color
    error_text: Color
    field_bg: Color
    field_text: Color
    progress_track: Color
    progress_fill: Color
    focus_outer: Color
    focus_inner: Color
    scrim: tuple[int, int, int, int]


@dataclass(frozen=True)
class Theme:
    """A palette plus a type scale; ``min_contrast`` is what the tests hold its text to."""

    name: str
    palette: Palette
    text_scale: float
    min_contrast: float
    high_contrast: bool


DEFAULT_PALETTE = Palette(
    background=(244, 246, 249),
    text=(23, 28, 38),
    muted_text=(70, 79, 94),
    header_bg=(11, 58, 126),
    header_text=(255, 255, 255),
    surface=(255, 255, 255),
    primary_bg=(11, 87, 208),
    primary_text=(255, 255, 255),
    secondary_bg=(255, 255, 255),
    secondary_text=(23, 28, 38),
    secondary_border=(96, 106, 122),
    danger_bg=(179, 38, 30),
    danger_text=(255, 255, 255),
    selected_bg=(0, 92, 62),
    selected_text=(255, 255, 255),
    pressed_bg=(6, 45, 110),
    pressed_text=(255, 255, 255),
    disabled_bg=(226, 230, 236),
    disabled_text=(70, 78, 92),
    banner_bg=(255, 236, 179),
    banner_text=(77, 50, 0),
    error_bg=(253, 232, 230),
    error_text=(140, 20, 14),
    field_bg=(255, 255, 255),
    field_text=(23, 28, 38),
    progress_track=(206, 213, 224),
    progress_fill=(11, 87, 208),
    focus_outer=(23, 28, 38),
    focus_inner=(255, 200, 0),
    scrim=(10, 14, 22, 170),
)

HIGH_CONTRAST_PALETTE = Palette(
    background=(0, 0, 0),
    text=(255, 255, 255),
    muted_text=(255, 255, 255),
    header_bg=(0, 0, 0),
    header_text=(255, 221, 0),
    surface=(0, 0, 0),
    primary_bg=(255, 221, 0),
    primary_text=(0, 0, 0),
    secondary_bg=(0, 0, 0),
    secondary_text=(255, 255, 255),
    secondary_border=(255, 255, 255),
    danger_bg=(255, 160, 150),
    danger_text=(0, 0, 0),
    selected_bg=(0, 230, 255),
    selected_text=(0, 0, 0),
    pressed_bg=(255, 255, 255),
    pressed_text=(0, 0, 0),
    disabled_bg=(0, 0, 0),
    disabled_text=(200, 200, 200),
    banner_bg=(255, 221, 0),
    banner_text=(0, 0, 0),
    error_bg=(0, 0, 0),
    error_text=(255, 190, 180),
    field_bg=(0, 0, 0),
    field_text=(255, 255, 255),
    progress_track=(90, 90, 90),
    progress_fill=(255, 221, 0),
    focus_outer=(255, 255, 255),
    focus_inner=(0, 95, 210),
    scrim=(0, 0, 0, 215),
)

_BASE_THEMES = {
    "default": Theme("default", DEFAULT_PALETTE, 1.0, MIN_TEXT_CONTRAST, False),
    "high-contrast": Theme("high-contrast", HIGH_CONTRAST_PALETTE, 1.0,
                           MIN_TEXT_CONTRAST_HIGH, True),
    "large-text": Theme("large-text", DEFAULT_PALETTE, LARGE_TEXT_SCALE, MIN_TEXT_CONTRAST,
                        False),
}


def resolve_theme(base: str, *, high_contrast: bool = False,
                  large_text: bool = False) -> Theme:
    """The configured theme with the citizen's toggles applied on top.

    Raises:
        KeyError: ``base`` is not one of ``kiosk.config.THEMES``.
    """
    theme = _BASE_THEMES[base]
    if high_contrast and not theme.high_contrast:
        theme = replace(_BASE_THEMES["high-contrast"], text_scale=theme.text_scale)
    if large_text and theme.text_scale < LARGE_TEXT_SCALE:
        theme = replace(theme, text_scale=LARGE_TEXT_SCALE)
    name = theme.name
    if theme.high_contrast and theme.text_scale > 1:
        name = "high-contrast+large-text"
    return replace(theme, name=name)


def blend(top: Color, bottom: Color, alpha: int) -> Color:
    """``top`` drawn over ``bottom`` with opacity ``alpha`` (0..255)."""
    return tuple(round((t * alpha + b * (255 - alpha)) / 255)
                 for t, b in zip(top, bottom, strict=True))  # type: ignore[return-value]
