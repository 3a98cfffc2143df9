"""What a key press or a tap does on the current layout: focus, activation, local switches.

Keypad operation (MOIS standard item 1, EN 301 549 5.1.3, ADA 707.6): ``star`` and ``hash``
move the focus ring backwards and forwards through every control (the development keyboard's
Tab and arrow keys too); ``enter`` activates the focused control (on the RRN screen, until the
focus has been moved with those keys, it submits the number like an ATM's Enter); ``cancel`` ends
the session (or closes the on-screen keyboard); ``help`` repeats the guidance; ``clear``
deletes the last RRN digit or character, or goes back; digits type the RRN (or into the
on-screen keyboard) and elsewhere jump to the n-th choice. The first key switches on keypad
mode (visible focus ring) and voice guidance, so a blind citizen never needs the screen to
start speech (EN 301 549 5.2); on the attract screen the first key only does that (and reads the
screen), it does not start a session.

Touch: a control activates when the finger lifts inside it (it shows as pressed meanwhile);
in the magnified view a drag pans instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk import view
from kiosk.screens.hangul import backspace, type_jamo
from kiosk.screens.inputs import KEY_NAMES, Pointer
from kiosk.screens.layout import (
    Action,
    EditOption,
    Layout,
    LocalAction,
    TypeKey,
    Widget,
    contains,
)
from kiosk.screens.state import UiState

#: Movement beyond which a touch becomes a pan of the magnified view (about 5 mm).
DRAG_THRESHOLD_PX = 20


@dataclass
class Outcome:
    """What one input did, for the runtime (redraw) and the guide (what to say)."""

    redraw: bool = False
    finished: bool = False
    focus_moved: Widget | None = None
    activated: Widget | None = None
    repeat: bool = False
    intents: list[view.Intent] = field(default_factory=list)

    def merge(self, other: Outcome) -> None:
        self.redraw |= other.redraw
        self.finished |= other.finished
        self.focus_moved = other.focus_moved or self.focus_moved
        self.activated = other.activated or self.activated
        self.repeat |= other.repeat
        self.intents.extend(other.intents)


class Interaction:
    """Applies inputs to the UI state and sends intents; UI thread only."""

    def __init__(self, state: UiState, send: Callable[[view.Intent], object],
                 snapshot: Callable[[], view.Snapshot]) -> None:
        self.state = state
        self.send = send
        self.snapshot = snapshot
        self._press: tuple[str | None, int, int] | None = None
        self._last_xy = (0, 0)
        self._dragging = False

    # keys ------------------------------------------------------------------------------
    def key(self, name: str, layout: Layout) -> Outcome:
        if name not in KEY_NAMES:
            raise ValueError(f"unknown key {name!r}; one of {sorted(KEY_NAMES)}")
        out = Outcome(redraw=True, finished=True)
        first_key = not self.state.keypad_mode
        if first_key:
            self.state.keypad_mode = True
            self.state.speech_on = True
        self.state.pressed_id = None
        focusable = layout.focusable()
        if first_key and layout.screen == view.Screen.ATTRACT.value and not layout.modal \
                and name not in ("help", "volume_up", "volume_down"):
            self._focus(layout.find(self.state.focus_id) or (focusable[0] if focusable
                                                             else None), layout, out)
            out.repeat = True
            return out
        if name in ("star", "previous", "hash", "next"):
            self._move(layout, -1 if name in ("star", "previous") else 1, out)
        elif name == "enter" and layout.screen == view.Screen.IDENTITY.value and \
                not layout.modal and not self.state.focus_by_keys:
            self._send(view.Confirm(), out)
        elif name == "enter":
            focused = layout.find(self.state.focus_id)
            if focused is None or not focused.focusable:
                self._focus(focusable[0] if focusable else None, layout, out)
            else:
                self.activate(focused, layout, out)
        elif name == "cancel" and self.state.editing is not None:
            self.perform(TypeKey(command="done"), out)
        elif name == "cancel":
            if layout.screen != view.Screen.ATTRACT.value:
                self._send(view.Cancel(), out)
        elif name == "help":
            self._help(out)
        elif name == "clear" and self.state.editing is not None:
            self.perform(TypeKey(command="backspace"), out)
        elif name == "clear":
            if layout.screen == view.Screen.IDENTITY.value and not layout.modal:
                self._send(view.RrnBackspace(), out)
            elif layout.find("nav.back") is not None and not layout.modal:
                self._send(view.Back(), out)
        elif name in ("volume_up", "volume_down"):
            self._volume(1 if name == "volume_up" else -1, out)
        elif name.isdigit():
            self._digit(name, layout, out)
        return out

    def _digit(self, digit: str, layout: Layout, out: Outcome) -> None:
        if self.state.editing is not None:
            self.perform(TypeKey(digit), out)
            return
        if layout.screen == view.Screen.IDENTITY.value and not layout.modal:
            self._send(view.RrnDigit(digit), out)
            return
        index = 9 if digit == "0" else int(digit) - 1
        choices = [w for w in layout.focusable() if not w.id.startswith(("nav.", "access."))]
        if index < len(choices):
            self._focus(choices[index], layout, out)

    def _move(self, layout: Layout, step: int, out: Outcome) -> None:
        focusable = layout.focusable()
        if not focusable:
            return
        ids = [w.id for w in focusable]
        current = ids.index(self.state.focus_id) if self.state.focus_id in ids else \
            (-1 if step > 0 else 0)
        self._focus(focusable[(current + step) % len(focusable)], layout, out)

    def _focus(self, widget: Widget | None, layout: Layout, out: Outcome) -> None:
        if widget is None:
            return
        self.state.focus_id = widget.id
        self.state.focus_by_keys = True
        out.focus_moved = widget
        if self.state.magnified:
            self.follow(widget, layout)

    def follow(self, widget: Widget, layout: Layout, viewport: tuple[int, int] | None = None
               ) -> None:
        """Pan the magnified view so that ``widget`` is inside it."""
        width, height = viewport or (layout.size[0] // 2, layout.size[1] // 2)
        x, y, w, h = widget.rect
        pan_x, pan_y = self.state.pan
        margin = 40
        if x - margin < pan_x or x + w + margin > pan_x + width:
            pan_x = x - max(margin, (width - w) // 2)
        if y - margin < pan_y or y + h + margin > pan_y + height:
            pan_y = y - max(margin, (height - h) // 2)
        self.state.pan = (max(0, min(layout.size[0] - width, pan_x)),
                          max(0, min(layout.size[1] - height, pan_y)))

    # activation --------------------------------------------------------------------------
    def activate(self, widget: Widget, layout: Layout, out: Outcome) -> None:
        out.activated = widget
        out.redraw = True
        if not widget.enabled or widget.action is None:
            return
        self.state.focus_id = widget.id
        self.perform(widget.action, out)

    def perform(self, action: Action, out: Outcome) -> None:
        if isinstance(action, view.Intent):
            self._send(action, out)
            return
        if isinstance(action, EditOption | TypeKey):
            self._edit(action, out)
            return
        state = self.state
        if action is LocalAction.TOGGLE_SPEECH:
            state.speech_on = not state.speech_on
            out.repeat = state.speech_on
        elif action is LocalAction.TOGGLE_CONTRAST:
            state.high_contrast = not state.high_contrast
        elif action is LocalAction.TOGGLE_LARGE_TEXT:
            state.large_text = not state.large_text
        elif action is LocalAction.TOGGLE_MAGNIFY:
            state.magnified = not state.magnified
            state.pan = (0, 0)
        elif action is LocalAction.TOGGLE_LOW_REACH:
            state.low_reach = not state.low_reach
        elif action is LocalAction.VOLUME_UP:
            self._volume(1, out)
        elif action is LocalAction.VOLUME_DOWN:
            self._volume(-1, out)
        elif action is LocalAction.REPEAT:
            self._help(out)
        elif action is LocalAction.PAGE_NEXT:
            state.page += 1
        elif action is LocalAction.PAGE_PREVIOUS:
            state.page = max(0, state.page - 1)

    def _edit(self, action: EditOption | TypeKey, out: Outcome) -> None:
        """The on-screen keyboard: compose what is typed and send the whole text each time."""
        state = self.state
        out.redraw = True
        if isinstance(action, EditOption):
            option = self._text_option(action.key)
            state.stop_editing()
            if option is not None:
                state.editing, state.edit_text = option.key, option.selected
                state.focus_id = None
            return
        option = self._text_option(state.editing)
        if option is None or action.command == "done":
            state.stop_editing()
            return
        if action.command == "backspace":
            text, open_last = backspace(state.edit_text, state.edit_open)
        elif action.command == "clear":
            text, open_last = "", False
        else:
            text, open_last = type_jamo(state.edit_text, action.char, state.edit_open)
        if option.max_length and len(text) > option.max_length:
            return
        state.edit_text, state.edit_open = text, open_last
        self._send(view.SetOption(option.key, text), out)

    def _text_option(self, key: str | None) -> view.OptionChoice | None:
        return next((o for o in self.snapshot().options if o.key == key and o.kind == "text"),
                    None)

    def _help(self, out: Outcome) -> None:
        self.state.speech_on = True
        out.repeat = True
        self._send(view.RepeatGuidance(), out)

    def _volume(self, delta: int, out: Outcome) -> None:
        before = self.state.volume
        if self.state.change_volume(delta) != before:
            self._send(view.ChangeVolume(delta), out)

    def _send(self, intent: view.Intent, out: Outcome) -> None:
        self.send(intent)
        out.intents.append(intent)

    # pointer -----------------------------------------------------------------------------
    def pointer(self, event: Pointer, layout: Layout, viewport: tuple[int, int]) -> Outcome:
        """Handle a pointer event in screen pixels (the layout may be a magnified canvas)."""
        out = Outcome()
        x, y = event.x + self.state.pan[0], event.y + self.state.pan[1]
        if event.kind == "down":
            self.state.keypad_mode = False
            target = layout.hit(x, y)
            self._press = (target.id if target else None, event.x, event.y)
            self._last_xy = (event.x, event.y)
            self._dragging = False
            if target is not None and target.enabled:
                self.state.pressed_id = target.id
            out.redraw = True
        elif event.kind == "move" and self._press is not None:
            start = self._press[1:]
            if self.state.magnified and (self._dragging or math.hypot(
                    event.x - start[0], event.y - start[1]) > DRAG_THRESHOLD_PX):
                self._dragging = True
                self.state.pressed_id = None
                dx, dy = event.x - self._last_xy[0], event.y - self._last_xy[1]
                pan_x = max(0, min(layout.size[0] - viewport[0], self.state.pan[0] - dx))
                pan_y = max(0, min(layout.size[1] - viewport[1], self.state.pan[1] - dy))
                self.state.pan = (pan_x, pan_y)
                out.redraw = True
            self._last_xy = (event.x, event.y)
        elif event.kind == "up" and self._press is not None:
            pressed_id = self._press[0]
            self._press = None
            self.state.pressed_id = None
            out.redraw = out.finished = True
            if self._dragging:
                return out
            widget = layout.find(pressed_id)
            if widget is not None and contains(widget.rect, x, y):
                self.activate(widget, layout, out)
            elif pressed_id is None and layout.background_action is not None:
                self.perform(layout.background_action, out)
        return out
