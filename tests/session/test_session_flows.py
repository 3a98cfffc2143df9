"""Example-based walks through the citizen session: the full paid flow, documents without
identity, free documents, every fingerprint hint, failed matches, payment retries."""

from __future__ import annotations

import pytest

from kiosk import session_events as ev
from kiosk import view
from kiosk.session_effects import (
    AbortTransaction,
    BeginTransaction,
    CaptureFingerprint,
    EndReason,
    EndSession,
    PlayCue,
    PublishEvent,
    RequestPayment,
    StartIssuing,
    VerifyIdentity,
)
from kiosk.session_settings import CAPTURE_FAILURES_MAX, PAYMENT_ATTEMPTS
from kiosk.view import FingerprintHint, Screen
from tests.session.harness import RRN, RRN_BAD_CHECK, Driver


def test_full_paid_visit_from_attract_to_attract() -> None:
    kiosk = Driver()
    assert kiosk.snap.screen is Screen.ATTRACT
    kiosk.intent(view.Start())
    assert kiosk.snap.screen is Screen.LANGUAGE
    kiosk.intent(view.ChooseLanguage("en"))
    assert kiosk.snap.screen is Screen.CATALOGUE and kiosk.snap.language == "en"
    kiosk.intent(view.ChooseDocument("resident-copy"))
    options = {option.key: option for option in kiosk.snap.options}
    assert options["address-history"].selected == "none"
    kiosk.intent(view.SetOption("address-history", "recent-5y"))
    kiosk.intent(view.SetOption("address-history", "bogus"))
    kiosk.intent(view.SetCopies(2))
    assert kiosk.snap.fee_won == 400 and kiosk.snap.copies == 2
    kiosk.intent(view.Confirm())
    begin = kiosk.last(BeginTransaction)
    assert (begin.document, begin.copies, begin.fee_won, begin.language) == (
        "resident-copy", 2, 400, "en")
    assert begin.options["address-history"] == "recent-5y"
    assert kiosk.snap.screen is Screen.IDENTITY
    kiosk.type_rrn(RRN)
    assert kiosk.snap.rrn_masked == "900101-*******" and kiosk.snap.rrn_complete
    kiosk.intent(view.Confirm())
    assert kiosk.snap.screen is Screen.FINGERPRINT
    assert kiosk.last(CaptureFingerprint).session == begin.session
    kiosk.event(ev.FingerprintCaptured(begin.session))
    verify = kiosk.last(VerifyIdentity)
    assert bytes(verify.rrn) == RRN.encode() and verify.txn == begin.txn
    assert RRN[6:] not in repr(verify) and RRN[6:] not in str(verify)
    kiosk.event(ev.IdentityVerified(begin.txn))
    assert kiosk.snap.screen is Screen.FEE and kiosk.snap.rrn_masked == ""
    kiosk.intent(view.Confirm())
    assert kiosk.last(RequestPayment) == RequestPayment(begin.txn, 400)
    assert kiosk.snap.screen is Screen.PAYMENT
    kiosk.event(ev.PaymentApproved(begin.txn))
    assert kiosk.last(StartIssuing) == StartIssuing(begin.txn)
    kiosk.event(ev.IssuingProgress(begin.txn, view.IssuingStep.PRINTING, 1, 2))
    assert kiosk.snap.progress == view.Progress(view.IssuingStep.PRINTING, 1, 2)
    kiosk.event(ev.ReceiptPrinted(begin.txn))
    kiosk.event(ev.DocumentPresented(begin.txn))
    assert kiosk.snap.screen is Screen.COLLECT
    assert kiosk.snap.collect_items == ("document", "card", "receipt")
    assert PlayCue(view.Cue.COLLECT_CHIME) in kiosk.effects
    kiosk.event(ev.DocumentTaken(begin.txn))
    assert kiosk.snap.collect_items == ("card", "receipt")
    kiosk.event(ev.CardRemoved())
    assert kiosk.snap.screen is Screen.THANKS and kiosk.snap.rating_offered
    kiosk.intent(view.RateSatisfaction(4))
    assert kiosk.last(PublishEvent) == PublishEvent(
        "satisfaction", {"score": 4, "document": "resident-copy", "language": "en"})
    assert kiosk.last(EndSession) == EndSession(begin.session, EndReason.COMPLETED)
    assert kiosk.snap.screen is Screen.ATTRACT
    assert not kiosk.of(AbortTransaction)


def test_document_without_identity_skips_rrn_and_fingerprint() -> None:
    kiosk = Driver()
    kiosk.choose("land-register")
    kiosk.intent(view.Confirm())
    assert kiosk.snap.screen is Screen.FEE and kiosk.snap.fee_won == 250
    txn = kiosk.pay()
    kiosk.issue_and_take(txn)
    kiosk.event(ev.CardRemoved())
    assert kiosk.snap.screen is Screen.THANKS
    assert not kiosk.of(CaptureFingerprint) and not kiosk.of(VerifyIdentity)


def test_free_document_skips_fee_and_payment() -> None:
    kiosk = Driver(site="seoul-junggu")
    kiosk.choose("resident-copy")
    kiosk.intent(view.Confirm())
    kiosk.identify()
    assert kiosk.snap.screen is Screen.ISSUING
    txn = kiosk.last(StartIssuing).txn
    assert kiosk.last(BeginTransaction).fee_won == 0 and not kiosk.of(RequestPayment)
    kiosk.issue_and_take(txn)
    assert kiosk.snap.screen is Screen.THANKS and kiosk.snap.collect_items == ()
    kiosk.intent(view.SkipRating())
    assert kiosk.snap.screen is Screen.ATTRACT and not kiosk.of(PublishEvent)


def test_config_fee_override_of_zero_skips_payment() -> None:
    kiosk = Driver(fee_overrides={"land-register": 0})
    kiosk.choose("land-register")
    kiosk.intent(view.Confirm())
    assert kiosk.snap.screen is Screen.ISSUING and not kiosk.of(RequestPayment)


def _at_fingerprint(kiosk: Driver) -> int:
    kiosk.choose("family-relation")
    kiosk.intent(view.Confirm())
    kiosk.type_rrn()
    kiosk.intent(view.Confirm())
    visit = kiosk.session.visit_number
    assert visit is not None and kiosk.snap.screen is Screen.FINGERPRINT
    return visit


@pytest.mark.parametrize("hint", [FingerprintHint.NO_FINGER, FingerprintHint.WET,
                                  FingerprintHint.DRY, FingerprintHint.MESSY])
def test_each_unreadable_finger_gets_its_hint_and_another_capture(hint: FingerprintHint
                                                                  ) -> None:
    kiosk = Driver()
    visit = _at_fingerprint(kiosk)
    captures = len(kiosk.of(CaptureFingerprint))
    kiosk.event(ev.FingerprintFailed(visit, hint))
    assert kiosk.snap.fingerprint_hint == hint.value
    assert kiosk.snap.identity_attempts_left == 3
    assert len(kiosk.of(CaptureFingerprint)) == captures + 1
    kiosk.event(ev.FingerprintCaptured(visit))
    kiosk.event(ev.IdentityVerified(kiosk.txn))
    assert kiosk.snap.screen is Screen.FEE and kiosk.snap.fingerprint_hint is None


@pytest.mark.parametrize("reason", [ev.IdentityRejection.NO_MATCH,
                                    ev.IdentityRejection.NOT_LIVE])
def test_three_failed_matches_end_the_visit_politely(reason: ev.IdentityRejection) -> None:
    kiosk = Driver()
    visit = _at_fingerprint(kiosk)
    txn = kiosk.txn
    for attempts_left in (2, 1):
        kiosk.event(ev.FingerprintCaptured(visit))
        kiosk.event(ev.IdentityRejected(txn, reason))
        assert kiosk.snap.fingerprint_hint == reason.value
        assert kiosk.snap.identity_attempts_left == attempts_left
        assert kiosk.snap.screen is Screen.FINGERPRINT
    kiosk.event(ev.FingerprintCaptured(visit))
    kiosk.event(ev.IdentityRejected(txn, reason))
    assert kiosk.snap.screen is Screen.FAILURE
    assert kiosk.snap.failure == view.Failure("failure.identity_attempts", "next.visit_counter")
    assert kiosk.last(AbortTransaction) == AbortTransaction(txn, EndReason.IDENTITY_FAILED)
    assert kiosk.snap.rrn_masked == "" and not kiosk.of(RequestPayment)
    kiosk.intent(view.Confirm())
    assert kiosk.snap.screen is Screen.ATTRACT
    assert kiosk.last(EndSession).reason is EndReason.IDENTITY_FAILED


def test_going_back_from_the_fingerprint_keeps_the_attempts_spent() -> None:
    kiosk = Driver()
    visit = _at_fingerprint(kiosk)
    kiosk.event(ev.FingerprintCaptured(visit))
    kiosk.event(ev.IdentityRejected(kiosk.txn, ev.IdentityRejection.NO_MATCH))
    kiosk.intent(view.Back())
    assert kiosk.snap.screen is Screen.IDENTITY and kiosk.snap.rrn_masked == "900101-*******"
    kiosk.intent(view.Confirm())
    assert kiosk.snap.identity_attempts_left == 2


def test_not_entitled_ends_the_visit_with_directions_to_a_counter() -> None:
    kiosk = Driver()
    visit = _at_fingerprint(kiosk)
    kiosk.event(ev.FingerprintCaptured(visit))
    kiosk.event(ev.IdentityRejected(kiosk.txn, ev.IdentityRejection.NOT_ENTITLED))
    assert kiosk.snap.failure.message_key == "failure.not_entitled"


def test_too_many_unreadable_captures_end_the_visit() -> None:
    kiosk = Driver()
    visit = _at_fingerprint(kiosk)
    for _ in range(CAPTURE_FAILURES_MAX):
        kiosk.event(ev.FingerprintFailed(visit, FingerprintHint.WET))
    assert kiosk.snap.failure.message_key == "failure.capture_attempts"


def test_rrn_entry_rejects_bad_numbers_and_warns_once_on_a_bad_check_digit() -> None:
    kiosk = Driver()
    kiosk.choose("resident-copy")
    kiosk.intent(view.Confirm())
    kiosk.type_rrn(RRN[:10])
    kiosk.intent(view.Confirm())
    assert kiosk.snap.rrn_hint == "rrn.incomplete" and kiosk.snap.screen is Screen.IDENTITY
    kiosk.type_rrn("9013011234568")
    kiosk.intent(view.Confirm())
    assert kiosk.snap.rrn_hint == "rrn.invalid"
    kiosk.type_rrn(RRN_BAD_CHECK)
    kiosk.intent(view.Confirm())
    assert kiosk.snap.rrn_hint == "rrn.check_digit" and kiosk.snap.screen is Screen.IDENTITY
    kiosk.intent(view.Confirm())
    assert kiosk.snap.screen is Screen.FINGERPRINT and kiosk.snap.rrn_hint is None


def test_rrn_editing_and_masking() -> None:
    kiosk = Driver()
    kiosk.choose("resident-copy")
    kiosk.intent(view.Confirm())
    for digit in "9001011":
        kiosk.intent(view.RrnDigit(digit))
    kiosk.intent(view.RrnDigit("x"))
    assert kiosk.snap.rrn_masked == "900101-*" and not kiosk.snap.rrn_complete
    kiosk.intent(view.RrnBackspace())
    assert kiosk.snap.rrn_masked == "900101"
    kiosk.intent(view.RrnClear())
    assert kiosk.snap.rrn_masked == ""


@pytest.mark.parametrize("reason", list(ev.PaymentFailure))
def test_payment_failure_allows_a_retry_as_a_new_transaction(reason: ev.PaymentFailure
                                                             ) -> None:
    kiosk = Driver()
    kiosk.choose("land-register")
    kiosk.intent(view.Confirm())
    kiosk.intent(view.Confirm())
    first = kiosk.last(RequestPayment).txn
    kiosk.event(ev.PaymentFailed(first, reason))
    assert kiosk.snap.screen is Screen.PAYMENT
    assert kiosk.snap.payment_hint == f"payment.{reason.value}"
    assert kiosk.session.open_transaction is None
    kiosk.intent(view.Confirm())
    second = kiosk.last(RequestPayment).txn
    assert second != first and kiosk.last(BeginTransaction).txn == second
    kiosk.event(ev.PaymentApproved(second, card_present=False))
    kiosk.issue_and_take(second)
    assert kiosk.snap.screen is Screen.THANKS


def test_payment_attempts_run_out() -> None:
    kiosk = Driver()
    kiosk.choose("land-register")
    kiosk.intent(view.Confirm())
    for _ in range(PAYMENT_ATTEMPTS):
        kiosk.intent(view.Confirm())
        kiosk.event(ev.PaymentFailed(kiosk.last(RequestPayment).txn,
                                     ev.PaymentFailure.DECLINED))
    assert kiosk.snap.failure.message_key == "failure.payment_attempts"
    assert len(kiosk.of(RequestPayment)) == PAYMENT_ATTEMPTS


def test_identity_is_checked_once_per_visit() -> None:
    kiosk = Driver()
    kiosk.choose("family-relation")
    kiosk.intent(view.Confirm())
    kiosk.identify()
    kiosk.intent(view.Back())
    assert kiosk.snap.screen is Screen.OPTIONS
    assert kiosk.last(AbortTransaction).reason is EndReason.CANCELLED
    kiosk.intent(view.Confirm())
    assert kiosk.snap.screen is Screen.FEE
    assert len(kiosk.of(VerifyIdentity)) == 1 and len(kiosk.of(BeginTransaction)) == 2


def test_issuing_failure_shows_the_refund() -> None:
    kiosk = Driver()
    kiosk.choose("land-register")
    kiosk.intent(view.Confirm())
    txn = kiosk.pay()
    kiosk.event(ev.TransactionFailed(txn, "error.device", refunded=True))
    assert kiosk.snap.failure == view.Failure("error.device", "next.refunded", refunded=True)
    assert not kiosk.of(AbortTransaction)
    kiosk.wait(60)
    assert kiosk.snap.screen is Screen.ATTRACT
    assert kiosk.last(EndSession).reason is EndReason.FAILED


def test_a_land_register_needs_the_parcel_typed_in() -> None:
    kiosk = Driver()
    kiosk.choose("land-register", fill=False)
    parcel = next(option for option in kiosk.snap.options if option.key == "parcel")
    assert (parcel.kind, parcel.required, parcel.selected) == ("text", True, "")
    kiosk.intent(view.Confirm())
    assert kiosk.snap.screen is Screen.OPTIONS and not kiosk.of(BeginTransaction)
    assert kiosk.snap.option_hint == "option.required"
    assert kiosk.snap.message_params == {"option": "parcel"}
    kiosk.intent(view.SetOption("parcel", "x" * 61))
    kiosk.intent(view.SetOption("parcel", "종로구\n세종로"))
    assert kiosk.snap.option_hint == "option.required"
    kiosk.intent(view.SetOption("parcel", "  종로구 세종로 1-1 "))
    assert kiosk.snap.option_hint is None
    kiosk.intent(view.Confirm())
    assert kiosk.last(BeginTransaction).options == {"parcel": "종로구 세종로 1-1",
                                                    "history": "exclude"}


def test_a_collective_building_needs_the_unit_only_for_one_unit() -> None:
    kiosk = Driver()
    kiosk.choose("building-register-collective", fill=False)
    kiosk.intent(view.SetOption("address", "서울특별시 종로구 청계천로 1"))
    kiosk.intent(view.Confirm())
    assert kiosk.snap.message_params == {"option": "unit"}
    kiosk.intent(view.SetOption("register-part", "title"))
    kiosk.intent(view.Confirm())
    assert kiosk.snap.screen is Screen.FEE
    assert "unit" not in kiosk.last(BeginTransaction).options
