"""Icons drawn with ``pygame.draw`` so that no emoji or symbol font is needed (the shipped
fonts have no glyph fallback, reference/kiosk-domain.md §6.6). Each icon fills a square box in
one colour; ``back`` is the colour behind it for cut-outs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pygame

from kiosk.screens.theme import Color

Box = tuple[int, int, int]  # x, y, size


def _line(surface: pygame.Surface, color: Color, a: tuple[float, float],
          b: tuple[float, float], width: int) -> None:
    pygame.draw.line(surface, color, (round(a[0]), round(a[1])), (round(b[0]), round(b[1])),
                     max(1, width))


def _speaker(surface: pygame.Surface, color: Color, box: Box, waves: int) -> None:
    x, y, s = box
    body = [(x + 0.08 * s, y + 0.38 * s), (x + 0.28 * s, y + 0.38 * s),
            (x + 0.5 * s, y + 0.18 * s), (x + 0.5 * s, y + 0.82 * s),
            (x + 0.28 * s, y + 0.62 * s), (x + 0.08 * s, y + 0.62 * s)]
    pygame.draw.polygon(surface, color, body)
    for i in range(waves):
        r = 0.16 * s + i * 0.14 * s
        rect = pygame.Rect(0, 0, 2 * r, 2 * r)
        rect.center = (round(x + 0.5 * s), round(y + 0.5 * s))
        pygame.draw.arc(surface, color, rect, -math.pi / 3.2, math.pi / 3.2, max(2, s // 14))


def speech(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    _speaker(surface, color, box, 3)


def contrast(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    center, radius = (x + s // 2, y + s // 2), round(s * 0.42)
    pygame.draw.circle(surface, color, center, radius, draw_top_left=True,
                       draw_bottom_left=True)
    pygame.draw.circle(surface, color, center, radius, max(2, s // 12))


def large_text(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    width = max(2, s // 12)
    for left, scale in ((0.02, 0.5), (0.38, 0.9)):
        base, top = y + 0.95 * s, y + (0.95 - scale * 0.9) * s
        half = scale * 0.32 * s
        mid = x + left * s + half
        _line(surface, color, (mid - half, base), (mid, top), width)
        _line(surface, color, (mid, top), (mid + half, base), width)
        bar = base - (base - top) * 0.38
        _line(surface, color, (mid - half * 0.6, bar), (mid + half * 0.6, bar), width)


def magnify(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    width = max(2, s // 10)
    pygame.draw.circle(surface, color, (round(x + 0.42 * s), round(y + 0.42 * s)),
                       round(0.3 * s), width)
    _line(surface, color, (x + 0.64 * s, y + 0.64 * s), (x + 0.95 * s, y + 0.95 * s),
          width + 2)
    _line(surface, color, (x + 0.28 * s, y + 0.42 * s), (x + 0.56 * s, y + 0.42 * s), width)
    _line(surface, color, (x + 0.42 * s, y + 0.28 * s), (x + 0.42 * s, y + 0.56 * s), width)


def low_reach(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    width = max(2, s // 10)
    _line(surface, color, (x + 0.5 * s, y + 0.05 * s), (x + 0.5 * s, y + 0.7 * s), width)
    pygame.draw.polygon(surface, color, [(x + 0.25 * s, y + 0.5 * s),
                                         (x + 0.75 * s, y + 0.5 * s), (x + 0.5 * s, y + 0.8 * s)])
    _line(surface, color, (x + 0.1 * s, y + 0.92 * s), (x + 0.9 * s, y + 0.92 * s), width)


def volume_down(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    _speaker(surface, color, (x - s // 8, y, s), 0)
    _line(surface, color, (x + 0.55 * s, y + 0.5 * s), (x + 0.95 * s, y + 0.5 * s),
          max(2, s // 10))


def volume_up(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    volume_down(surface, color, back, box)
    _line(surface, color, (x + 0.75 * s, y + 0.3 * s), (x + 0.75 * s, y + 0.7 * s),
          max(2, s // 10))


def fingerprint(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    width = max(3, s // 40)
    for i in range(6):
        w, h = s * (0.16 + 0.15 * i), s * (0.22 + 0.15 * i)
        rect = pygame.Rect(0, 0, round(w), round(h))
        rect.center = (x + s // 2, y + round(0.5 * s))
        gap = 0.45 - 0.04 * i + (0.25 if i % 2 else 0.0)
        pygame.draw.arc(surface, color, rect, -math.pi / 2 + gap, 3 * math.pi / 2 - gap, width)


def card(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    rect = pygame.Rect(round(x + 0.05 * s), round(y + 0.22 * s), round(0.9 * s),
                       round(0.58 * s))
    pygame.draw.rect(surface, color, rect, border_radius=max(2, s // 14))
    pygame.draw.rect(surface, back, (rect.x, rect.y + rect.h // 5, rect.w, rect.h // 6))
    chip = pygame.Rect(rect.x + rect.w // 10, rect.y + rect.h // 2, rect.w // 6, rect.h // 4)
    pygame.draw.rect(surface, back, chip, border_radius=max(1, s // 40))


def document(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    width = max(2, s // 18)
    page = pygame.Rect(round(x + 0.18 * s), round(y + 0.05 * s), round(0.64 * s),
                       round(0.9 * s))
    pygame.draw.rect(surface, color, page, width, border_radius=max(2, s // 20))
    for i in range(4):
        ly = page.y + page.h * (0.25 + 0.17 * i)
        _line(surface, color, (page.x + page.w * 0.18, ly), (page.right - page.w * 0.18, ly),
              width)


def receipt(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    left, right, top, bottom = x + 0.28 * s, x + 0.72 * s, y + 0.05 * s, y + 0.85 * s
    teeth = 5
    points = [(left, top), (right, top), (right, bottom)]
    for i in range(teeth * 2 + 1):
        px = right - (right - left) * i / (teeth * 2)
        points.append((px, bottom + (0.08 * s if i % 2 else 0)))
    pygame.draw.polygon(surface, color, [(round(a), round(b)) for a, b in points],
                        max(2, s // 18))
    for i in range(3):
        ly = top + (bottom - top) * (0.25 + 0.2 * i)
        _line(surface, color, (left + 0.08 * s, ly), (right - 0.08 * s, ly), max(2, s // 18))


def step_done(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    pygame.draw.circle(surface, color, (x + s // 2, y + s // 2), s // 2)
    _line(surface, back, (x + 0.27 * s, y + 0.52 * s), (x + 0.44 * s, y + 0.7 * s),
          max(3, s // 9))
    _line(surface, back, (x + 0.44 * s, y + 0.7 * s), (x + 0.75 * s, y + 0.32 * s),
          max(3, s // 9))


def step_current(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    pygame.draw.circle(surface, color, (x + s // 2, y + s // 2), s // 2)
    pygame.draw.circle(surface, back, (x + s // 2, y + s // 2), s // 5)


def step_pending(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
    x, y, s = box
    pygame.draw.circle(surface, color, (x + s // 2, y + s // 2), s // 2, max(3, s // 12))


def face(score: int) -> Callable[[pygame.Surface, Color, Color, Box], None]:
    """A face from very unhappy (1) to very happy (5)."""
    def draw(surface: pygame.Surface, color: Color, back: Color, box: Box) -> None:
        x, y, s = box
        width = max(3, s // 16)
        center = (x + s // 2, y + s // 2)
        pygame.draw.circle(surface, color, center, round(s * 0.46), width)
        for dx in (-0.16, 0.16):
            pygame.draw.circle(surface, color, (round(center[0] + dx * s),
                                                round(center[1] - 0.1 * s)), max(3, s // 16))
        curve = (score - 3) * 0.07 * s
        mouth_y = center[1] + 0.2 * s
        points = [(center[0] + t * 0.22 * s, mouth_y + curve * (1 - t * t))
                  for t in (-1, -0.5, 0, 0.5, 1)]
        pygame.draw.lines(surface, color, False, [(round(a), round(b)) for a, b in points],
                          width)
    return draw


ICONS: dict[str, Callable[[pygame.Surface, Color, Color, Box], None]] = {
    "speech": speech, "contrast": contrast, "large_text": large_text, "magnify": magnify,
    "low_reach": low_reach, "volume_down": volume_down, "volume_up": volume_up,
    "fingerprint": fingerprint, "card": card, "collect_card": card,
    "collect_document": document, "collect_receipt": receipt, "step_done": step_done,
    "step_current": step_current, "step_pending": step_pending,
    **{f"face{score}": face(score) for score in range(1, 6)},
}


def draw_icon(surface: pygame.Surface, name: str, color: Color, back: Color, box: Box) -> None:
    """Draw icon ``name``; unknown names draw nothing (a screen never depends on an icon)."""
    painter = ICONS.get(name)
    if painter is not None:
        painter(surface, color, back, box)
