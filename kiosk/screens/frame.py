"""Building blocks every screen shares: sizes, colours by style, text and button placement,
and the chrome around a screen (header, degraded banner, navigation bar, accessibility bar,
caption strip, the 'need more time?' dialog).

Sizes are pixels of a 1080x1920 portrait panel, scaled by ``unit`` for other resolutions and
by 2 for 200 % magnification. Numbers from reference/kiosk-domain.md §2: targets >= 88 px
(about 22 mm on a 21.5-inch panel, well above WCAG 2.5.5's 44 CSS px) with spacing; text
>= 28 px (capital height about 20 px = 4.9 mm at 0.248 mm/px, above the 4.8 mm of KS/ADA
707.7); controls of the low-reach layout below 45 % of the screen height, which keeps them
under 1,220 mm on a panel whose top edge is at 1,450 mm (MOIS standard item 7).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kiosk import view
from kiosk.screens.fonts import FontBook, is_wide
from kiosk.screens.i18n import Translator
from kiosk.screens.layout import Action, LocalAction, Rect, Role, Widget
from kiosk.screens.state import UiState
from kiosk.screens.theme import Color, Palette, Theme

DESIGN_WIDTH = 1080
DESIGN_HEIGHT = 1920
MARGIN = 40
GAP = 16
TARGET_MIN = 88
BUTTON_H = 112
CAPTION_H = 76
LOW_REACH_TOP_FRACTION = 0.45
TITLE_PX = 58
HEADING_PX = 50
BODY_PX = 40
SMALL_PX = 32
MIN_TEXT_PX = 28
BUTTON_PX = 42


class Style(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    DANGER = "danger"
    DISABLED = "disabled"


@dataclass
class BuildContext:
    """Everything a screen needs to lay itself out, and the widgets built so far."""

    snapshot: view.Snapshot
    state: UiState
    theme: Theme
    tr: Translator
    fonts: FontBook
    width: int
    height: int
    unit: float
    now: float
    voice_native: bool = True
    widgets: list[Widget] = field(default_factory=list)
    speech: list[str] = field(default_factory=list)
    layer: int = 0
    background_action: Action | None = None
    dialog_speech: str = ""
    compact: bool = False

    @property
    def pal(self) -> Palette:
        return self.theme.palette

    @property
    def language(self) -> str:
        return self.tr.language

    def px(self, value: float) -> int:
        return round(value * self.unit)

    def text_px(self, size: int) -> int:
        return round(size * self.unit * self.theme.text_scale)

    @property
    def margin(self) -> int:
        return self.px(MARGIN)

    @property
    def gap(self) -> int:
        return self.px(GAP)

    @property
    def content_width(self) -> int:
        return self.width - 2 * self.margin

    @property
    def low_reach_top(self) -> int:
        return round(self.height * LOW_REACH_TOP_FRACTION)

    def say(self, text: str) -> None:
        if text:
            self.speech.append(text)

    def measure(self, text: str, size: int, bold: bool, width: int
                ) -> tuple[tuple[str, ...], int, str]:
        """Lines, line height and face of ``text`` wrapped to ``width``."""
        face = self.fonts.face_for(text, self.language)
        px = self.text_px(size)
        lines = self.fonts.wrap(text, px, bold, face, width)
        return lines, self.fonts.line_height(px, face), face

    def add_text(self, widget_id: str, text: str, x: int, y: int, width: int, *,
                 size: int = BODY_PX, bold: bool = False, role: Role = Role.TEXT,
                 fg: Color | None = None, bg: Color | None = None, align: str = "left",
                 speak: bool = True) -> int:
        """Place a block of text; returns the y below it."""
        lines, line_px, face = self.measure(text, size, bold, width)
        height = line_px * len(lines)
        self.widgets.append(Widget(
            widget_id, role, (x, y, width, height), fg or self.pal.text,
            bg or self.pal.background, text=text, lines=lines, font_px=self.text_px(size),
            line_px=line_px, bold=bold, face=face, align=align, layer=self.layer))
        if speak:
            self.say(text)
        return y + height

    def _button_text(self, text: str, width: int, size: int, bold: bool, inset: int,
                     detail: str, max_height: int | None = None
                     ) -> tuple[tuple[str, ...], int, str, int]:
        """Lines, line height, face and pixel size of a button's label, leaving room for a
        right-aligned ``detail``. A word too long for the button, or a label taller than
        ``max_height`` design px, shrinks the label (never below the minimum text size)
        rather than being cut in two or overflowing."""
        room = width - 2 * self.px(inset)
        if detail:
            face = self.fonts.face_for(detail, self.language)
            room -= self.fonts.width(detail, self.text_px(size), bold, face) + self.gap
        face = self.fonts.face_for(text, self.language)
        px = self.text_px(size)
        smallest = min(px, self.px(MIN_TEXT_PX))
        words = [w for w in text.split() if not any(is_wide(c) for c in w)]
        while px > smallest and any(self.fonts.width(w, px, bold, face) > room for w in words):
            px -= 1
        lines = self.fonts.wrap(text, px, bold, face, room)
        limit = None if max_height is None else self.px(max_height) - 2 * self.px(14)
        while limit is not None and px > smallest and \
                len(lines) * self.fonts.line_height(px, face) > limit:
            px -= 1
            lines = self.fonts.wrap(text, px, bold, face, room)
        return lines, self.fonts.line_height(px, face), face, px

    def button_height(self, text: str, width: int, *, size: int = BUTTON_PX,
                      min_height: int = BUTTON_H, icon: int = 0, bold: bool = True,
                      inset: int = 20, detail: str = "", max_height: int | None = None) -> int:
        """Height a button needs for its label (and an ``icon`` of that many design px)."""
        lines, line_px, _face, _px = self._button_text(text, width, size, bold, inset, detail,
                                                       max_height)
        return max(self.px(min_height),
                   line_px * len(lines) + self.px(icon) + 2 * self.px(14))

    def add_button(self, widget_id: str, text: str, rect: Rect, action: Action | None, *,
                   style: Style = Style.SECONDARY, role: Role = Role.BUTTON,
                   size: int = BUTTON_PX, selected: bool | None = None, enabled: bool = True,
                   icon: str | None = None, icon_size: int = 52, speech: str = "",
                   align: str = "center", bold: bool = True, inset: int = 20,
                   detail: str = "", max_height: int | None = None) -> Widget:
        """Place a target; its colours follow its style, selection and pressed state."""
        x, y, w, h = rect
        pressed = self.state.pressed_id == widget_id and enabled
        if not enabled:
            style = Style.DISABLED
        fg, bg, border = self.style_colors(style, pressed=pressed, selected=bool(selected))
        lines, line_px, face, px = self._button_text(text, w, size, bold, inset, detail,
                                                     max_height)
        widget = Widget(
            widget_id, role, (x, y, w, h), fg, bg, text=text, lines=lines,
            font_px=px, line_px=line_px, bold=bold, face=face, border=border,
            align=align, action=action, focusable=True, enabled=enabled, selected=selected,
            speech=speech, icon=icon, icon_px=self.px(icon_size) if icon else 0,
            inset=self.px(inset), detail=detail, layer=self.layer)
        self.widgets.append(widget)
        return widget

    def style_colors(self, style: Style, *, pressed: bool = False, selected: bool = False
                     ) -> tuple[Color, Color, Color | None]:
        pal = self.pal
        if pressed:
            return pal.pressed_text, pal.pressed_bg, pal.focus_outer
        if selected:
            return pal.selected_text, pal.selected_bg, pal.selected_bg
        if style is Style.PRIMARY:
            return pal.primary_text, pal.primary_bg, pal.primary_bg
        if style is Style.DANGER:
            return pal.danger_text, pal.danger_bg, pal.danger_bg
        if style is Style.DISABLED:
            return pal.disabled_text, pal.disabled_bg, pal.secondary_border
        return pal.secondary_text, pal.secondary_bg, pal.secondary_border

    def add_panel(self, widget_id: str, rect: Rect, color: Color,
                  border: Color | None = None) -> None:
        self.widgets.append(Widget(widget_id, Role.PANEL, rect, color, color, border=border,
                                   layer=self.layer))

    def controls_top(self, block_height: int, flow_y: int, body_bottom: int) -> int:
        """Where a block of controls starts: right after the text, or as low as possible in
        the low-reach layout (and never above the low-reach line there)."""
        if self.state.low_reach:
            return max(flow_y, self.low_reach_top, body_bottom - block_height)
        return flow_y

    def row(self, y: int, height: int, count: int, *, x: int | None = None,
            width: int | None = None) -> list[Rect]:
        """``count`` equal rectangles side by side."""
        x = self.margin if x is None else x
        width = self.content_width if width is None else width
        each = (width - (count - 1) * self.gap) // count
        return [(x + i * (each + self.gap), y, each, height) for i in range(count)]


#: Navigation buttons a screen may show, with the intent or action each sends.
NAV_ITEMS: dict[str, Action] = {
    "back": view.Back(),
    "help": LocalAction.REPEAT,
    "cancel": view.Cancel(),
}

#: The accessibility bar: id, icon, action, and whether the switch is on (None: a plain key).
ACCESS_ITEMS = (
    ("speech", LocalAction.TOGGLE_SPEECH),
    ("contrast", LocalAction.TOGGLE_CONTRAST),
    ("large_text", LocalAction.TOGGLE_LARGE_TEXT),
    ("magnify", LocalAction.TOGGLE_MAGNIFY),
    ("low_reach", LocalAction.TOGGLE_LOW_REACH),
    ("volume_down", LocalAction.VOLUME_DOWN),
    ("volume_up", LocalAction.VOLUME_UP),
)
