"""Helpers for the screen tests: layouts of every sample state, a recording audio sink, and a
harness that drives a real KioskUI by posting SDL events."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import pygame

from kiosk import view
from kiosk.config import LANGUAGES, THEMES, UiConfig
from kiosk.screens.audio import Clip
from kiosk.screens.fonts import FontBook
from kiosk.screens.layout import Layout, Widget
from kiosk.screens.pages import build_layout
from kiosk.screens.runtime import KioskUI
from kiosk.screens.samples import STATES, sample_snapshot
from kiosk.screens.speech import SpeechEngine
from kiosk.screens.state import UiState
from kiosk.screens.theme import resolve_theme

SIZE = (1080, 1920)


def layout_for(fonts: FontBook, state: str, language: str = "ko", theme: str = "default", *,
               size: tuple[int, int] = SIZE, **ui: object) -> Layout:
    snapshot = sample_snapshot(state, language)
    return build_layout(snapshot, UiState(**ui), theme=resolve_theme(theme), fonts=fonts,  # type: ignore[arg-type]
                        size=size, now=0.0)


@dataclass(frozen=True)
class Case:
    state: str
    language: str
    theme: str
    low_reach: bool = False

    def __str__(self) -> str:
        return f"{self.state}-{self.language}-{self.theme}{'-low' if self.low_reach else ''}"


def all_cases() -> Iterator[Case]:
    """Every sample state in every language and theme, normal and low-reach layout."""
    for state, language, theme, low in itertools.product(STATES, LANGUAGES, THEMES,
                                                         (False, True)):
        yield Case(state, language, theme, low)


@dataclass
class RecordingSink:
    """An AudioSink that keeps what it was asked to play (the routing tests observe it)."""

    name: str
    played: list[tuple[Clip, float]] = field(default_factory=list)
    stops: int = 0

    def play(self, clip: Clip, gain: float) -> None:
        self.played.append((clip, gain))

    def stop(self) -> None:
        self.stops += 1

    def texts(self, kind: str = "speech") -> list[str]:
        return [clip.text for clip, _gain in self.played if clip.kind == kind]


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Harness:
    """A real KioskUI on the dummy driver, with recording sinks, driven by posted events."""

    def __init__(self, snapshot: view.Snapshot, *, speech: SpeechEngine | None = None,
                 config: UiConfig | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.channel = view.SnapshotChannel(snapshot)
        self.intents = view.IntentQueue()
        self.speaker = RecordingSink("speaker")
        self.headset = RecordingSink("headset")
        self.ui = KioskUI(config or UiConfig(), self.channel, self.intents,
                          speech=speech or SpeechEngine(executable=""),
                          sinks=(self.speaker, self.headset), clock=clock)
        self.ui.open()
        self.ui.step(0)
        self._seq = snapshot.seq

    def close(self) -> None:
        self.ui.close()

    @property
    def layout(self) -> Layout:
        assert self.ui.layout is not None
        return self.ui.layout

    def publish(self, snapshot: view.Snapshot) -> view.Snapshot:
        self._seq += 1
        snapshot = replace(snapshot, seq=self._seq)
        self.channel.publish(snapshot)
        self.ui.step(0)
        return snapshot

    def widget(self, widget_id: str) -> Widget:
        widget = self.layout.find(widget_id)
        assert widget is not None, f"no widget {widget_id} on {self.layout.screen}"
        return widget

    def center(self, widget_id: str) -> tuple[int, int]:
        x, y, w, h = self.widget(widget_id).rect
        pan = self.ui.state.pan if self.ui.state.magnified else (0, 0)
        return x + w // 2 - pan[0], y + h // 2 - pan[1]

    def tap(self, widget_id: str, *, via: str = "touch") -> None:
        """Tap like the panel does: a finger (plus SDL's synthetic mouse events), or a mouse."""
        x, y = self.center(widget_id)
        width, height = self.ui.surface.get_size()  # type: ignore[union-attr]
        finger = {"touch_id": 1, "finger_id": 0, "x": x / width, "y": y / height,
                  "dx": 0.0, "dy": 0.0, "pressure": 1.0}
        if via in ("touch", "touch+mouse"):
            pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, finger))
        if via in ("mouse", "touch+mouse"):
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, y), button=1,
                                                 touch=False))
        if via == "touch":
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, y), button=1,
                                                 touch=True))
        self.ui.step(0)
        if via in ("touch", "touch+mouse"):
            pygame.event.post(pygame.event.Event(pygame.FINGERUP, finger))
        if via in ("mouse", "touch+mouse"):
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(x, y), button=1,
                                                 touch=False))
        if via == "touch":
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(x, y), button=1,
                                                 touch=True))
        self.ui.step(0)

    def key(self, key: int, unicode: str = "") -> None:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=unicode,
                                             scancode=0))
        self.ui.step(0)

    def drain(self) -> list[view.Intent]:
        return self.intents.drain()

    def pump_until(self, condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            self.ui.step(20)
