"""Whole visits through the real UI, driven by posted SDL finger, mouse and key events, with a
tiny fake core answering the intents the way the session does: a Korean touch visit, an
English keypad-only visit, a visit that times out and one that ends in a payment failure."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pygame
import pytest

from kiosk import view
from kiosk.screens.samples import sample_snapshot
from kiosk.screens.speech import SpeechEngine

from .fake_core import FakeCore
from .helpers import FakeClock, Harness

RRN = "9001011234567"
HIDDEN = RRN[view.RRN_VISIBLE_DIGITS:]


@pytest.fixture
def visit() -> Iterator[tuple[Harness, FakeCore]]:
    harness = Harness(sample_snapshot("attract", "ko"))
    core = FakeCore(harness.channel, harness.intents)
    yield harness, core
    harness.close()


def act(harness: Harness, core: FakeCore) -> list[view.Intent]:
    """Let the core answer what the UI sent, and the UI draw the answer."""
    handled = core.handle()
    harness.ui.step(0)
    return handled


def tap(harness: Harness, core: FakeCore, widget_id: str, via: str = "touch") -> list:
    harness.tap(widget_id, via=via)
    return act(harness, core)


def press(harness: Harness, core: FakeCore, key: int, unicode: str = "") -> list:
    harness.key(key, unicode)
    return act(harness, core)


def screen(harness: Harness) -> str:
    return harness.layout.screen


def all_text(harness: Harness) -> str:
    return "\n".join(w.text + " " + w.speech for w in harness.layout.widgets)


def test_korean_touch_visit_from_start_to_rating(visit) -> None:
    harness, core = visit
    assert tap(harness, core, "start") == [view.Start()]
    assert screen(harness) == "language"
    assert tap(harness, core, "lang.ko") == [view.ChooseLanguage("ko")]
    assert screen(harness) == "catalogue"
    assert harness.widget("doc.resident-abstract").detail == "200원"
    assert tap(harness, core, "doc.resident-abstract") == \
        [view.ChooseDocument("resident-abstract")]
    assert tap(harness, core, "option.address_history.all") == \
        [view.SetOption("address_history", "all")]
    assert harness.widget("option.address_history.all").selected
    tap(harness, core, "confirm")
    assert screen(harness) == "identity"
    for digit in RRN:
        assert tap(harness, core, f"key.{digit}") == [view.RrnDigit(digit)]
    assert harness.widget("rrn").text == "900101-*******"
    assert HIDDEN not in all_text(harness)
    assert harness.widget("confirm").enabled
    tap(harness, core, "confirm")
    assert screen(harness) == "fingerprint"
    core.fingerprint(view.FingerprintHint.WET.value)
    harness.ui.step(0)
    assert harness.widget("hint").text == \
        "손가락에 물기가 있습니다. 물기를 닦고 다시 시도해 주세요."
    core.fingerprint(None)
    harness.ui.step(0)
    assert screen(harness) == "fee"
    assert tap(harness, core, "copies.more") == [view.SetCopies(2)]
    assert "400원" in harness.widget("total").text
    tap(harness, core, "confirm")
    assert screen(harness) == "payment"
    core.pay(approved=True)
    harness.ui.step(0)
    core.print_pages(3)
    harness.ui.step(0)
    assert harness.widget("progress.text").text == "전체 3쪽 중 3쪽을 인쇄하고 있습니다."
    core.present(("document", "card", "receipt"))
    harness.ui.step(0)
    assert screen(harness) == "collect"
    cues = harness.speaker.texts("cue")
    assert cues.count("키 누름음") == len(RRN), "a key tone per RRN digit"
    assert cues[-1] == "알림음: 물건을 챙겨 가세요."
    assert harness.widget("caption.text").text == "알림음: 물건을 챙겨 가세요."
    for item in ("card", "receipt", "document"):
        core.take(item)
        harness.ui.step(0)
    assert screen(harness) == "thanks"
    assert tap(harness, core, "rating.5") == [view.RateSatisfaction(5)]
    assert core.ratings == [5]
    assert screen(harness) == "attract"
    sent = [i for i in core.received if not isinstance(i, view.Activity)]
    assert len(sent) == 7 + len(RRN) + 1 + 1, "one intent per tap, no duplicates"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_english_keypad_only_visit_with_voice_guidance() -> None:
    harness = Harness(sample_snapshot("attract", "ko"), speech=SpeechEngine())
    core = FakeCore(harness.channel, harness.intents)
    try:
        assert press(harness, core, pygame.K_RETURN) == []
        assert harness.ui.state.speech_on and harness.ui.state.keypad_mode
        assert harness.ui.state.focus_id == "start"
        press(harness, core, pygame.K_3)
        assert harness.ui.state.focus_id == "lang.en"
        assert press(harness, core, pygame.K_RETURN) == [view.ChooseLanguage("en")]
        assert screen(harness) == "catalogue" and harness.layout.language == "en"
        harness.pump_until(lambda: any("Choose a document" in t
                                       for t in harness.speaker.texts()))
        press(harness, core, pygame.K_3, "#")
        assert harness.ui.state.focus_id == "doc.resident-abstract"
        press(harness, core, pygame.K_RETURN)
        assert screen(harness) == "options"
        while harness.ui.state.focus_id != "confirm":
            press(harness, core, pygame.K_TAB)
        press(harness, core, pygame.K_RETURN)
        assert screen(harness) == "identity"
        for digit in RRN:
            assert press(harness, core, getattr(pygame, f"K_{digit}")) == [view.RrnDigit(digit)]
        assert press(harness, core, pygame.K_BACKSPACE) == [view.RrnBackspace()]
        press(harness, core, pygame.K_7)
        assert press(harness, core, pygame.K_RETURN) == [view.Confirm()]
        assert screen(harness) == "fingerprint"
        spoken = " ".join(harness.speaker.texts())
        assert HIDDEN not in spoken and "900101" not in spoken
        core.fingerprint(None)
        harness.ui.step(0)
        while harness.ui.state.focus_id != "copies.more":
            press(harness, core, pygame.K_8, "*")
        assert press(harness, core, pygame.K_RETURN) == [view.SetCopies(2)]
        while harness.ui.state.focus_id != "confirm":
            press(harness, core, pygame.K_3, "#")
        press(harness, core, pygame.K_RETURN)
        assert screen(harness) == "payment"
        core.pay(approved=True)
        core.present(("document",))
        harness.ui.step(0)
        core.take("document")
        harness.ui.step(0)
        assert screen(harness) == "thanks"
        press(harness, core, pygame.K_4)
        assert harness.ui.state.focus_id == "rating.4"
        assert press(harness, core, pygame.K_RETURN) == [view.RateSatisfaction(4)]
        assert screen(harness) == "attract"
        assert not harness.ui.state.speech_on and not harness.ui.state.keypad_mode
    finally:
        harness.close()


def test_visit_that_times_out_after_one_extension() -> None:
    clock = FakeClock()
    harness = Harness(sample_snapshot("attract", "ko"), clock=clock)
    core = FakeCore(harness.channel, harness.intents)
    try:
        tap(harness, core, "start")
        tap(harness, core, "lang.en")
        tap(harness, core, "access.contrast")
        assert harness.ui.state.high_contrast
        core.idle_warning(20)
        harness.ui.step(0)
        assert harness.layout.modal
        assert harness.widget("dialog.countdown").text == "The screen will close in 20 seconds."
        assert harness.layout.hit(*harness.center("doc.resident-copy")) is None
        clock.advance(5.2)
        harness.ui.step(0)
        assert harness.widget("dialog.countdown").text == "The screen will close in 15 seconds."
        assert tap(harness, core, "dialog.extend") == [view.ExtendTime()]
        assert not harness.layout.modal
        core.idle_warning(20)
        harness.ui.step(0)
        clock.advance(20)
        core.end()
        harness.ui.step(0)
        assert screen(harness) == "attract" and not harness.layout.modal
        assert not harness.ui.state.high_contrast, "switches reset after the citizen"
    finally:
        harness.close()


def test_visit_with_a_payment_fault_ends_on_a_clear_failure(visit) -> None:
    harness, core = visit
    tap(harness, core, "start")
    tap(harness, core, "lang.ko")
    tap(harness, core, "doc.land-register", via="mouse")
    tap(harness, core, "confirm", via="touch+mouse")
    assert screen(harness) == "fee"
    assert harness.widget("confirm").text == "무료로 발급하기"
    tap(harness, core, "nav.back")
    tap(harness, core, "nav.back")
    tap(harness, core, "doc.family-relation")
    tap(harness, core, "confirm")
    for digit in RRN:
        tap(harness, core, f"key.{digit}")
    tap(harness, core, "confirm")
    core.fingerprint(None)
    harness.ui.step(0)
    tap(harness, core, "confirm")
    core.pay(approved=False)
    harness.ui.step(0)
    assert screen(harness) == "failure"
    assert harness.widget("failure.message").text == \
        "여러 번 시도했지만 카드 결제가 되지 않았습니다."
    assert harness.widget("failure.next").text == "몇 분 뒤에 다시 시도해 주세요."
    assert "issuance.payment_declined" in harness.widget("failure.code").text
    assert harness.speaker.texts("cue")[-1] == "알림음: 문제가 발생했습니다."
    assert tap(harness, core, "confirm") == [view.Confirm()]
    assert screen(harness) == "attract"
