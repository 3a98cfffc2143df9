"""A visit that meets a fault: the printer jams on the first page of a paid document. The
citizen taps with a finger and types the RRN on the development keyboard (pygame KEYDOWN).
The failure screen says what happened, that the payment is cancelled, and what to do next;
the journal voids the transaction, the card reader's ledger holds a void and no capture, and
the kiosk, its printer down, takes no one else until a technician comes."""

from __future__ import annotations

import pygame

from kiosk.issuance.journal import TxnState
from kiosk.screens.layout import Role
from kiosk.view import NextStep, Screen
from sim.backend.subjects import SUBJECTS
from tests.ui_e2e.driver import KioskAtHand, digits

SUBJECT = "park-jiwoo"


def _walk_to_fee(kiosk: KioskAtHand) -> None:
    kiosk.tap("start")
    kiosk.wait_screen(Screen.LANGUAGE)
    kiosk.tap("lang.ko")
    kiosk.wait_screen(Screen.CATALOGUE)
    kiosk.tap("doc.resident-copy")
    kiosk.wait_screen(Screen.OPTIONS)
    kiosk.tap("confirm")
    kiosk.wait_screen(Screen.IDENTITY)
    for digit in digits(SUBJECTS[SUBJECT].rrn):
        kiosk.type_key(getattr(pygame, f"K_{digit}"), digit)
    kiosk.pump(lambda: kiosk.snapshot.rrn_complete, "the whole number typed")
    kiosk.type_key(pygame.K_RETURN)
    kiosk.wait_screen(Screen.FINGERPRINT)
    kiosk.place_finger(SUBJECT)
    kiosk.wait_screen(Screen.FEE)
    kiosk.host.act("fingerprint", "lift", {})


def test_printer_jam_voids_the_payment_and_tells_the_citizen(open_kiosk, host) -> None:
    kiosk = open_kiosk()
    _walk_to_fee(kiosk)
    host.fault("printer", "jam", params={"after_pages": 0})
    kiosk.tap(kiosk.find(role=Role.BUTTON, text="200원 결제하기"))

    kiosk.wait_screen(Screen.FAILURE)
    failure = kiosk.snapshot.failure
    assert failure is not None and failure.refunded
    assert failure.next_step_key == NextStep.REFUNDED.value
    kiosk.screenshot("failure")
    assert kiosk.find("failure.message").text == "이 기기의 일부 장치가 작동하지 않습니다."
    assert kiosk.find("failure.next").text == "결제가 취소되었습니다. 요금은 청구되지 않았습니다."
    assert kiosk.find("caption.text").text == "알림음: 문제가 발생했습니다."

    txn = kiosk.settled(lambda t: t.finished, "the transaction ended")
    assert txn.state is TxnState.VOIDED and not txn.captured and txn.pages_printed == 0
    entry = kiosk.card_ledger()[txn.txn_id]
    assert (entry["outcome"], entry["settlement"], entry["authorisations"]) == \
        ("approved", "voided", 1)
    assert host.emulators["card_reader"].state()["counters"]["captures"] == 0
    [job] = host.emulators["printer"].state()["jobs"]
    assert (job["printed"], job["result"]) == (0, "RESOURCE_CANCELED")

    kiosk.tap(kiosk.find(role=Role.BUTTON, text="확인"))
    kiosk.wait_screen(Screen.OUT_OF_SERVICE)
    kiosk.screenshot("out-of-service")
    shown = kiosk.all_text()
    assert "지금은 인쇄할 수 없습니다." in shown, "what does not work"
    assert "민원 창구를 방문하시거나 정부24(www.gov.kr)에서 온라인으로 발급받으세요." in shown, \
        "where to go instead"
    assert kiosk.layout.find("start") is None, "no one else can start a visit"
