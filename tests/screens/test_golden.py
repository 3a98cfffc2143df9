"""Golden images: every screen in Korean and English and in the high-contrast theme, rendered
headless at 1080x1920 and compared with the committed PNGs in tests/screens/golden/ within a
small tolerance. The references are regenerated only on purpose (``make golden`` sets
KIOSK_REGENERATE_GOLDEN=1); a person then looks at the diff before committing them."""

from __future__ import annotations

import os
from pathlib import Path

import pygame
import pytest

from kiosk.screens.samples import STATES
from kiosk.screens.screenshot import render_screenshot

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
REGENERATE = os.environ.get("KIOSK_REGENERATE_GOLDEN") == "1"
#: A pixel differs if its colour moved by more than this (0..1; anti-aliasing jitter is less).
PIXEL_DISTANCE = 0.1
#: At most this share of pixels may differ (0.1 % of 1080x1920 is about 2,000 pixels, less
#: than one changed word).
MAX_DIFFERENT_SHARE = 0.001
VARIANTS = [("ko", "default"), ("en", "default"), ("ko", "high-contrast")]
CASES = [(state, language, theme) for state in STATES for language, theme in VARIANTS]


def different_pixels(actual: pygame.Surface, expected: pygame.Surface
                     ) -> tuple[int, pygame.Rect]:
    """How many pixels differ by more than PIXEL_DISTANCE, and where."""
    compared = pygame.PixelArray(actual).compare(pygame.PixelArray(expected),
                                                 distance=PIXEL_DISTANCE)
    surface = compared.make_surface()
    compared.close()
    mask = pygame.mask.from_threshold(surface, (0, 0, 0), (1, 1, 1, 255))
    rects = mask.get_bounding_rects()
    bounds = rects[0].unionall(rects[1:]) if rects else pygame.Rect(0, 0, 0, 0)
    return mask.count(), bounds


@pytest.mark.parametrize(("state", "language", "theme"), CASES,
                         ids=[f"{s}-{lang}-{t}" for s, lang, t in CASES])
def test_golden_screen(fonts, tmp_path, state: str, language: str, theme: str) -> None:
    path = GOLDEN_DIR / f"{state}-{language}-{theme}.png"
    actual = render_screenshot(state, language, theme, fonts=fonts)
    if REGENERATE:
        GOLDEN_DIR.mkdir(exist_ok=True)
        pygame.image.save(actual, str(path))
        return
    assert path.exists(), f"{path.name} is missing: run `make golden` and review the images"
    expected = pygame.image.load(str(path))
    assert expected.get_size() == actual.get_size()
    same_format = pygame.Surface(actual.get_size(), 0, actual)
    same_format.blit(expected, (0, 0))
    count, where = different_pixels(actual, same_format)
    if count > MAX_DIFFERENT_SHARE * actual.get_width() * actual.get_height():
        pygame.image.save(actual, str(tmp_path / path.name))
        pytest.fail(f"{path.name}: {count} pixels differ, within {where}; the new rendering "
                    f"is {tmp_path / path.name}")


def test_comparison_catches_a_one_word_change(fonts) -> None:
    korean = render_screenshot("fee", "ko", "default", fonts=fonts)
    english = render_screenshot("fee", "en", "default", fonts=fonts)
    assert different_pixels(korean, korean.copy())[0] == 0
    count, where = different_pixels(korean, english)
    assert count > MAX_DIFFERENT_SHARE * 1080 * 1920 and where.width > 0
