"""The person at the kiosk, for the whole-session UI tests: a real ``KioskUI`` on SDL's dummy
driver over a real ``KioskApp`` (drivers on the simulator's ptys, the backend simulator over
mutual TLS), driven only by what a citizen does.

- ``tap`` posts a finger (FINGERDOWN/FINGERUP plus SDL's synthetic ``touch=True`` mouse
  events) or a mouse click at the centre of a widget found in the UI's layout;
- ``panel_key`` presses a key of the physical keypad through the panel emulator, so it travels
  the panel protocol, the panel driver and ``KioskApp.key_listeners`` to ``KioskUI.press_key``;
- ``place_finger`` and ``take_document`` act on the emulators through ``SimHost.act``.

The test's thread is the UI's thread: every wait pumps ``ui.step`` until its condition holds or
its deadline passes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pygame

from kiosk.app import KioskApp
from kiosk.issuance.journal import Transaction
from kiosk.screens.audio import Clip
from kiosk.screens.layout import Layout, Role, Widget
from kiosk.screens.runtime import KioskUI
from kiosk.view import Screen, Snapshot
from sim.host import SimHost

#: Longest step of the UI loop while waiting (the UI wakes at once on a snapshot or a key).
STEP_MS = 20
#: Default deadline of a wait: the slowest step of a visit with timing 0 (identity over mutual
#: TLS, rendering and signing the PDF) takes well under a second on the CI machine.
WAIT_S = 15.0
#: Keys a focus-ring walk may press before giving up (more than any screen's controls).
MAX_FOCUS_MOVES = 60
#: SDL's touch device and finger ids of the simulated panel (any values; one finger).
TOUCH_ID, FINGER_ID = 1, 0


class KioskAtHand:
    """One kiosk with its screen, keypad and simulator, as the citizen meets it."""

    def __init__(self, app: KioskApp, ui: KioskUI, host: SimHost, shots: Path) -> None:
        self.app = app
        self.ui = ui
        self.host = host
        self.shots = shots
        self.panel_keys = 0
        self.snapshots: list[Snapshot] = [app.channel.latest()]
        self._keys_lock = threading.Lock()
        app.key_listeners.append(ui.press_key)
        app.key_listeners.append(self._count_panel_key)
        app.channel.watch(self._record)

    # ------------------------------------------------------------------ observing

    def _record(self) -> None:
        self.snapshots.append(self.app.channel.latest())

    def _count_panel_key(self, _label: str) -> None:
        with self._keys_lock:
            self.panel_keys += 1

    @property
    def layout(self) -> Layout:
        assert self.ui.layout is not None, "the UI has not drawn a frame yet"
        return self.ui.layout

    @property
    def screen(self) -> str:
        return self.layout.screen

    @property
    def snapshot(self) -> Snapshot:
        return self.app.channel.latest()

    def restart_record(self) -> None:
        """Forget the snapshots so far (the kiosk coming into service, an earlier visit)."""
        self.snapshots[:] = [self.app.channel.latest()]

    def screens_seen(self) -> list[str]:
        """The screens the core published since the record began, repeats collapsed."""
        seen: list[str] = []
        for snapshot in self.snapshots:
            if not seen or seen[-1] != snapshot.screen.value:
                seen.append(snapshot.screen.value)
        return seen

    def find(self, widget_id: str | None = None, *, role: Role | None = None,
             text: str | None = None) -> Widget:
        """The one widget on screen with this id, role and text."""
        found = [w for w in self.layout.widgets
                 if (widget_id is None or w.id == widget_id)
                 and (role is None or w.role is role)
                 and (text is None or w.text == text)]
        assert len(found) == 1, (f"{len(found)} widgets match id={widget_id} role={role} "
                                 f"text={text!r} on {self.screen}: {[w.id for w in found]}")
        return found[0]

    def all_text(self) -> str:
        """Everything the screen shows or would say: texts, wrapped lines, details, speech."""
        parts: list[str] = [self.layout.speech, self.layout.dialog_speech]
        for widget in self.layout.widgets:
            parts += [widget.text, *widget.lines, widget.detail, widget.speech]
        return "\n".join(parts)

    # ------------------------------------------------------------------ waiting

    def pump(self, condition: Callable[[], Any], what: str, timeout_s: float = WAIT_S) -> Any:
        """Run the UI loop until ``condition()`` is truthy; return its value."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.ui.step(STEP_MS)
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}; "
                                     f"screens: {self.screens_seen()}")

    def wait_screen(self, screen: Screen, timeout_s: float = WAIT_S) -> Layout:
        """Until the UI shows ``screen`` (the frame is built from its snapshot)."""
        self.pump(lambda: self.ui.layout is not None and self.screen == screen.value,
                  f"the {screen.value} screen", timeout_s)
        return self.layout

    def settled(self, txn_predicate: Callable[[Transaction], bool], what: str,
                timeout_s: float = WAIT_S) -> Transaction:
        """Until the visit's one transaction satisfies ``txn_predicate``."""
        def check() -> Transaction | None:
            rows = self.app.journal.all()
            return rows[-1] if len(rows) == 1 and txn_predicate(rows[-1]) else None
        return self.pump(check, what, timeout_s)  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ touching

    def center(self, widget: Widget | str) -> tuple[int, int]:
        """Where on the display the middle of ``widget`` (or the widget with that id) is."""
        target = self.find(widget) if isinstance(widget, str) else widget
        x, y, width, height = target.rect
        pan = self.ui.state.pan if self.ui.state.magnified else (0, 0)
        return x + width // 2 - pan[0], y + height // 2 - pan[1]

    def tap(self, widget: Widget | str, *, via: str = "touch") -> None:
        """Touch ``widget`` (or the widget with that id) and lift: as the panel's touch
        controller does through SDL (``via='touch'``), or with a mouse (``via='mouse'``)."""
        target = self.find(widget) if isinstance(widget, str) else widget
        if not target.enabled:
            # A device may still be coming up (a status poll after connect); wait for it.
            target_id = target.id
            self.pump(lambda: self.find(target_id).enabled, f"{target_id} to be enabled")
            target = self.find(target_id)
        x, y = self.center(target)
        width, height = self.layout.size
        finger = {"touch_id": TOUCH_ID, "finger_id": FINGER_ID, "x": x / width,
                  "y": y / height, "dx": 0.0, "dy": 0.0, "pressure": 1.0}
        for down in (True, False):
            if via == "touch":
                pygame.event.post(pygame.event.Event(
                    pygame.FINGERDOWN if down else pygame.FINGERUP, finger))
            kind = pygame.MOUSEBUTTONDOWN if down else pygame.MOUSEBUTTONUP
            pygame.event.post(pygame.event.Event(kind, pos=(x, y), button=1,
                                                 touch=via == "touch"))
            self.ui.step(0)

    def type_key(self, key: int, unicode: str = "") -> None:
        """Press a key of the development keyboard (a pygame KEYDOWN; digits, Return ...)."""
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=unicode,
                                             scancode=0))
        self.ui.step(0)

    # ------------------------------------------------------------------ the keypad

    def panel_key(self, label: str) -> None:
        """Press a key of the physical keypad (panel label: '0'-'9', '*', '#', 'enter',
        'cancel', 'help') and let the UI handle it."""
        with self._keys_lock:
            before = self.panel_keys
        self.host.act("panel", "key", {"key": label})
        self.pump(lambda: self.panel_keys > before, f"panel key {label!r}")
        self.ui.step(0)

    def focus_on(self, widget_id: str) -> None:
        """Move the focus ring with '#' until it is on ``widget_id``."""
        for _ in range(MAX_FOCUS_MOVES):
            if self.ui.state.focus_id == widget_id:
                return
            self.panel_key("#")
        raise AssertionError(f"the focus ring never reached {widget_id} on {self.screen}; "
                             f"focusable: {[w.id for w in self.layout.focusable()]}")

    def choose_by_keypad(self, widget_id: str) -> None:
        """Focus ``widget_id`` with the keypad and press enter."""
        self.focus_on(widget_id)
        assert self.ui.state.keypad_mode, "the focus ring is not shown"
        self.panel_key("enter")

    # ------------------------------------------------------------------ the machine

    def place_finger(self, subject: str) -> None:
        self.host.act("fingerprint", "place", {"subject": subject})

    def take_document(self) -> None:
        self.host.act("binder", "take", {})

    def card_ledger(self) -> dict[str, dict[str, Any]]:
        return dict(self.host.emulators["card_reader"].state()["ledger"])

    def screenshot(self, name: str) -> Path:
        """The frame on the display now, as ``<shots>/<name>.png``."""
        assert self.ui.surface is not None
        path = self.shots / f"{name}.png"
        pygame.image.save(self.ui.surface, str(path))
        return path


class RecordingSink:
    """An audio output that keeps what it was asked to play (speech and cue captions)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.played: list[Clip] = []

    def play(self, clip: Clip, gain: float) -> None:
        del gain
        self.played.append(clip)

    def stop(self) -> None:
        """Nothing plays for real, so nothing is to be stopped."""

    def texts(self, kind: str = "speech") -> list[str]:
        return [clip.text for clip in self.played if clip.kind == kind]


def digits(rrn: str) -> Iterator[str]:
    """The digits a citizen types for ``rrn`` (the dash is on the screen already)."""
    return (character for character in rrn if character.isdigit())
