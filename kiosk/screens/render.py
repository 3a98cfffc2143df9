"""Draws a :class:`Layout` on a pygame surface, whole or only the regions that changed.

reference/kiosk-domain.md §6.4: the saving is in not presenting at all when nothing changed;
when something did, only the widgets that differ from the previous layout (plus everything
under and over them) are redrawn, clipped to their rectangles, and only those rectangles are
updated on the display. Rendered text lines are cached (§6.4 'cache text surfaces') and the
cache is flushed when a citizen's session ends.
"""

from __future__ import annotations

from collections import OrderedDict

import pygame

from kiosk.screens.fonts import FontBook
from kiosk.screens.icons import draw_icon
from kiosk.screens.layout import FILLED_ROLES, Layout, Rect, Role, Widget, inflate, intersects
from kiosk.screens.theme import Color, Palette

#: Above this share of the screen a partial redraw is no cheaper than a full one.
FULL_REDRAW_SHARE = 0.5
TEXT_CACHE_SIZE = 600
MAX_RADIUS_PX = 24
FOCUS_OUTER_PX = 6
FOCUS_INNER_PX = 5


class Renderer:
    """Stateless apart from the text cache; UI thread only."""

    def __init__(self, fonts: FontBook) -> None:
        self.fonts = fonts
        self._text: OrderedDict[tuple[object, ...], pygame.Surface] = OrderedDict()
        self._scrims: dict[tuple[int, int, tuple[int, int, int, int]], pygame.Surface] = {}

    def forget_texts(self) -> None:
        self._text.clear()

    def focus_margin(self, layout: Layout) -> int:
        scale = layout.size[0] / 1080
        return round((FOCUS_OUTER_PX + FOCUS_INNER_PX + 4) * max(1.0, scale))

    def draw(self, surface: pygame.Surface, layout: Layout, palette: Palette, *,
             focus_id: str | None = None, offset: tuple[int, int] = (0, 0),
             regions: list[Rect] | None = None) -> None:
        """Draw ``layout`` shifted by ``-offset``; only ``regions`` (screen coordinates) if
        given, else the whole surface."""
        areas = regions if regions is not None else [surface.get_rect()]
        focus = layout.find(focus_id) if focus_id else None
        margin = self.focus_margin(layout)
        for area in areas:
            surface.set_clip(area)
            surface.fill(layout.background, area)
            for widget in layout.widgets:
                rect = self._shift(widget.rect, offset)
                if widget.role is Role.SCRIM or intersects(inflate(rect, margin), area):
                    self._draw_widget(surface, widget, rect, palette, layout)
            if focus is not None:
                self._draw_focus(surface, self._shift(focus.rect, offset), palette, layout)
        surface.set_clip(None)

    def changed_regions(self, old: Layout | None, new: Layout, old_focus: str | None,
                        new_focus: str | None) -> list[Rect] | None:
        """Screen rectangles to redraw to turn ``old`` into ``new``; None means everything."""
        if old is None or old.size != new.size or old.background != new.background \
                or old.modal != new.modal:
            return None
        before = {w.id: w for w in old.widgets}
        after = {w.id: w for w in new.widgets}
        if [w.id for w in old.widgets if w.id in after] != \
                [w.id for w in new.widgets if w.id in before]:
            return None
        margin = self.focus_margin(new)
        regions: list[Rect] = []
        for widget_id in before.keys() | after.keys():
            a, b = before.get(widget_id), after.get(widget_id)
            if a != b:
                regions.extend(inflate(w.rect, margin) for w in (a, b) if w is not None)
        if old_focus != new_focus:
            regions.extend(inflate(w.rect, margin) for w in (old.find(old_focus),
                                                             new.find(new_focus)) if w)
        regions = list(dict.fromkeys(regions))
        area = sum(r[2] * r[3] for r in regions)
        if area > FULL_REDRAW_SHARE * new.size[0] * new.size[1]:
            return None
        return regions

    @staticmethod
    def _shift(rect: Rect, offset: tuple[int, int]) -> Rect:
        return rect[0] - offset[0], rect[1] - offset[1], rect[2], rect[3]

    def _draw_widget(self, surface: pygame.Surface, widget: Widget, rect: Rect,
                     palette: Palette, layout: Layout) -> None:
        scale = layout.size[0] / 1080
        radius = max(4, min(rect[3] // 8, round(MAX_RADIUS_PX * scale))) \
            if widget.role in FILLED_ROLES else 0
        border_px = max(2, round(3 * scale))
        if widget.role is Role.SCRIM:
            surface.blit(self._scrim(rect[2], rect[3], palette.scrim), rect[:2])
            return
        if widget.role is Role.PROGRESS:
            pygame.draw.rect(surface, widget.bg, rect, border_radius=rect[3] // 2)
            filled = round(rect[2] * max(0.0, min(1.0, widget.value or 0.0)))
            if filled:
                pygame.draw.rect(surface, widget.fg, (rect[0], rect[1], filled, rect[3]),
                                 border_radius=rect[3] // 2)
            return
        if widget.role is Role.PANEL and widget.icon:
            size = min(rect[2], rect[3])
            draw_icon(surface, widget.icon, widget.fg, widget.bg, (rect[0], rect[1], size))
            return
        if widget.role in FILLED_ROLES:
            pygame.draw.rect(surface, widget.bg, rect, border_radius=radius)
            if widget.border is not None:
                pygame.draw.rect(surface, widget.border, rect, border_px, border_radius=radius)
        if widget.icon and widget.role is not Role.PANEL:
            self._draw_button_icon(surface, widget, rect)
        if widget.selected:
            self._draw_check(surface, widget, rect)
        if widget.role is Role.FIELD:
            self._draw_cells(surface, widget, rect)
        elif widget.lines:
            self._draw_lines(surface, widget, rect)
        if widget.detail:
            self._draw_detail(surface, widget, rect, layout.language)

    def _icon_box(self, widget: Widget, rect: Rect) -> tuple[int, int, int]:
        text_h = widget.line_px * len(widget.lines)
        size = widget.icon_px
        top = rect[1] + (rect[3] - size - text_h - widget.inset // 2) // 2
        return rect[0] + (rect[2] - size) // 2, top, size

    def _draw_button_icon(self, surface: pygame.Surface, widget: Widget, rect: Rect) -> None:
        draw_icon(surface, widget.icon or "", widget.fg, widget.bg, self._icon_box(widget, rect))

    def _draw_check(self, surface: pygame.Surface, widget: Widget, rect: Rect) -> None:
        """A tick in the corner of a selected button: state not by colour alone (WCAG 1.4.1)."""
        size = max(16, min(rect[2] // 5, rect[3] // 3, 44))
        box = (rect[0] + rect[2] - size - size // 3, rect[1] + size // 3, size)
        draw_icon(surface, "step_done", widget.fg, widget.bg, box)

    def _draw_lines(self, surface: pygame.Surface, widget: Widget, rect: Rect) -> None:
        x, y, w, h = rect
        text_h = widget.line_px * len(widget.lines)
        if widget.role in FILLED_ROLES:
            top = y + (h - text_h) // 2
            if widget.icon:
                box = self._icon_box(widget, rect)
                top = box[1] + box[2] + widget.inset // 2
            inset = widget.inset
        else:
            top, inset = y, 0
        font = self.fonts.font(widget.face, widget.font_px, widget.bold)
        for index, line in enumerate(widget.lines):
            if not line:
                continue
            image = self._render_line(font, line, widget)
            if widget.align == "center":
                left = x + (w - image.get_width()) // 2
            elif widget.align == "right":
                left = x + w - inset - image.get_width()
            else:
                left = x + inset
            surface.blit(image, (left, top + index * widget.line_px))

    def _draw_detail(self, surface: pygame.Surface, widget: Widget, rect: Rect,
                     language: str) -> None:
        """The right-aligned detail of a button (a document's fee)."""
        face = self.fonts.face_for(widget.detail, language)
        font = self.fonts.font(face, widget.font_px, widget.bold)
        image = self._render_line(font, widget.detail, widget, face)
        surface.blit(image, (rect[0] + rect[2] - widget.inset - image.get_width(),
                             rect[1] + (rect[3] - widget.line_px) // 2))

    def _draw_cells(self, surface: pygame.Surface, widget: Widget, rect: Rect) -> None:
        """The RRN field: one cell per character, so that slots still to fill are visible."""
        text = widget.text
        if not text:
            return
        font = self.fonts.font(widget.face, widget.font_px, widget.bold)
        cell = min((rect[2] - 2 * widget.inset) // len(text), round(widget.font_px * 0.9))
        left = rect[0] + (rect[2] - cell * len(text)) // 2
        top = rect[1] + (rect[3] - widget.line_px) // 2
        for index, char in enumerate(text):
            x = left + index * cell
            if char == "_":
                bar_y = top + round(widget.line_px * 0.8)
                pygame.draw.line(surface, widget.fg, (x + cell // 6, bar_y),
                                 (x + cell - cell // 6, bar_y), max(2, cell // 14))
                continue
            image = font.render(char, True, widget.fg)
            surface.blit(image, (x + (cell - image.get_width()) // 2, top))

    def _render_line(self, font: pygame.font.Font, line: str, widget: Widget,
                     face: str | None = None) -> pygame.Surface:
        key = (face or widget.face, widget.font_px, widget.bold, line, widget.fg, widget.bg)
        image = self._text.get(key)
        if image is None:
            image = font.render(line, True, widget.fg, widget.bg)
            self._text[key] = image
            if len(self._text) > TEXT_CACHE_SIZE:
                self._text.popitem(last=False)
        else:
            self._text.move_to_end(key)
        return image

    def _scrim(self, width: int, height: int, color: tuple[int, int, int, int]
               ) -> pygame.Surface:
        key = (width, height, color)
        scrim = self._scrims.get(key)
        if scrim is None:
            scrim = pygame.Surface((width, height), pygame.SRCALPHA)
            scrim.fill(color)
            self._scrims = {key: scrim}
        return scrim

    def _draw_focus(self, surface: pygame.Surface, rect: Rect, palette: Palette,
                    layout: Layout) -> None:
        """Two rings, dark outside light inside, visible on any background (WCAG 2.4.13)."""
        scale = max(1.0, layout.size[0] / 1080)
        outer, inner = round(FOCUS_OUTER_PX * scale), round(FOCUS_INNER_PX * scale)
        ring = inflate(rect, outer + inner + 2)
        radius = max(6, rect[3] // 6)
        pygame.draw.rect(surface, palette.focus_outer, ring, outer, border_radius=radius)
        pygame.draw.rect(surface, palette.focus_inner, inflate(ring, -outer), inner,
                         border_radius=radius)


def text_color_pairs(layout: Layout) -> list[tuple[Widget, Color, Color]]:
    """Every (widget, text colour, background colour) pair on screen, for contrast checks."""
    return [(w, w.fg, w.bg) for w in layout.widgets if w.lines]
