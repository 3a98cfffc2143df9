"""A Korean citizen's whole visit by touch, through the real UI, core, drivers and simulators:
attract, language, 주민등록표 등본, options, the RRN on the on-screen keypad, fingerprint,
card payment, issuing page by page, collecting and the satisfaction rating.
The journal, the card reader's ledger and the printer's output say the document was issued
and paid once; the RRN is never on the screen beyond the birth date."""

from __future__ import annotations

import re

from kiosk.issuance.journal import TxnState
from kiosk.screens.layout import Role
from kiosk.view import Screen
from sim.backend.subjects import SUBJECTS
from tests.ui_e2e.driver import KioskAtHand, digits

SUBJECT = "hong-gildong"
RRN_DIGITS = "".join(digits(SUBJECTS[SUBJECT].rrn))
#: What the identity screen may show: the birth date, the dash, a star per hidden digit.
MASKED = f"{RRN_DIGITS[:6]}-{'*' * 7}"
HIDDEN = RRN_DIGITS[6:]
#: The printer emulator's speed for this test (1 = a real printer's 2 s a page): slow enough
#: that each page's progress is on the screen for a few frames, fast enough for the test.
PRINTER_TIMING = 0.5
PAGE_PROGRESS = re.compile(r"전체 (\d+)쪽 중 (\d+)쪽을 인쇄하고 있습니다\.")
EXPECTED_SCREENS = ["attract", "language", "catalogue", "options", "identity", "fingerprint",
                    "fee", "payment", "issuing", "collect", "thanks", "attract"]


def _type_rrn_on_screen(kiosk: KioskAtHand) -> None:
    for digit in RRN_DIGITS:
        kiosk.tap(kiosk.find(role=Role.KEY, text=digit))
    kiosk.pump(lambda: kiosk.find("rrn").text == MASKED, "the whole number typed")


def _pages_shown(kiosk: KioskAtHand, pages: set[tuple[int, int]]) -> bool:
    """Note the 'page x of y' the issuing screen shows now; True once the collect screen is
    up."""
    if kiosk.screen == Screen.ISSUING.value:
        match = PAGE_PROGRESS.fullmatch(kiosk.find("progress.text").text)
        if match is not None:
            if not pages:
                kiosk.screenshot("issuing-printing")
            pages.add((int(match.group(2)), int(match.group(1))))
    return kiosk.screen == Screen.COLLECT.value


def test_korean_touch_visit_issues_one_paid_document(open_kiosk, host) -> None:
    kiosk = open_kiosk()
    host.emulators["printer"].timing = PRINTER_TIMING
    kiosk.tap(kiosk.find(role=Role.BUTTON, text="시작하기"))
    kiosk.wait_screen(Screen.LANGUAGE)
    kiosk.tap(kiosk.find(role=Role.BUTTON, text="한국어"))
    kiosk.wait_screen(Screen.CATALOGUE)
    document = kiosk.find(role=Role.BUTTON, text="주민등록표 등본")
    assert document.detail == "200원"
    kiosk.tap(document)
    kiosk.wait_screen(Screen.OPTIONS)
    kiosk.tap("option.address-history.recent-5y")
    kiosk.pump(lambda: kiosk.find("option.address-history.recent-5y").selected,
               "the option chosen")
    kiosk.tap(kiosk.find(role=Role.BUTTON, text="다음"))

    kiosk.wait_screen(Screen.IDENTITY)
    assert not kiosk.find("confirm").enabled, "nothing typed yet"
    _type_rrn_on_screen(kiosk)
    assert kiosk.snapshot.rrn_masked == MASKED
    assert HIDDEN not in kiosk.all_text()
    assert all(HIDDEN not in snapshot.rrn_masked for snapshot in kiosk.snapshots)
    kiosk.screenshot("identity")
    kiosk.tap("confirm")

    kiosk.wait_screen(Screen.FINGERPRINT)
    assert kiosk.find("attempts").text == "남은 시도 횟수: 3회"
    kiosk.place_finger(SUBJECT)
    kiosk.wait_screen(Screen.FEE)
    kiosk.host.act("fingerprint", "lift", {})
    assert RRN_DIGITS[:6] not in kiosk.all_text(), "the number is gone once identified"
    assert kiosk.find("total").text == "합계: 200원"
    kiosk.tap(kiosk.find(role=Role.BUTTON, text="200원 결제하기"))

    pages: set[tuple[int, int]] = set()
    kiosk.pump(lambda: _pages_shown(kiosk, pages), "the document printed and presented")
    assert pages == {(1, 1)}, pages
    kiosk.screenshot("collect")
    items = kiosk.all_text()
    assert "서류 배출구에서 서류를 가져가세요." in items and "영수증을 챙겨 가세요." in items
    assert kiosk.screen == Screen.COLLECT.value, "the kiosk waits for the citizen"
    kiosk.take_document()

    kiosk.wait_screen(Screen.THANKS)
    kiosk.tap(kiosk.find(role=Role.FACE, text="매우 만족"))
    kiosk.wait_screen(Screen.ATTRACT)
    assert kiosk.screens_seen() == EXPECTED_SCREENS

    txn = kiosk.settled(lambda t: t.state is TxnState.COMPLETED, "the transaction completed")
    assert txn.captured and txn.fee_won == 200 and txn.pages_printed == 1
    printed = host.run_dir / "output" / "printer" / f"{txn.txn_id}.pdf"
    assert printed.read_bytes().startswith(b"%PDF-")
    entry = kiosk.card_ledger()[txn.txn_id]
    assert (entry["settlement"], entry["authorisations"]) == ("captured", 1)
