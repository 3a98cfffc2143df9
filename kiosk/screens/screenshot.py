"""Render any screen headless to a PNG with sample content (``kiosk screenshot``).

Uses the same layout and renderer as the running UI, at the configured resolution (1080x1920
unless the config says otherwise), with the sample snapshots of :mod:`kiosk.screens.samples`.
Needs no display: text is drawn with ``pygame.font`` on an off-screen surface.
"""

from __future__ import annotations

from pathlib import Path

import pygame

from kiosk.config import LANGUAGES, THEMES, UiConfig
from kiosk.screens.fonts import FontBook
from kiosk.screens.pages import build_layout
from kiosk.screens.render import Renderer
from kiosk.screens.samples import STATES, sample_snapshot
from kiosk.screens.state import UiState
from kiosk.screens.theme import resolve_theme


def render_screenshot(state: str, language: str, theme: str, *,
                      ui_config: UiConfig | None = None, magnified: bool = False,
                      low_reach: bool = False, focus_id: str | None = None,
                      fonts: FontBook | None = None) -> pygame.Surface:
    """The frame the kiosk would show for sample ``state`` in ``language`` and ``theme``.

    Raises:
        ValueError: unknown state, language or theme.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; one of {', '.join(LANGUAGES)}")
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; one of {', '.join(THEMES)}")
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}; one of {', '.join(STATES)}")
    config = ui_config or UiConfig()
    size = (config.width_px, config.height_px)
    fonts = fonts or FontBook()
    ui = UiState(magnified=magnified, low_reach=low_reach, keypad_mode=focus_id is not None,
                 focus_id=focus_id)
    resolved = resolve_theme(theme)
    layout = build_layout(sample_snapshot(state, language), ui, theme=resolved, fonts=fonts,
                          size=size, now=0.0)
    offset = (0, 0)
    if magnified and focus_id is not None:
        focused = layout.find(focus_id)
        if focused is not None:
            offset = (max(0, min(layout.size[0] - size[0], focused.rect[0] - size[0] // 4)),
                      max(0, min(layout.size[1] - size[1], focused.rect[1] - size[1] // 2)))
    surface = pygame.Surface(size)
    Renderer(fonts).draw(surface, layout, resolved.palette, focus_id=focus_id, offset=offset)
    return surface


def save_screenshot(path: str | Path, state: str, language: str, theme: str, **options: object
                    ) -> Path:
    """Render and write a PNG; returns the path written."""
    surface = render_screenshot(state, language, theme, **options)  # type: ignore[arg-type]
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(surface, str(target))
    return target
