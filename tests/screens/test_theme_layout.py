"""Every screen's layout, walked as data: contrast of every text/background pair, target
sizes and spacing, minimum text size, the low-reach layout, bounds at other resolutions."""

from __future__ import annotations

import pytest

from kiosk import view
from kiosk.config import THEMES
from kiosk.screens.frame import LOW_REACH_TOP_FRACTION, MIN_TEXT_PX, TARGET_MIN
from kiosk.screens.layout import Role, gap
from kiosk.screens.pages import SCREEN_VIEWS
from kiosk.screens.samples import STATES
from kiosk.screens.theme import (
    DEFAULT_PALETTE,
    HIGH_CONTRAST_PALETTE,
    MIN_COMPONENT_CONTRAST,
    contrast_ratio,
    resolve_theme,
)

from .helpers import all_cases, layout_for

#: Targets on a 1080x1920 panel must be at least this far apart (about 2 mm).
MIN_TARGET_GAP_PX = 8
CASES = list(all_cases())


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((255, 255, 255), (255, 255, 255)) == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is the lightest grey passing 4.5:1
    assert contrast_ratio((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio((0x77, 0x77, 0x77), (255, 255, 255)) < 4.5


def test_every_config_theme_resolves_and_toggles_combine() -> None:
    for name in THEMES:
        assert resolve_theme(name).name == name
    both = resolve_theme("default", high_contrast=True, large_text=True)
    assert both.high_contrast and both.text_scale > 1 and both.min_contrast == 7.0
    with pytest.raises(KeyError):
        resolve_theme("neon")


def test_every_screen_state_has_a_screen_class() -> None:
    assert set(SCREEN_VIEWS) == set(view.Screen)


@pytest.mark.parametrize("theme", THEMES)
def test_every_text_on_every_screen_meets_the_theme_contrast(fonts, theme: str) -> None:
    failures = []
    for case in (c for c in CASES if c.theme == theme):
        layout = layout_for(fonts, case.state, case.language, case.theme,
                            low_reach=case.low_reach)
        minimum = resolve_theme(theme).min_contrast
        for widget in layout.widgets:
            if widget.lines and contrast_ratio(widget.fg, widget.bg) < minimum:
                failures.append(f"{case}: {widget.id} {widget.fg} on {widget.bg} = "
                                f"{contrast_ratio(widget.fg, widget.bg):.2f}")
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("palette", [DEFAULT_PALETTE, HIGH_CONTRAST_PALETTE])
def test_focus_ring_stands_out_from_what_it_is_drawn_on(palette) -> None:
    """The ring is drawn around a control, over the screen or a dialog; its two tones also
    differ from each other, so it shows against any control it surrounds (WCAG 2.4.13)."""
    for surface in (palette.background, palette.surface):
        best = max(contrast_ratio(palette.focus_outer, surface),
                   contrast_ratio(palette.focus_inner, surface))
        assert best >= MIN_COMPONENT_CONTRAST, (surface, best)
    assert contrast_ratio(palette.focus_outer, palette.focus_inner) >= MIN_COMPONENT_CONTRAST


@pytest.mark.parametrize("state", STATES)
def test_targets_are_large_and_apart_and_text_is_large_enough(fonts, state: str) -> None:
    failures = []
    for case in (c for c in CASES if c.state == state):
        layout = layout_for(fonts, case.state, case.language, case.theme,
                            low_reach=case.low_reach)
        targets = [w for w in layout.widgets if w.focusable]
        for widget in targets:
            if widget.rect[2] < TARGET_MIN or widget.rect[3] < TARGET_MIN:
                failures.append(f"{case}: {widget.id} is {widget.rect[2]}x{widget.rect[3]}")
        for i, first in enumerate(targets):
            for second in targets[i + 1:]:
                if first.layer == second.layer and gap(first.rect, second.rect) < \
                        MIN_TARGET_GAP_PX:
                    failures.append(f"{case}: {first.id} and {second.id} are too close")
        for widget in layout.widgets:
            if widget.lines and widget.font_px < MIN_TEXT_PX:
                failures.append(f"{case}: {widget.id} text is {widget.font_px} px")
            x, y, w, h = widget.rect
            if x < 0 or y < 0 or x + w > layout.size[0] or y + h > layout.size[1]:
                failures.append(f"{case}: {widget.id} {widget.rect} is off the screen")
    assert not failures, "\n".join(failures[:20])


def test_text_lines_fit_inside_their_widgets(fonts) -> None:
    failures = []
    for case in CASES:
        if case.language not in ("vi", "ja") or case.low_reach:
            continue
        layout = layout_for(fonts, case.state, case.language, case.theme)
        for widget in layout.widgets:
            room = widget.rect[2] - 2 * widget.inset
            for line in widget.lines:
                width = fonts.width(line, widget.font_px, widget.bold, widget.face)
                if widget.role is not Role.FIELD and width > room + 1:
                    failures.append(f"{case}: {widget.id} line {line!r} is {width} > {room}")
    assert not failures, "\n".join(failures[:20])


def test_low_reach_layout_keeps_every_control_in_the_lower_part(fonts) -> None:
    failures = []
    for case in (c for c in CASES if c.low_reach):
        layout = layout_for(fonts, case.state, case.language, case.theme, low_reach=True)
        limit = round(layout.size[1] * LOW_REACH_TOP_FRACTION)
        failures += [f"{case}: {w.id} starts at y={w.rect[1]} < {limit}"
                     for w in layout.widgets if w.focusable and w.rect[1] < limit]
    assert not failures, "\n".join(failures[:20])


def test_normal_layout_does_put_controls_high_so_the_low_reach_check_means_something(fonts):
    layout = layout_for(fonts, "catalogue", "ko")
    limit = round(layout.size[1] * LOW_REACH_TOP_FRACTION)
    assert any(w.focusable and w.rect[1] < limit for w in layout.widgets)


@pytest.mark.parametrize("size", [(720, 1280), (1920, 1080), (1200, 1920)])
def test_other_resolutions_keep_everything_on_screen(fonts, size) -> None:
    for state in STATES:
        layout = layout_for(fonts, state, "vi", "large-text", size=size)
        assert layout.size == size
        for widget in layout.widgets:
            x, y, w, h = widget.rect
            assert x >= 0 and y >= 0 and x + w <= size[0] and y + h <= size[1], \
                (state, widget.id, widget.rect)


def test_magnified_layout_is_twice_the_size_of_the_screen(fonts) -> None:
    normal = layout_for(fonts, "identity", "ko")
    zoomed = layout_for(fonts, "identity", "ko", magnified=True)
    assert zoomed.size == (2 * normal.size[0], 2 * normal.size[1])
    key, big_key = normal.find("key.5"), zoomed.find("key.5")
    assert big_key.rect[2] >= 2 * key.rect[2] - 2 and big_key.font_px >= 2 * key.font_px - 1


def test_every_screen_but_service_mode_can_be_operated(fonts) -> None:
    for state in STATES:
        layout = layout_for(fonts, state, "en")
        if state == "service":
            assert layout.focusable() == ()
        else:
            assert layout.focusable(), state


def test_no_text_runs_under_a_control_or_off_the_body(fonts) -> None:
    failures = []
    for case in CASES:
        layout = layout_for(fonts, case.state, case.language, case.theme,
                            low_reach=case.low_reach)
        controls = [w for w in layout.widgets if w.focusable]
        for text in (w for w in layout.widgets if w.role in (Role.TEXT, Role.HEADING)
                     and not w.id.startswith("caption")):
            for control in controls:
                if control.layer == text.layer and gap(text.rect, control.rect) < 0:
                    failures.append(f"{case}: {text.id} runs under {control.id}")
    assert not failures, "\n".join(failures[:20])
