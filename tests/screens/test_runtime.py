"""The UI loop itself: redraw only on change (and only the part that changed), wake-up from
the core's thread, heartbeat, touch and mouse merged without duplicates, keys, cursor."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pygame
import pytest

from kiosk import view
from kiosk.screens.inputs import PointerMerger, key_name
from kiosk.screens.samples import sample_snapshot

from .helpers import Harness


@pytest.fixture
def harness():
    harness = Harness(sample_snapshot("catalogue", "ko"))
    yield harness
    harness.close()


def test_nothing_is_presented_while_nothing_changes(harness: Harness) -> None:
    frames = harness.ui.frames_presented
    for _ in range(5):
        assert harness.ui.step(0) is False
    harness.channel.publish(replace(harness.channel.latest(), seq=99))
    assert harness.ui.step(0) is False, "a new snapshot that changes nothing draws nothing"
    assert harness.ui.frames_presented == frames


def test_a_change_presents_one_frame_and_redraws_only_the_changed_part(harness,
                                                                        monkeypatch) -> None:
    updates: list[list[pygame.Rect]] = []
    flips: list[int] = []
    monkeypatch.setattr(pygame.display, "update", lambda rects: updates.append(list(rects)))
    monkeypatch.setattr(pygame.display, "flip", lambda: flips.append(1))
    x, y = harness.center("doc.basic-certificate")
    width, height = harness.ui.surface.get_size()
    pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, touch_id=1, finger_id=0,
                                         x=x / width, y=y / height, dx=0, dy=0, pressure=1))
    assert harness.ui.step(0) is True
    assert flips == [] and len(updates) == 1
    area = sum(r.width * r.height for r in updates[0])
    assert 0 < area < width * height * 0.1, "only the pressed button is redrawn"
    assert harness.ui.surface.get_at((x, y))[:3] == \
        harness.ui.theme.palette.pressed_bg


def test_a_new_screen_is_drawn_whole(harness, monkeypatch) -> None:
    flips: list[int] = []
    monkeypatch.setattr(pygame.display, "flip", lambda: flips.append(1))
    harness.publish(sample_snapshot("identity", "ko"))
    assert flips == [1]


def test_publish_from_another_thread_ends_the_wait_at_once(harness: Harness) -> None:
    snapshot = replace(sample_snapshot("fee", "ko"), seq=50)
    timer = threading.Timer(0.2, harness.channel.publish, args=(snapshot,))
    started = time.monotonic()
    timer.start()
    presented = harness.ui.step(5000)
    elapsed = time.monotonic() - started
    timer.join()
    if not presented:
        presented = harness.ui.step(0)
    assert presented and harness.layout.screen == "fee"
    assert elapsed < 2.0, f"waited {elapsed:.2f} s for a 5 s timeout"


def test_heartbeat_advances_even_when_idle(harness: Harness) -> None:
    before = harness.ui.heartbeat
    harness.ui.step(30)
    assert harness.ui.heartbeat > before


def test_panel_keys_arrive_from_any_thread_and_bad_names_are_refused(harness) -> None:
    thread = threading.Thread(target=harness.ui.press_key, args=("hash",))
    thread.start()
    thread.join()
    harness.ui.step(500)
    assert harness.ui.state.keypad_mode and harness.ui.state.focus_id is not None
    with pytest.raises(ValueError, match="unknown key"):
        harness.ui.press_key("F13")


@pytest.mark.parametrize("via", ["touch", "touch+mouse", "mouse"])
def test_one_tap_gives_exactly_one_intent(harness: Harness, via: str) -> None:
    harness.tap("doc.family-relation", via=via)
    assert harness.drain() == [view.ChooseDocument("family-relation")]


def test_synthetic_mouse_events_from_touch_are_ignored(harness: Harness) -> None:
    x, y = harness.center("doc.family-relation")
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        pygame.event.post(pygame.event.Event(kind, pos=(x, y), button=1, touch=True))
    harness.ui.step(0)
    assert harness.drain() == []


def test_lifting_the_finger_outside_the_button_does_nothing(harness: Harness) -> None:
    x, y = harness.center("doc.family-relation")
    width, height = harness.ui.surface.get_size()
    common = {"touch_id": 1, "finger_id": 0, "dx": 0, "dy": 0, "pressure": 1}
    pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, x=x / width, y=y / height,
                                         **common))
    pygame.event.post(pygame.event.Event(pygame.FINGERUP, x=x / width, y=0.01, **common))
    harness.ui.step(0)
    assert harness.drain() == [view.Activity()], "only the idle timer hears of it"


def test_merger_drops_the_second_finger_and_late_duplicates() -> None:
    now = [0.0]
    merger = PointerMerger((1080, 1920), clock=lambda: now[0])

    def finger(kind: int, finger_id: int, x: float) -> pygame.event.Event:
        return pygame.event.Event(kind, touch_id=1, finger_id=finger_id, x=x, y=0.5, dx=0,
                                  dy=0, pressure=1)

    first = merger.feed(finger(pygame.FINGERDOWN, 0, 0.5))
    assert first is not None and (first.x, first.y) == (540, 960)
    assert merger.feed(finger(pygame.FINGERDOWN, 1, 0.2)) is None, "second finger ignored"
    duplicate = pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(541, 961), button=1,
                                   touch=False)
    assert merger.feed(duplicate) is None
    assert merger.feed(finger(pygame.FINGERUP, 0, 0.5)).kind == "up"
    now[0] = 2.0
    later = merger.feed(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(541, 961), button=1,
                                           touch=False))
    assert later is not None and later.source == "mouse", "a real click later is kept"
    assert merger.feed(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(5, 5), button=3,
                                          touch=False)) is None, "right button ignored"


def test_development_keyboard_maps_to_keypad_names() -> None:
    def name(key: int, unicode: str = "", mod: int = 0) -> str | None:
        return key_name(pygame.event.Event(pygame.KEYDOWN, key=key, unicode=unicode, mod=mod))
    assert name(pygame.K_KP5) == "5" and name(pygame.K_5) == "5"
    assert name(pygame.K_RETURN) == "enter" and name(pygame.K_ESCAPE) == "cancel"
    assert name(pygame.K_F1) == "help" and name(pygame.K_BACKSPACE) == "clear"
    assert name(pygame.K_3, "#") == "hash" and name(pygame.K_8, "*") == "star"
    assert name(pygame.K_TAB, mod=pygame.KMOD_SHIFT) == "previous"
    assert name(pygame.K_a) is None


def test_cursor_is_hidden_without_grabbing_input_and_window_is_not_fullscreen(harness):
    assert pygame.mouse.get_visible() is False
    assert pygame.event.get_grab() is False
    assert not harness.ui.surface.get_flags() & pygame.FULLSCREEN
    assert harness.ui.surface.get_size() == (1080, 1920)


def test_window_close_stops_run(harness: Harness) -> None:
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    harness.ui.step(0)
    assert harness.ui.stopping


def test_panel_labels_are_accepted_as_key_names(harness: Harness) -> None:
    for label in ("*", "#", "vol_up", "vol_down", "5", "enter"):
        harness.ui.press_key(label)
    harness.ui.step(0)
    assert harness.ui.router.level == 5, "one step up, one step down"
    assert view.ChangeVolume(1) in harness.drain()
