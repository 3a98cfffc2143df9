"""The citizen session at its edges: idle timeouts, cancel at every step, collecting and
retracting, devices going down, service mode, stale events, and the privacy reset."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk import session_events as ev
from kiosk import view
from kiosk.errors import ConfigError
from kiosk.session import Session
from kiosk.session_effects import (
    AbortTransaction,
    CaptureFingerprint,
    EndReason,
    EndSession,
    PlayCue,
    RetractDocument,
    StartIssuing,
)
from kiosk.session_settings import (
    PAYMENT_GUARD_S,
    REMINDER_INTERVAL_S,
    THANKS_TIMEOUT_S,
    VOLUME_DEFAULT,
    SessionSettings,
)
from kiosk.session_visit import Phase
from kiosk.view import Screen, ServiceState
from tests.session.harness import (
    ALL_DEVICES,
    RRN,
    SEOUL,
    Driver,
    personal_leftovers,
    shipped_catalogue,
)

# ---------------------------------------------------------------------- idle timeout


def test_idle_warning_twenty_seconds_before_the_end_and_a_countdown() -> None:
    kiosk = Driver()
    kiosk.choose("resident-copy")
    kiosk.wait(39.5)
    assert kiosk.snap.idle_seconds_left is None
    kiosk.wait(0.5)
    assert kiosk.snap.idle_seconds_left == 20
    assert PlayCue(view.Cue.IDLE_WARNING) in kiosk.effects
    seq = kiosk.snap.seq
    kiosk.wait(1)
    assert kiosk.snap.idle_seconds_left == 19 and kiosk.snap.seq > seq
    kiosk.wait(18.9)
    assert kiosk.snap.screen is Screen.OPTIONS
    kiosk.wait(0.1)
    assert kiosk.snap.screen is Screen.ATTRACT
    assert kiosk.last(EndSession).reason is EndReason.TIMEOUT


@pytest.mark.parametrize("intent", [view.ExtendTime(), view.Activity()])
def test_more_time_restarts_the_idle_timer(intent: view.Intent) -> None:
    kiosk = Driver()
    kiosk.choose("resident-copy")
    kiosk.wait(45)
    assert kiosk.snap.idle_seconds_left is not None
    kiosk.intent(intent)
    assert kiosk.snap.idle_seconds_left is None
    kiosk.wait(59)
    assert kiosk.snap.screen is Screen.OPTIONS


def test_a_late_tick_still_shows_the_whole_warning() -> None:
    kiosk = Driver()
    kiosk.choose("resident-copy")
    kiosk.clock.advance(600)
    kiosk.session.tick()
    assert kiosk.snap.idle_seconds_left == 20 and kiosk.snap.screen is Screen.OPTIONS


def test_timeout_after_identity_aborts_the_open_transaction() -> None:
    kiosk = Driver()
    kiosk.choose("family-relation")
    kiosk.intent(view.Confirm())
    txn = kiosk.txn
    kiosk.type_rrn()
    kiosk.wait(60)
    assert kiosk.effects[-2:] == [AbortTransaction(txn, EndReason.TIMEOUT),
                                  EndSession(1, EndReason.TIMEOUT)]


def test_no_idle_timeout_while_a_device_works_but_a_guard() -> None:
    kiosk = Driver()
    kiosk.choose("land-register")
    kiosk.intent(view.Confirm())
    kiosk.intent(view.Confirm())
    kiosk.wait(PAYMENT_GUARD_S - 1)
    assert kiosk.snap.screen is Screen.PAYMENT and kiosk.snap.idle_seconds_left is None
    kiosk.wait(1)
    assert kiosk.snap.failure.message_key == "failure.no_response"
    assert kiosk.of(AbortTransaction)


# ---------------------------------------------------------------------- cancel


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 4])
def test_cancel_before_money_ends_at_once(steps: int) -> None:
    kiosk = Driver()
    kiosk.intent(view.Start())
    walk = [view.ChooseLanguage("ko"), view.ChooseDocument("family-relation"), view.Confirm(),
            view.RrnDigit("9")][:steps]
    for intent in walk:
        kiosk.intent(intent)
    kiosk.intent(view.Cancel())
    assert kiosk.snap.screen is Screen.ATTRACT
    assert kiosk.last(EndSession).reason is EndReason.CANCELLED
    assert bool(kiosk.of(AbortTransaction)) == (steps >= 3)


@pytest.mark.parametrize("refunded", [False, True])
def test_cancel_during_payment_goes_through_the_core(refunded: bool) -> None:
    kiosk = Driver()
    kiosk.choose("land-register")
    kiosk.intent(view.Confirm())
    kiosk.intent(view.Confirm())
    txn = kiosk.txn
    kiosk.intent(view.Cancel())
    assert kiosk.last(AbortTransaction) == AbortTransaction(txn, EndReason.CANCELLED)
    assert kiosk.snap.screen is Screen.FAILURE
    assert kiosk.snap.failure.message_key == "failure.cancelling"
    assert not kiosk.of(EndSession)
    kiosk.event(ev.PaymentApproved(txn))                     # too late: the core voids it
    assert not kiosk.of(StartIssuing)
    kiosk.event(ev.TransactionAborted(txn, refunded=refunded))
    assert kiosk.snap.failure.refunded is refunded
    kiosk.intent(view.Confirm())
    assert kiosk.snap.screen is Screen.ATTRACT


def test_cancel_after_approval_while_printing_aborts_before_attract() -> None:
    kiosk = Driver()
    kiosk.choose("land-register")
    kiosk.intent(view.Confirm())
    txn = kiosk.pay()
    kiosk.event(ev.IssuingProgress(txn, view.IssuingStep.PRINTING, 0, 1))
    kiosk.intent(view.Cancel())
    abort_at = kiosk.effects.index(AbortTransaction(txn, EndReason.CANCELLED))
    kiosk.wait(600)
    assert kiosk.snap.screen is Screen.ATTRACT
    assert abort_at < kiosk.effects.index(kiosk.last(EndSession))


def test_cancel_on_the_collect_screen_only_reminds_until_the_document_is_taken() -> None:
    kiosk = Driver()
    kiosk.choose("land-register")
    kiosk.intent(view.Confirm())
    txn = kiosk.pay()
    kiosk.event(ev.DocumentPresented(txn))
    kiosk.intent(view.Cancel())
    assert kiosk.snap.screen is Screen.COLLECT and kiosk.snap.cue == "collect.reminder"
    assert not kiosk.of(AbortTransaction)
    kiosk.event(ev.DocumentTaken(txn))
    kiosk.intent(view.Cancel())
    assert kiosk.snap.screen is Screen.ATTRACT
    assert kiosk.last(EndSession).reason is EndReason.COMPLETED


# ---------------------------------------------------------------------- collecting


def test_reminders_then_retract_when_the_document_is_not_taken() -> None:
    kiosk = Driver(collect_timeout_s=60)
    kiosk.choose("land-register")
    kiosk.intent(view.Confirm())
    txn = kiosk.pay()
    kiosk.event(ev.DocumentPresented(txn))
    kiosk.wait(59)
    reminders = [e for e in kiosk.effects if e == PlayCue(view.Cue.COLLECT_REMINDER)]
    assert len(reminders) == int(59 // REMINDER_INTERVAL_S)
    assert not kiosk.of(RetractDocument)
    kiosk.wait(1)
    assert kiosk.last(RetractDocument) == RetractDocument(txn)
    kiosk.event(ev.DocumentRetracted(txn))
    assert kiosk.snap.failure == view.Failure("failure.retracted", "next.ask_staff")
    kiosk.wait(60)
    assert kiosk.last(EndSession).reason is EndReason.RETRACTED
    assert not kiosk.of(AbortTransaction)


def test_thanks_screen_returns_to_attract_on_its_own() -> None:
    kiosk = Driver(site="seoul-junggu")
    kiosk.choose("land-register")
    kiosk.intent(view.Confirm())
    kiosk.issue_and_take(kiosk.last(StartIssuing).txn)
    kiosk.wait(THANKS_TIMEOUT_S)
    assert kiosk.snap.screen is Screen.ATTRACT


# ---------------------------------------------------------------------- devices and service


def test_starts_out_of_service_until_devices_report() -> None:
    kiosk = Driver(devices=())
    assert kiosk.snap.screen is Screen.OUT_OF_SERVICE
    kiosk.intent(view.Start())
    assert kiosk.snap.screen is Screen.OUT_OF_SERVICE and kiosk.session.visit_number is None
    kiosk.event(ev.DevicesChanged(ALL_DEVICES))
    assert kiosk.snap.screen is Screen.ATTRACT


def test_degraded_binder_leaves_one_page_documents() -> None:
    kiosk = Driver(devices=ALL_DEVICES - {"binder"})
    snap = kiosk.snap
    assert snap.service_state is ServiceState.DEGRADED
    assert snap.unavailable_reasons == ("device.binder",)
    kiosk.choose("resident-copy")
    kiosk.intent(view.Back())
    kiosk.intent(view.ChooseDocument("resident-abstract"))
    assert kiosk.snap.screen is Screen.CATALOGUE


@pytest.mark.parametrize("event", [ev.DevicesChanged(ALL_DEVICES - {"printer"},
                                                     ("printer.paper_out",)),
                                   ev.BackendReachability(False)])
def test_essential_failure_takes_the_kiosk_out_of_service(event: ev.SessionEvent) -> None:
    kiosk = Driver()
    kiosk.event(event)
    assert kiosk.snap.screen is Screen.OUT_OF_SERVICE
    assert kiosk.snap.unavailable_reasons in (("printer.paper_out",), ("backend.unreachable",))


def test_a_degraded_change_does_not_end_a_visit_but_the_document_goes() -> None:
    kiosk = Driver()
    kiosk.choose("resident-abstract")
    kiosk.event(ev.DevicesChanged(ALL_DEVICES - {"panel"}))
    assert kiosk.snap.screen is Screen.OPTIONS
    kiosk.event(ev.DevicesChanged(ALL_DEVICES - {"binder"}))
    assert kiosk.snap.failure == view.Failure("unavailable.binder", "next.choose_other")
    kiosk.intent(view.Confirm())
    assert kiosk.snap.screen is Screen.CATALOGUE and kiosk.snap.selected_document is None
    assert kiosk.session.visit_number == 1


def test_office_hours_ending_mid_visit_sends_the_citizen_back() -> None:
    kiosk = Driver(start=datetime(2025, 11, 3, 17, 59, 30, tzinfo=SEOUL).timestamp())
    kiosk.choose("family-relation")
    kiosk.intent(view.Confirm())
    kiosk.type_rrn()
    kiosk.wait(30)
    assert kiosk.snap.failure.message_key == "unavailable.hours"
    assert kiosk.of(AbortTransaction)


def test_service_key_ends_an_unpaid_visit_but_not_a_paid_one() -> None:
    kiosk = Driver()
    kiosk.choose("resident-copy")
    kiosk.event(ev.ServiceModeChanged(True))
    assert kiosk.snap.screen is Screen.SERVICE
    assert kiosk.last(EndSession).reason is EndReason.SERVICE_MODE
    kiosk.event(ev.ServiceModeChanged(False))
    kiosk.choose("land-register")
    kiosk.intent(view.Confirm())
    txn = kiosk.pay()
    kiosk.event(ev.ServiceModeChanged(True))
    assert kiosk.snap.screen is Screen.ISSUING
    kiosk.issue_and_take(txn)
    kiosk.event(ev.CardRemoved())
    kiosk.intent(view.SkipRating())
    assert kiosk.snap.screen is Screen.SERVICE


def test_headset_starts_a_visit_and_volume_resets_after() -> None:
    kiosk = Driver()
    kiosk.event(ev.HeadsetChanged(True))
    assert kiosk.snap.screen is Screen.LANGUAGE and kiosk.snap.headset
    kiosk.intent(view.ChangeVolume(+3))
    kiosk.intent(view.ChangeVolume(+30))
    assert kiosk.snap.volume == 10
    kiosk.intent(view.Cancel())
    assert kiosk.snap.volume == VOLUME_DEFAULT and kiosk.snap.headset


# ---------------------------------------------------------------------- robustness


def test_stale_answers_never_reach_the_next_visit() -> None:
    kiosk = Driver()
    kiosk.choose("family-relation")
    kiosk.intent(view.Confirm())
    old_txn, old_visit = kiosk.txn, kiosk.session.visit_number
    kiosk.intent(view.Cancel())
    kiosk.choose("family-relation")
    kiosk.intent(view.Confirm())
    kiosk.type_rrn()
    kiosk.intent(view.Confirm())
    before = kiosk.snap
    kiosk.event(ev.FingerprintCaptured(old_visit))
    kiosk.event(ev.IdentityVerified(old_txn))
    kiosk.event(ev.PaymentApproved(old_txn))
    assert kiosk.session.phase is Phase.CAPTURE and kiosk.snap == before


def test_unknown_intents_and_events_are_ignored() -> None:
    kiosk = Driver()
    assert kiosk.session.handle(object()) == [] and kiosk.session.on_event(object()) == []
    kiosk.intent(view.Confirm())
    kiosk.intent(view.RrnDigit("1"))
    assert kiosk.snap.screen is Screen.ATTRACT


def test_snapshot_seq_grows_only_on_change() -> None:
    kiosk = Driver()
    first = kiosk.snap
    assert kiosk.snap.seq == first.seq
    kiosk.intent(view.Start())
    assert kiosk.snap.seq == first.seq + 1
    kiosk.intent(view.RepeatGuidance())
    assert kiosk.snap.cue == "guidance.repeat" and kiosk.snap.seq == first.seq + 2


def test_fee_overrides_must_name_catalogue_documents() -> None:
    with pytest.raises(ConfigError, match=r"fees\.passport"):
        Session(shipped_catalogue(), SessionSettings(fee_overrides={"passport": 0}),
                clock=lambda: 0.0)
    with pytest.raises(ConfigError, match="idle_warning_s"):
        SessionSettings(idle_warning_s=10)


def test_privacy_reset_leaves_nothing_of_the_citizen() -> None:
    kiosk = Driver()
    kiosk.choose("resident-copy")
    kiosk.intent(view.SetOption("rrn-back-digits", "all"))
    kiosk.intent(view.Confirm())
    kiosk.type_rrn(RRN)
    kiosk.intent(view.Confirm())
    visit = kiosk.session.visit_number
    kiosk.event(ev.FingerprintFailed(visit, view.FingerprintHint.WET))
    assert kiosk.snap.rrn_masked == "900101-*******"
    assert personal_leftovers(kiosk.session, [RRN[6:]])      # the digits are held now
    kiosk.wait(120)
    assert kiosk.last(EndSession).reason is EndReason.TIMEOUT
    assert personal_leftovers(kiosk.session, [RRN, RRN[6:], "900101"]) == []
    snap = kiosk.snap
    assert (snap.rrn_masked, snap.selected_document, snap.options, snap.fingerprint_hint) == (
        "", None, (), None)
    assert isinstance(kiosk.last(CaptureFingerprint), CaptureFingerprint)


def test_fingerprint_down_after_identity_does_not_end_the_visit() -> None:
    driver = Driver()
    driver.choose("resident-copy")
    driver.intent(view.Confirm())
    driver.identify()
    assert driver.snap.screen is view.Screen.FEE
    driver.event(ev.DevicesChanged(ALL_DEVICES - {"fingerprint"}))
    assert driver.snap.screen is view.Screen.FEE
    driver.event(ev.DevicesChanged(ALL_DEVICES - {"printer"}))
    assert driver.snap.screen is view.Screen.FAILURE
