"""A screen's layout as plain data: widgets with rect, role, text, colours and action.

Screens build a :class:`Layout` from a snapshot (pure apart from measuring text); the renderer
draws it, the input layer hit-tests and moves focus on it, the guide speaks it, and the tests
walk it to check contrast, target sizes, glyph coverage and keypad reachability without
looking at pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk import view
from kiosk.screens.theme import Color

Rect = tuple[int, int, int, int]  # x, y, width, height in pixels of the layout's canvas


class Role(StrEnum):
    """What a widget is, for drawing, speaking and checking."""

    HEADING = "heading"
    TEXT = "text"
    BUTTON = "button"
    KEY = "key"            # a key of the on-screen RRN keypad
    TOGGLE = "toggle"      # an accessibility switch (on/off)
    FACE = "face"          # a satisfaction-rating face
    FIELD = "field"        # the masked RRN display
    BANNER = "banner"
    PROGRESS = "progress"
    PANEL = "panel"        # a filled box behind other widgets
    SCRIM = "scrim"        # the translucent layer under a modal dialog
    CAPTION = "caption"    # on-screen text of the sound or speech just played


class LocalAction(StrEnum):
    """Actions the UI carries out itself, without the core."""

    TOGGLE_SPEECH = "toggle_speech"
    TOGGLE_CONTRAST = "toggle_contrast"
    TOGGLE_LARGE_TEXT = "toggle_large_text"
    TOGGLE_MAGNIFY = "toggle_magnify"
    TOGGLE_LOW_REACH = "toggle_low_reach"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"
    REPEAT = "repeat"
    PAGE_NEXT = "page_next"
    PAGE_PREVIOUS = "page_previous"


@dataclass(frozen=True)
class EditOption:
    """Open the on-screen keyboard for text option ``key`` (UI-local)."""

    key: str


@dataclass(frozen=True)
class TypeKey:
    """A key of the on-screen keyboard: a character, or ``command`` backspace/clear/done."""

    char: str = ""
    command: str = ""


Action = view.Intent | LocalAction | EditOption | TypeKey

#: Roles whose text is drawn on the widget's own fill.
FILLED_ROLES = frozenset({Role.BUTTON, Role.KEY, Role.TOGGLE, Role.FACE, Role.FIELD,
                          Role.BANNER, Role.PANEL, Role.CAPTION})


@dataclass(frozen=True)
class Widget:
    """One thing on the screen. ``bg`` is the colour under the text (the widget's fill, or the
    surface it sits on), so every text/background pair can be checked."""

    id: str
    role: Role
    rect: Rect
    fg: Color
    bg: Color
    text: str = ""
    lines: tuple[str, ...] = ()
    font_px: int = 0
    line_px: int = 0
    bold: bool = False
    face: str = "latin"
    border: Color | None = None
    align: str = "center"
    action: Action | None = None
    focusable: bool = False
    enabled: bool = True
    selected: bool | None = None
    speech: str = ""
    icon: str | None = None
    icon_px: int = 0
    inset: int = 0
    detail: str = ""
    value: float | None = None
    layer: int = 0

    def spoken(self) -> str:
        return self.speech or self.text


@dataclass(frozen=True)
class Layout:
    """A whole frame: what to draw, in order, and what to say when the screen appears."""

    screen: str
    size: tuple[int, int]
    background: Color
    widgets: tuple[Widget, ...]
    speech: str
    language: str
    modal: bool = False
    background_action: Action | None = None
    dialog_speech: str = ""

    @property
    def top_layer(self) -> int:
        return max((w.layer for w in self.widgets), default=0)

    def focusable(self) -> tuple[Widget, ...]:
        """Widgets the focus ring can reach, in reading order (the topmost dialog traps
        focus)."""
        layer = self.top_layer
        return tuple(w for w in self.widgets if w.focusable and w.layer == layer)

    def find(self, widget_id: str | None) -> Widget | None:
        return next((w for w in self.widgets if w.id == widget_id), None)

    def hit(self, x: int, y: int) -> Widget | None:
        """The reachable widget under a point, topmost first."""
        for widget in reversed(self.focusable()):
            if contains(widget.rect, x, y):
                return widget
        return None


def contains(rect: Rect, x: int, y: int) -> bool:
    rx, ry, rw, rh = rect
    return rx <= x < rx + rw and ry <= y < ry + rh


def intersects(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inflate(rect: Rect, by: int) -> Rect:
    return rect[0] - by, rect[1] - by, rect[2] + 2 * by, rect[3] + 2 * by


def union(a: Rect, b: Rect) -> Rect:
    left, top = min(a[0], b[0]), min(a[1], b[1])
    right, bottom = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return left, top, right - left, bottom - top


def gap(a: Rect, b: Rect) -> int:
    """Distance between two rectangles' edges (negative when they overlap)."""
    dx = max(b[0] - (a[0] + a[2]), a[0] - (b[0] + b[2]))
    dy = max(b[1] - (a[1] + a[3]), a[1] - (b[1] + b[3]))
    return max(dx, dy)
