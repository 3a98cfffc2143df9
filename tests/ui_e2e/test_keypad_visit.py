"""An English visit by a citizen who uses only the physical keypad (a blind citizen, or one
who cannot reach the screen): every key travels the panel emulator, the panel protocol, the
panel driver and ``KioskApp.key_listeners`` to the UI. Help wakes keypad mode and voice
guidance, '#' walks the focus ring, digits pick a choice or type the RRN, enter activates,
cancel leaves. Nothing touches the screen; nothing of the RRN is spoken."""

from __future__ import annotations

import shutil

import pytest

from kiosk.issuance.journal import TxnState
from kiosk.view import Screen
from sim.backend.subjects import SUBJECTS
from tests.ui_e2e.driver import KioskAtHand, RecordingSink, digits

SUBJECT = "hong-gildong"
RRN_DIGITS = "".join(digits(SUBJECTS[SUBJECT].rrn))
MASKED = f"{RRN_DIGITS[:6]}-{'*' * 7}"

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is not installed (voice guidance)")


def _ring_shown(kiosk: KioskAtHand) -> None:
    """Keypad mode is on and the focus ring is on a control of this screen."""
    assert kiosk.ui.state.keypad_mode, f"keypad mode is off on {kiosk.screen}"
    assert kiosk.ui.state.focus_id in {w.id for w in kiosk.layout.focusable()}, kiosk.screen


def _spoken(speaker: RecordingSink) -> str:
    return "\n".join(speaker.texts())


def _times_said(speaker: RecordingSink, words: str) -> int:
    return sum(text.startswith(words) for text in speaker.texts())


def test_english_keypad_only_visit(open_kiosk) -> None:
    speaker, headset = RecordingSink("speaker"), RecordingSink("headset")
    kiosk = open_kiosk(sinks=(speaker, headset))
    kiosk.panel_key("help")
    assert kiosk.ui.state.keypad_mode and kiosk.ui.state.speech_on
    kiosk.pump(lambda: _times_said(speaker, "무인민원발급기") >= 1, "the attract screen read")
    _ring_shown(kiosk)
    kiosk.choose_by_keypad("start")

    kiosk.wait_screen(Screen.LANGUAGE)
    _ring_shown(kiosk)
    kiosk.choose_by_keypad("lang.en")
    kiosk.wait_screen(Screen.CATALOGUE)
    assert kiosk.layout.language == "en"
    kiosk.pump(lambda: "Choose a document" in _spoken(speaker), "the catalogue read in English")
    kiosk.panel_key("1")
    assert kiosk.ui.state.focus_id == "doc.resident-copy", "digit 1 picks the first document"
    _ring_shown(kiosk)
    kiosk.panel_key("enter")

    kiosk.wait_screen(Screen.OPTIONS)
    _ring_shown(kiosk)
    kiosk.choose_by_keypad("confirm")

    kiosk.wait_screen(Screen.IDENTITY)
    _ring_shown(kiosk)
    for digit in RRN_DIGITS:
        kiosk.panel_key(digit)
    kiosk.pump(lambda: kiosk.find("rrn").text == MASKED, "the whole number typed")
    kiosk.panel_key("enter")

    kiosk.wait_screen(Screen.FINGERPRINT)
    _ring_shown(kiosk)
    kiosk.place_finger(SUBJECT)
    kiosk.wait_screen(Screen.FEE)
    kiosk.host.act("fingerprint", "lift", {})
    _ring_shown(kiosk)
    kiosk.choose_by_keypad("confirm")

    kiosk.wait_screen(Screen.COLLECT)
    kiosk.screenshot("collect-keypad")
    kiosk.take_document()
    kiosk.wait_screen(Screen.THANKS)
    _ring_shown(kiosk)
    said = kiosk.pump(lambda: _times_said(speaker, "Thank you"), "the thanks screen read")
    kiosk.panel_key("help")
    kiosk.pump(lambda: _times_said(speaker, "Thank you") > said, "the thanks screen again")
    kiosk.panel_key("cancel")
    kiosk.wait_screen(Screen.ATTRACT)
    assert not kiosk.ui.state.keypad_mode, "keypad mode ends with the visit"

    assert kiosk.screens_seen() == ["attract", "language", "catalogue", "options", "identity",
                                    "fingerprint", "fee", "payment", "issuing", "collect",
                                    "thanks", "attract"]
    txn = kiosk.settled(lambda t: t.state is TxnState.COMPLETED, "the transaction completed")
    assert txn.captured and kiosk.card_ledger()[txn.txn_id]["settlement"] == "captured"
    spoken = _spoken(speaker)
    assert RRN_DIGITS[:6] not in spoken and RRN_DIGITS[6:] not in spoken
    assert headset.played == [], "no earphone is plugged in"
