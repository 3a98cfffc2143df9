"""The UI runtime: owns the main thread, the window and the audio, and turns snapshots from
the core into frames and the citizen's input into intents.

DESIGN.md 'Threads and loops' and reference/kiosk-domain.md §6: block until something happens
(see ACTIVE_POLL_S for why not in ``pygame.event.wait``); the core's ``SnapshotChannel`` wake
callback posts a user event and sets the wake flag, so a new snapshot ends the wait at once;
redraw only what changed and present nothing when nothing did; touch and mouse merged
without duplicates; the cursor hidden without grabbing input; fullscreen on the board
(KMSDRM, X11 or Wayland), a window with ``windowed``.
``heartbeat`` is the monotonic time of the last loop iteration, for the watchdog.

Composition root::

    ui = KioskUI(config.ui, channel, intents)
    key_listeners.append(ui.press_key)  # panel key labels ('5', '*', 'vol_up'), any thread
    ui.run()                         # returns after ui.stop() (any thread) or window close
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace

import pygame

from kiosk import view
from kiosk.config import UiConfig
from kiosk.screens.announcer import Announcer, spoken_language
from kiosk.screens.audio import AudioRouter, AudioSink, mixer_sinks
from kiosk.screens.chrome import seconds_left
from kiosk.screens.display import open_display
from kiosk.screens.fonts import FontBook
from kiosk.screens.inputs import PointerMerger, key_name, normalise_key
from kiosk.screens.interaction import Interaction, Outcome
from kiosk.screens.layout import Layout
from kiosk.screens.pages import build_layout
from kiosk.screens.render import Renderer
from kiosk.screens.speech import VOICES, SpeechEngine
from kiosk.screens.state import UiState
from kiosk.screens.theme import Theme, resolve_theme

LOG = logging.getLogger(__name__)

#: The loop wakes at least this often, so the heartbeat stays fresh on an idle screen.
HEARTBEAT_MS = 1000
#: pygame-ce's ``event.wait`` polls SDL every millisecond (its own loop around SDL_Delay(1)),
#: measured at 1.5 % of a core on an idle screen. The loop sleeps on a threading.Event
#: instead and looks at SDL's queue this often: 5 ms while a citizen is at the screen (input
#: waits 2.5 ms on average), 20 ms when nobody has touched it for 10 s (0.3 % of a core).
ACTIVE_POLL_S = 0.005
IDLE_POLL_S = 0.020
ACTIVE_WINDOW_S = 10.0
#: An Activity intent (idle-timer reset) at most this often for a tap or key that sends nothing
#: else (a drag of the magnified view, a focus move, an accessibility switch).
ACTIVITY_INTERVAL_S = 1.0
#: Consecutive failing loop iterations after which run() gives up (and systemd restarts us).
MAX_FAILED_STEPS = 10

_EXPOSE_EVENTS = {pygame.VIDEOEXPOSE, pygame.WINDOWEXPOSED, pygame.WINDOWSIZECHANGED,
                  pygame.WINDOWRESTORED, pygame.WINDOWSHOWN}
_POINTER_EVENTS = {pygame.FINGERDOWN, pygame.FINGERUP, pygame.FINGERMOTION,
                   pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION}


class KioskUI:
    """The citizen UI. Construct on the main thread; ``run()`` or ``step()`` there."""

    def __init__(self, ui_config: UiConfig, channel: view.SnapshotChannel,
                 intents: view.IntentQueue, *, windowed: bool = False,
                 speech: SpeechEngine | None = None,
                 sinks: tuple[AudioSink, AudioSink] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = ui_config
        self.channel = channel
        self.intents = intents
        self.windowed = windowed
        self.clock = clock
        self.state = UiState()
        self.heartbeat = clock()
        self.frames_presented = 0
        self.layout: Layout | None = None
        self.surface: pygame.Surface | None = None
        self.router: AudioRouter | None = None
        self.speech = speech
        self._sinks = sinks
        self._snapshot = channel.latest()
        self._keys: deque[str] = deque()
        self._stop = threading.Event()
        self._wake_pending = threading.Event()
        self._wake_type = 0
        self._opened = False
        self._owns_mixer = False
        self._fonts: FontBook | None = None
        self._renderer: Renderer | None = None
        self._merger: PointerMerger | None = None
        self._interaction = Interaction(self.state, self._send, lambda: self._snapshot)
        self._announcer: Announcer | None = None
        self._dirty = True
        self._full = True
        self._drawn_focus: str | None = None
        self._theme: Theme | None = None
        self._last_activity = -math.inf
        self._last_input = -math.inf
        self._shown_seconds: int | None = None
        self._drawn_snapshot: view.Snapshot | None = None

    # lifecycle -------------------------------------------------------------------------
    def open(self) -> None:
        """Open the display and audio (idempotent; ``run`` calls it)."""
        if self._opened:
            return
        self.surface = open_display(self.config, windowed=self.windowed)
        self._wake_type = pygame.event.custom_type()
        size = self.surface.get_size()
        self._fonts = FontBook()
        self._renderer = Renderer(self._fonts)
        self._merger = PointerMerger(size, clock=self.clock)
        self._owns_mixer = self._sinks is None
        speaker, headset = self._sinks or mixer_sinks()
        self.router = AudioRouter(speaker, headset)
        if self.speech is None:
            self.speech = SpeechEngine()
        self.speech.notify = self._wake
        self._announcer = Announcer(self.state, self.router, self.speech,
                                    self.channel.latest().cue_seq)
        self.channel.set_wake(self._wake)
        self._opened = True
        self._apply_snapshot(self.channel.latest(), None, self.clock())

    def close(self) -> None:
        if not self._opened:
            return
        self.channel.set_wake(None)
        if self._announcer is not None:
            self._announcer.close()
        if self._owns_mixer and pygame.mixer.get_init():
            pygame.mixer.quit()
        pygame.display.quit()
        self._opened = False

    def run(self) -> None:
        """Loop until :meth:`stop` or the window is closed. A failing step is logged and the
        loop goes on; MAX_FAILED_STEPS in a row end it (the watchdog restarts the process)."""
        self.open()
        failures = 0
        try:
            while not self._stop.is_set():
                try:
                    self.step(HEARTBEAT_MS)
                    failures = 0
                except Exception:
                    failures += 1
                    LOG.exception("UI step failed (%d in a row)", failures)
                    self._dirty = self._full = True
                    if failures >= MAX_FAILED_STEPS:
                        raise
        finally:
            self.close()

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called or the window was closed."""
        return self._stop.is_set()

    @property
    def theme(self) -> Theme | None:
        """The theme of the frame on screen (the configured one with the citizen's switches)."""
        return self._theme

    def stop(self) -> None:
        """Ask :meth:`run` to return (any thread)."""
        self._stop.set()
        self._wake()

    def press_key(self, name: str) -> None:
        """A panel keypad key, by our name or the panel's label (``*``, ``vol_up``, see
        :mod:`kiosk.screens.inputs`); any thread.

        Raises:
            ValueError: unknown key name.
        """
        self._keys.append(normalise_key(name))
        self._wake()

    def _wake(self) -> None:
        if self._wake_pending.is_set() or not self._opened:
            return
        self._wake_pending.set()
        try:
            pygame.event.post(pygame.event.Event(self._wake_type))
        except pygame.error:
            self._wake_pending.clear()

    # the loop --------------------------------------------------------------------------
    def step(self, timeout_ms: int = HEARTBEAT_MS) -> bool:
        """Wait up to ``timeout_ms`` for something to happen, handle it, and present a frame
        if anything visible changed; returns True if a frame was presented."""
        self.open()
        now = self.clock()
        events = self._wait_events(max(0, min(timeout_ms, self._ms_until_due(now))))
        self.heartbeat = self.clock()
        self._wake_pending.clear()
        outcome = Outcome()
        for event in events:
            self._handle(event, outcome)
        while self._keys:
            self._on_key(self._keys.popleft(), outcome)
        now = self.clock()
        snapshot = self.channel.latest()
        if snapshot is not self._snapshot:
            self._apply_snapshot(snapshot, self._snapshot, now)
        if self._announcer is not None and self._announcer.play_ready(now):
            self._dirty = True
        return self._update(outcome, now)

    def _wait_events(self, timeout_ms: int) -> list[pygame.event.Event]:
        """SDL events, waiting up to ``timeout_ms`` for the first. Sleeps on the wake flag
        (set by the core's wake, panel keys and finished speech) between looks at SDL's
        queue, every ACTIVE_POLL_S while a citizen is at the screen, IDLE_POLL_S otherwise."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            events = pygame.event.get()
            if events or self._wake_pending.is_set():
                return events
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            active = time.monotonic() - self._last_input < ACTIVE_WINDOW_S
            self._wake_pending.wait(min(remaining, ACTIVE_POLL_S if active else IDLE_POLL_S))

    def _handle(self, event: pygame.event.Event, outcome: Outcome) -> None:
        if event.type == pygame.QUIT:
            self._stop.set()
        elif event.type == pygame.KEYDOWN:
            name = key_name(event)
            if name is not None:
                self._on_key(name, outcome)
        elif event.type in _POINTER_EVENTS:
            pointer = self._merger.feed(event) if self._merger else None
            if pointer is not None and self.layout is not None and self.surface is not None:
                result = self._interaction.pointer(pointer, self.layout,
                                                   self.surface.get_size())
                self._after_input(result, outcome)
        elif event.type in _EXPOSE_EVENTS:
            self._dirty = self._full = True

    def _on_key(self, name: str, outcome: Outcome) -> None:
        if self.layout is None:
            self._update(Outcome(), self.clock())
        if self.layout is not None:
            self._after_input(self._interaction.key(name, self.layout), outcome)

    def _after_input(self, result: Outcome, outcome: Outcome) -> None:
        self._last_input = time.monotonic()
        outcome.merge(result)
        self._dirty |= result.redraw
        now = self.clock()
        if result.intents:
            self._last_activity = now
        elif result.finished and now - self._last_activity >= ACTIVITY_INTERVAL_S and \
                self._snapshot.screen is not view.Screen.ATTRACT:
            self._last_activity = now
            self._send(view.Activity())

    def _send(self, intent: view.Intent) -> None:
        if not self.intents.put(intent):
            LOG.warning("intent queue full: dropped %s", type(intent).__name__)

    def _apply_snapshot(self, snap: view.Snapshot, old: view.Snapshot | None, now: float
                        ) -> None:
        self._snapshot = snap
        self._dirty = True
        state = self.state
        if old is not None and old.screen is not view.Screen.ATTRACT and \
                snap.screen is view.Screen.ATTRACT:
            self._end_of_session()
        if old is None or snap.screen is not old.screen:
            state.page = 0
            state.pressed_id = None
            state.focus_id = None
            state.focus_by_keys = False
            state.pan = (0, 0)
            state.stop_editing()
        if snap.idle_seconds_left is None:
            state.countdown_origin = None
        elif old is None or old.idle_seconds_left != snap.idle_seconds_left or \
                state.countdown_origin is None:
            state.countdown_origin = (now, snap.idle_seconds_left)
        if old is not None and snap.volume != old.volume:
            state.volume = snap.volume
        if self._announcer is not None:
            self._announcer.headset(snap.headset)

    def _end_of_session(self) -> None:
        """Forget the citizen: switches, volume, caches and anything still to be said."""
        self.state.reset()
        if self._announcer is not None:
            self._announcer.reset()
        if self._renderer is not None:
            self._renderer.forget_texts()
        if self._fonts is not None:
            self._fonts.forget_texts()

    def _ms_until_due(self, now: float) -> int:
        due = [HEARTBEAT_MS / 1000]
        origin = self.state.countdown_origin
        if origin is not None and self.layout is not None and self.layout.modal:
            remaining = origin[1] - (now - origin[0])
            if remaining > 0:
                due.append(remaining - math.floor(remaining) or 1.0)
        announcer_due = self._announcer.next_due(self._snapshot, now) \
            if self._announcer is not None else None
        if announcer_due is not None:
            due.append(announcer_due)
        return math.ceil(min(due) * 1000) + (1 if min(due) > 0 else 0)

    # drawing and speaking --------------------------------------------------------------
    def _build(self, snap: view.Snapshot, theme: Theme, now: float) -> Layout:
        assert self._fonts is not None and self.surface is not None
        return build_layout(snap, self.state, theme=theme, fonts=self._fonts,
                            size=self.surface.get_size(), now=now,
                            voice_native=VOICES[snap.language].native
                            if snap.language in VOICES else True)

    def _update(self, outcome: Outcome, now: float) -> bool:
        assert self._announcer is not None
        if self._announcer.expire_caption(now):
            self._dirty = True
        shown = seconds_left(self._snapshot, self.state, now)
        if shown != self._shown_seconds:
            self._shown_seconds = shown
            self._dirty = True
        old_layout, old_snap = self.layout, self._drawn_snapshot
        if self._dirty or outcome.redraw:
            self._rebuild(now)
        assert self.layout is not None
        speech = self._speech_layout(self._snapshot, now)
        if self._announcer.on_frame(old_layout, self.layout, speech, old_snap, self._snapshot,
                                    outcome, now=now, seconds_left=shown):
            self._rebuild(now)
        return self._present(None if self._full else old_layout)

    def _rebuild(self, now: float) -> None:
        assert self.surface is not None
        theme = resolve_theme(self.config.theme, high_contrast=self.state.high_contrast,
                              large_text=self.state.large_text)
        layout = self._build(self._snapshot, theme, now)
        self._keep_focus(layout)
        if self.state.magnified and self.state.keypad_mode:
            focused = layout.find(self.state.focus_id)
            if focused is not None:
                self._interaction.follow(focused, layout, self.surface.get_size())
        if theme != self._theme:
            self._full = True
        self._theme = theme
        self.layout = layout
        self._drawn_snapshot = self._snapshot
        self._dirty = True

    def _speech_layout(self, snap: view.Snapshot, now: float) -> Layout:
        """The layout in the language the guidance is spoken in (English where espeak-ng
        cannot speak the screen's language)."""
        assert self.layout is not None and self._theme is not None
        language = spoken_language(snap.language)
        if language == self.layout.language:
            return self.layout
        return self._build(replace(snap, language=language), self._theme, now)

    def _keep_focus(self, layout: Layout) -> None:
        focusable = layout.focusable()
        if self.state.focus_id not in {w.id for w in focusable}:
            self.state.focus_id = focusable[0].id if focusable else None

    def _present(self, old: Layout | None) -> bool:
        assert self.surface is not None and self._renderer is not None
        layout, theme = self.layout, self._theme
        if layout is None or theme is None or not (self._dirty or self._full):
            return False
        focus = self.state.focus_id if self.state.keypad_mode else None
        offset = self.state.pan if self.state.magnified else (0, 0)
        regions = None
        if old is not None and not self.state.magnified:
            regions = self._renderer.changed_regions(old, layout, self._drawn_focus, focus)
        self._dirty = self._full = False
        self._drawn_focus = focus
        if regions == []:
            return False
        self._renderer.draw(self.surface, layout, theme.palette, focus_id=focus,
                            offset=offset, regions=regions)
        if regions is None:
            pygame.display.flip()
        else:
            pygame.display.update([pygame.Rect(r) for r in regions])
        self.frames_presented += 1
        return True
