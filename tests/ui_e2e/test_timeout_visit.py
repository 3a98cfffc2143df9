"""A visit that times out: the citizen (by mouse) gets as far as the fee and walks away. The
'need more time?' dialog comes ``idle_timeout_s - idle_warning_s`` after the last action,
counts down, and the visit ends back at the attract screen with the quoted transaction
closed and nothing charged or printed.

``KioskApp`` builds its session on ``time.monotonic``, so this test waits real time: the
shortest timeouts the config allows (30 s, of which 20 s of warning)."""

from __future__ import annotations

import re
import time

import pytest

from kiosk.issuance.journal import TxnState
from kiosk.view import Screen
from sim.backend.subjects import SUBJECTS
from tests.ui_e2e.driver import KioskAtHand, digits

SUBJECT = "kim-minji"
#: The config's minimums (kiosk.config UiConfig: idle_timeout_s >= 30, idle_warning_s >= 20).
IDLE_TIMEOUT_S = 30.0
IDLE_WARNING_S = 20.0
#: Slack for the core's and the UI's loops on a busy machine.
SLACK_S = 3.0


def _walk_to_fee(kiosk: KioskAtHand) -> None:
    kiosk.tap("start", via="mouse")
    kiosk.wait_screen(Screen.LANGUAGE)
    kiosk.tap("lang.ko", via="mouse")
    kiosk.wait_screen(Screen.CATALOGUE)
    kiosk.tap("doc.resident-copy", via="mouse")
    kiosk.wait_screen(Screen.OPTIONS)
    kiosk.tap("confirm", via="mouse")
    kiosk.wait_screen(Screen.IDENTITY)
    for digit in digits(SUBJECTS[SUBJECT].rrn):
        kiosk.tap(f"key.{digit}", via="mouse")
    kiosk.pump(lambda: kiosk.snapshot.rrn_complete, "the whole number typed")
    kiosk.tap("confirm", via="mouse")
    kiosk.wait_screen(Screen.FINGERPRINT)
    kiosk.place_finger(SUBJECT)
    kiosk.wait_screen(Screen.FEE)
    kiosk.host.act("fingerprint", "lift", {})


def _countdown(kiosk: KioskAtHand) -> int:
    match = re.search(r"\d+", kiosk.find("dialog.countdown").text)
    assert match is not None, kiosk.find("dialog.countdown").text
    return int(match.group())


@pytest.mark.slow
def test_visit_times_out_with_warning_and_charges_nothing(open_kiosk) -> None:
    kiosk = open_kiosk(idle_timeout_s=IDLE_TIMEOUT_S, idle_warning_s=IDLE_WARNING_S)
    _walk_to_fee(kiosk)
    walked_away = time.monotonic()
    assert not kiosk.layout.modal

    kiosk.pump(lambda: kiosk.layout.modal, "the 'need more time?' dialog",
               IDLE_TIMEOUT_S - IDLE_WARNING_S + SLACK_S)
    warned = time.monotonic()
    assert warned - walked_away >= IDLE_TIMEOUT_S - IDLE_WARNING_S - SLACK_S
    left = kiosk.snapshot.idle_seconds_left
    assert left is not None and IDLE_WARNING_S - SLACK_S <= left <= IDLE_WARNING_S
    assert kiosk.find("dialog.title").text == "시간이 더 필요하신가요?"
    first = _countdown(kiosk)
    assert IDLE_WARNING_S - SLACK_S <= first <= IDLE_WARNING_S
    kiosk.find("dialog.extend")
    assert kiosk.layout.hit(*kiosk.center("confirm")) is None, "the dialog is modal"
    kiosk.screenshot("timeout-warning")
    kiosk.pump(lambda: kiosk.layout.modal and _countdown(kiosk) <= first - 2,
               "the countdown going down", timeout_s=5)

    kiosk.wait_screen(Screen.ATTRACT, IDLE_WARNING_S + SLACK_S)
    assert time.monotonic() - warned >= IDLE_WARNING_S - SLACK_S
    assert not kiosk.layout.modal
    assert kiosk.screens_seen()[-2:] == ["fee", "attract"]

    txn = kiosk.settled(lambda t: t.finished, "the quoted transaction closed")
    assert txn.state is TxnState.FAILED and not txn.captured and txn.approval_code is None
    assert kiosk.card_ledger() == {}, "the card reader was never asked for money"
    assert kiosk.host.emulators["printer"].state()["jobs"] == []

