"""Input normalisation: key names for the panel keypad and the development keyboard, and one
pointer stream merged from touch (FINGER*) and mouse (MOUSE*) events without duplicates.

reference/kiosk-domain.md §6.3: SDL turns each touch into FINGERDOWN plus a synthetic
MOUSEBUTTONDOWN (``touch=True``), and some drivers add a second mouse event with
``touch=False``; finger coordinates are 0..1 relative to the window. Mouse events flagged as
touch are dropped, and an event of the other source with the same kind, close in time and
place, is treated as the same tap. Only the first finger counts (no multi-touch gestures).

Key names (the panel's 12-key keypad plus its function keys, ADA 707.6 / MOIS item 1):
``0``..``9``, ``star``, ``hash``, ``enter``, ``cancel``, ``help``, ``volume_up``,
``volume_down`` (the panel's own labels ``*``, ``#``, ``vol_up``, ``vol_down`` are accepted
too); the development keyboard adds ``clear`` (Backspace), ``next`` and ``previous`` (Tab,
arrows).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import pygame

KEY_NAMES = frozenset({*"0123456789", "star", "hash", "enter", "cancel", "help", "clear",
                       "volume_up", "volume_down", "next", "previous"})
#: The panel driver's key labels (kiosk.devices.panel.codec.Key.label, docs/protocols/panel.md
#: §2) where they differ from ours. The panel has no clear key: keypad users reach the
#: on-screen Delete key with * and #.
PANEL_LABELS = {"*": "star", "#": "hash", "vol_up": "volume_up", "vol_down": "volume_down"}


def normalise_key(name: str) -> str:
    """Our name for a key given by its name or by the panel's label.

    Raises:
        ValueError: not a key the kiosk knows.
    """
    key = PANEL_LABELS.get(name, name)
    if key not in KEY_NAMES:
        raise ValueError(f"unknown key {name!r}; one of {sorted(KEY_NAMES | set(PANEL_LABELS))}")
    return key

#: Same tap if the second event comes within this time and distance of the first (SDL's
#: synthetic mouse events arrive in the same event pump, well inside 0.5 s and 40 px).
DEDUP_WINDOW_S = 0.5
DEDUP_DISTANCE_PX = 40

_KEYCODES: dict[int, str] = {
    pygame.K_RETURN: "enter", pygame.K_KP_ENTER: "enter", pygame.K_ESCAPE: "cancel",
    pygame.K_F1: "help", pygame.K_BACKSPACE: "clear", pygame.K_DELETE: "clear",
    pygame.K_TAB: "next", pygame.K_DOWN: "next", pygame.K_RIGHT: "next",
    pygame.K_UP: "previous", pygame.K_LEFT: "previous", pygame.K_KP_MULTIPLY: "star",
    pygame.K_ASTERISK: "star", pygame.K_HASH: "hash", pygame.K_KP_PLUS: "volume_up",
    pygame.K_PLUS: "volume_up", pygame.K_EQUALS: "volume_up", pygame.K_KP_MINUS: "volume_down",
    pygame.K_MINUS: "volume_down", pygame.K_F2: "volume_down", pygame.K_F3: "volume_up",
    **{getattr(pygame, f"K_{d}"): d for d in "0123456789"},
    **{getattr(pygame, f"K_KP{d}"): d for d in "0123456789"},
}


def key_name(event: pygame.event.Event) -> str | None:
    """The keypad name of a KEYDOWN event, or None for keys the kiosk does not use."""
    unicode = getattr(event, "unicode", "")
    if unicode == "*":
        return "star"
    if unicode == "#":
        return "hash"
    if event.key == pygame.K_TAB and getattr(event, "mod", 0) & pygame.KMOD_SHIFT:
        return "previous"
    return _KEYCODES.get(event.key)


@dataclass(frozen=True)
class Pointer:
    """One pointer event in window pixels: ``kind`` is down, move or up."""

    kind: str
    x: int
    y: int
    source: str


class PointerMerger:
    """Turns finger and mouse events into one de-duplicated stream of :class:`Pointer`."""

    def __init__(self, size: tuple[int, int], *, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.size = size
        self.clock = clock
        self._last: dict[str, tuple[str, float, int, int]] = {}
        self._finger: int | None = None
        self._mouse_down = False

    def feed(self, event: pygame.event.Event) -> Pointer | None:
        """The pointer event ``event`` stands for, or None (duplicate, other finger, ...)."""
        if event.type in (pygame.FINGERDOWN, pygame.FINGERUP, pygame.FINGERMOTION):
            return self._finger_event(event)
        if event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION):
            return self._mouse_event(event)
        return None

    def _finger_event(self, event: pygame.event.Event) -> Pointer | None:
        finger = getattr(event, "finger_id", 0)
        kind = {pygame.FINGERDOWN: "down", pygame.FINGERUP: "up",
                pygame.FINGERMOTION: "move"}[event.type]
        if kind == "down":
            if self._finger is not None:
                return None
            self._finger = finger
        elif self._finger != finger:
            return None
        elif kind == "up":
            self._finger = None
        x = min(self.size[0] - 1, max(0, round(event.x * self.size[0])))
        y = min(self.size[1] - 1, max(0, round(event.y * self.size[1])))
        return self._accept(Pointer(kind, x, y, "touch"))

    def _mouse_event(self, event: pygame.event.Event) -> Pointer | None:
        if getattr(event, "touch", False):
            return None
        if event.type != pygame.MOUSEMOTION and getattr(event, "button", 1) != 1:
            return None
        if event.type == pygame.MOUSEMOTION:
            if not self._mouse_down:
                return None
            kind = "move"
        else:
            kind = "down" if event.type == pygame.MOUSEBUTTONDOWN else "up"
            self._mouse_down = kind == "down"
        x, y = event.pos
        return self._accept(Pointer(kind, int(x), int(y), "mouse"))

    def _accept(self, pointer: Pointer) -> Pointer | None:
        now = self.clock()
        if pointer.kind != "move":
            last = self._last.get(pointer.kind)
            if last is not None:
                source, when, x, y = last
                if source != pointer.source and now - when <= DEDUP_WINDOW_S and \
                        math.hypot(pointer.x - x, pointer.y - y) <= DEDUP_DISTANCE_PX:
                    if pointer.source == "mouse" and pointer.kind == "down":
                        self._mouse_down = False
                    return None
            self._last[pointer.kind] = (pointer.source, now, pointer.x, pointer.y)
        return pointer
