"""Accessibility through the running UI: the RRN is masked on screen and never spoken (only
its count, and the visible digits privately into an earphone); an earphone takes all sound
from the speaker; volume changes and is reset after the citizen; zoom, contrast, large text,
low reach; captions for sounds; guidance in English where espeak-ng cannot speak the language.
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pygame
import pytest

from kiosk import view
from kiosk.screens.audio import gain_for
from kiosk.screens.frame import LOW_REACH_TOP_FRACTION
from kiosk.screens.pages.identify import displayed_rrn
from kiosk.screens.samples import sample_snapshot
from kiosk.screens.speech import SpeechEngine
from kiosk.screens.state import DEFAULT_VOLUME

from .fake_core import FakeCore
from .helpers import FakeClock, Harness

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed")
RRN = "9001011234567"


def type_rrn(harness: Harness, core: FakeCore, digits: str) -> None:
    for digit in digits:
        harness.ui.press_key(digit)
        harness.ui.step(0)
        core.handle()
        harness.ui.step(0)


def settle(harness: Harness) -> None:
    """Let the speech worker finish what it was asked (poll, with a deadline)."""
    engine = harness.ui.speech
    deadline = pygame.time.get_ticks() + 10_000
    while pygame.time.get_ticks() < deadline:
        harness.ui.step(50)
        if engine is None or not engine.busy:
            harness.ui.step(100)
            return
    raise AssertionError("speech did not settle")


def test_rrn_is_masked_whatever_the_snapshot_carries() -> None:
    assert displayed_rrn("9001011234567") == "900101-*******"
    assert displayed_rrn(view.mask_rrn("90010112")) == "900101-**_____"
    assert displayed_rrn("") == "______-_______"
    assert displayed_rrn("12345678901234567") == "123456-*******"


@needs_espeak
def test_rrn_is_never_spoken_on_the_speaker_only_counted() -> None:
    harness = Harness(replace(sample_snapshot("identity", "en"), rrn_masked=""),
                      speech=SpeechEngine())
    core = FakeCore(harness.channel, harness.intents)
    try:
        type_rrn(harness, core, RRN[:6])
        settle(harness)
        type_rrn(harness, core, RRN[6:])
        settle(harness)
        spoken = harness.speaker.texts()
        assert "6 of 13 digits entered." in spoken and "13 of 13 digits entered." in spoken
        assert not any(d in " ".join(spoken) for d in ("900101", "1234567"))
        assert not any(text.strip().isdigit() for text in spoken), "no digit read out"
        assert harness.speaker.texts("cue").count("Key tone") == len(RRN)
        assert harness.headset.played == []
        assert "1234567" not in " ".join(w.text for w in harness.layout.widgets)
    finally:
        harness.close()


@needs_espeak
def test_with_an_earphone_everything_is_private_and_the_speaker_is_silent() -> None:
    harness = Harness(replace(sample_snapshot("identity", "en"), rrn_masked="", headset=True),
                      speech=SpeechEngine())
    core = FakeCore(harness.channel, harness.intents)
    try:
        assert harness.ui.state.speech_on, "plugging in an earphone starts voice guidance"
        for digit in RRN[:8]:
            type_rrn(harness, core, digit)
            settle(harness)
        assert harness.speaker.played == []
        private = [clip.text for clip, _gain in harness.headset.played if clip.private]
        assert [text.split()[0] for text in private] == list(RRN[:6]), \
            "visible digits read back, privately, one by one"
        assert private[-1] == "1 6 of 13 digits entered."
        assert "caption" not in {w.id for w in harness.layout.widgets} or \
            RRN[:6] not in harness.widget("caption.text").text
        core.snap = replace(core.snap, headset=False)
        harness.publish(core.snap)
        type_rrn(harness, core, RRN[8:])
        settle(harness)
        assert all(not clip.private for clip, _gain in harness.speaker.played)
        assert "13 of 13 digits entered." in harness.speaker.texts()
    finally:
        harness.close()


def test_volume_keys_change_the_level_and_the_next_citizen_starts_at_default() -> None:
    harness = Harness(sample_snapshot("catalogue", "en"))
    core = FakeCore(harness.channel, harness.intents)
    try:
        for _ in range(3):
            harness.ui.press_key("volume_up")
            harness.ui.step(0)
        assert harness.ui.router.level == DEFAULT_VOLUME + 3
        assert core.handle() == [view.ChangeVolume(1)] * 3
        harness.ui.step(0)
        harness.tap("access.volume_down")
        assert harness.ui.router.level == DEFAULT_VOLUME + 2
        core.present(("document",))
        harness.ui.step(0)
        assert harness.speaker.played[-1][1] == gain_for(DEFAULT_VOLUME + 2)
        core.end()
        harness.ui.step(0)
        assert harness.ui.router.level == DEFAULT_VOLUME
        assert harness.ui.state.volume == DEFAULT_VOLUME and not harness.ui.state.keypad_mode
        assert harness.speaker.stops > 0, "anything still playing is cut at the end"
    finally:
        harness.close()


def test_zoom_doubles_everything_and_follows_the_focus() -> None:
    harness = Harness(sample_snapshot("identity", "ko"))
    try:
        normal_key = harness.widget("key.9").rect
        harness.tap("access.magnify")
        assert harness.ui.state.magnified
        assert harness.layout.size == (2160, 3840)
        assert harness.widget("key.9").rect[2] >= 2 * normal_key[2] - 2
        for _ in range(9):
            harness.ui.press_key("hash")
            harness.ui.step(0)
        x, y, w, h = harness.widget(harness.ui.state.focus_id).rect
        pan_x, pan_y = harness.ui.state.pan
        assert pan_x <= x and x + w <= pan_x + 1080 and pan_y <= y and y + h <= pan_y + 1920
        before = harness.ui.state.pan
        common = {"touch_id": 1, "finger_id": 0, "dx": 0, "dy": 0, "pressure": 1}
        for kind, fy in ((pygame.FINGERDOWN, 0.5), (pygame.FINGERMOTION, 0.4),
                         (pygame.FINGERMOTION, 0.3), (pygame.FINGERUP, 0.3)):
            pygame.event.post(pygame.event.Event(kind, x=0.5, y=fy, **common))
        harness.ui.step(0)
        assert harness.ui.state.pan[1] != before[1], "a drag pans the magnified screen"
        assert view.RrnDigit("5") not in harness.drain(), "a drag presses nothing"
    finally:
        harness.close()


def test_contrast_large_text_and_low_reach_switches_apply_at_once() -> None:
    harness = Harness(sample_snapshot("catalogue", "ko"))
    try:
        body_px = harness.widget("instruction").font_px
        harness.tap("access.contrast")
        assert harness.ui.surface.get_at((5, 1900))[:3] == (0, 0, 0)
        harness.tap("access.large_text")
        assert harness.widget("instruction").font_px >= body_px * 1.3
        harness.tap("access.low_reach")
        limit = 1920 * LOW_REACH_TOP_FRACTION
        assert all(w.rect[1] >= limit for w in harness.layout.focusable())
        assert harness.widget("access.low_reach").selected
    finally:
        harness.close()


def test_every_sound_has_a_caption_that_goes_away() -> None:
    clock = FakeClock()
    harness = Harness(sample_snapshot("issuing", "en"), clock=clock)
    core = FakeCore(harness.channel, harness.intents)
    try:
        core.present(("document", "receipt"))
        harness.ui.step(0)
        assert harness.speaker.texts("cue") == ["Chime: please take your items."]
        assert harness.widget("caption.text").text == "Chime: please take your items."
        clock.advance(30)
        harness.ui.step(0)
        assert harness.layout.find("caption") is None
    finally:
        harness.close()


@needs_espeak
def test_chinese_screen_says_guidance_is_english_and_speaks_english() -> None:
    harness = Harness(sample_snapshot("catalogue", "zh"), speech=SpeechEngine())
    try:
        harness.ui.press_key("help")
        harness.ui.step(0)
        assert harness.widget("banner.voice.text").text == "语音导引暂不支持中文，将以英语播放。"
        settle(harness)
        spoken = " ".join(harness.speaker.texts())
        assert "Choose a document" in spoken
        assert not any("\u4e00" <= c <= "\u9fff" for c in spoken)
    finally:
        harness.close()


@needs_espeak
def test_help_repeats_once_even_when_the_core_echoes_a_repeat_cue() -> None:
    harness = Harness(sample_snapshot("fee", "en"), speech=SpeechEngine())
    core = FakeCore(harness.channel, harness.intents)
    try:
        harness.tap("access.speech")
        settle(harness)
        said = len(harness.speaker.texts())
        harness.tap("nav.help")
        core.handle()
        harness.ui.step(0)
        settle(harness)
        assert len(harness.speaker.texts()) == said + 1
        assert harness.speaker.texts()[-1].startswith("Fee Some services are limited")
    finally:
        harness.close()
