"""Citizen-facing texts for the message keys the core puts in snapshots.

The core never sends text, only stable keys: ``kiosk.errors`` ``message_key`` values, the
``view`` enums (``FailureKey``, ``NextStep``, ``FingerprintHint``, ``RrnHint``, ``OptionHint``,
``PaymentHint``, ``UnavailableReason``, ``CollectItem``), the fingerprint outcomes of
``kiosk.devices.fingerprint`` and the session's device reasons (``device.<name>``,
``backend.unreachable``). This table maps each key to its English source text, marked with
``N_`` so that ``pybabel extract`` (scripts/i18n) puts it in the gettext catalogues, where
the other languages translate it.

A key missing here falls back to the text of its longest known prefix (``FAMILY_FALLBACKS``:
``fingerprint.hint.*``, ``printer.*``, ``error.*``, ...), so a new key in the core shows
something sensible, and is logged once so that it gets a proper entry.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


KEYED_MESSAGES: dict[str, str] = {
    # kiosk/errors.py message_key values
    "error.generic": N_("Something went wrong."),
    "error.out_of_service": N_("This kiosk is not working right now."),
    "error.device": N_("A part of this kiosk is not working."),
    "error.issuance": N_("The document could not be issued."),
    "error.backend_unavailable": N_("The city's server cannot be reached right now."),
    "error.backend_rejected": N_("The city's server could not accept this request."),
    "error.identity_rejected": N_("Your identity could not be confirmed."),
    "error.payment_declined": N_("The card payment was not approved."),
    "error.document_unavailable": N_("This document cannot be issued here right now."),
    "error.document_invalid": N_("The document failed its security check."),
    # view.FailureKey
    "failure.identity_attempts": N_("Your identity could not be confirmed after several "
                                    "attempts."),
    "failure.capture_attempts": N_("Your fingerprint could not be read after several "
                                   "attempts."),
    "failure.not_entitled": N_("This document cannot be issued to you at a kiosk."),
    "failure.payment_attempts": N_("The card payment did not go through after several "
                                   "attempts."),
    "failure.cancelling": N_("Cancelling. Please wait a moment."),
    "failure.cancelled": N_("The request was cancelled."),
    "failure.no_response": N_("The kiosk did not get an answer in time."),
    "failure.retracted": N_("The document was not taken, so the kiosk has kept it inside."),
    # view.NextStep ("next.none" shows nothing: SILENT_KEYS)
    "next.visit_counter": N_("Please visit the civil service counter with your ID card."),
    "next.try_later": N_("Please try again in a few minutes."),
    "next.refunded": N_("Your payment has been cancelled. Nothing was charged."),
    "next.ask_staff": N_("Please ask the staff for help, or call the number on the kiosk."),
    "next.choose_other": N_("Please choose another document, or try again later."),
    "next.please_wait": N_("Please wait."),
    # view.FingerprintHint (sent bare, e.g. "wet") and kiosk.devices.fingerprint outcomes
    "fingerprint.hint.place_finger": N_("Place your right thumb on the sensor."),
    "fingerprint.hint.no_finger": N_("No finger was detected. Place your thumb flat on the "
                                     "sensor."),
    "fingerprint.hint.wet": N_("Your finger seems wet. Dry it and try again."),
    "fingerprint.hint.dry": N_("Your finger seems dry. Press a little more firmly."),
    "fingerprint.hint.messy": N_("The print was unclear. Clean your thumb and hold it still."),
    "fingerprint.hint.reposition": N_("Lift your thumb and place it on the sensor again."),
    "fingerprint.hint.no_match": N_("The fingerprint did not match. Please try again."),
    "fingerprint.hint.not_live": N_("The fingerprint could not be accepted."),
    "fingerprint.hint.not_recognised": N_("The fingerprint could not be accepted."),
    "fingerprint.hint.cancelled": N_("Fingerprint reading was stopped."),
    # view.RrnHint
    "rrn.incomplete": N_("Please enter all 13 digits."),
    "rrn.invalid": N_("This is not a valid resident registration number. Please check it."),
    "rrn.check_digit": N_("The number may be mistyped. Check it, then touch Next again."),
    # view.OptionHint ({option} is the option's label)
    "option.required": N_("Please fill in: {option}"),
    # view.PaymentHint
    "payment.declined": N_("The card was declined. Please try another card."),
    "payment.cancelled": N_("The payment was cancelled."),
    "payment.timeout": N_("No card was presented in time."),
    # view.UnavailableReason
    "unavailable.backend": N_("The city's server cannot be reached right now."),
    "unavailable.printer": N_("Printing is not possible right now."),
    "unavailable.binder": N_("Documents of several pages cannot be bound right now."),
    "unavailable.fingerprint": N_("Fingerprint checks are not possible right now; documents "
                                  "that need no identity check can still be issued."),
    "unavailable.payment": N_("Card payment is not possible right now; free documents can "
                              "still be issued."),
    "unavailable.hours": N_("This document can only be issued during office hours."),
    "unavailable.language": N_("This document can be issued only with the screen in "
                               "Korean."),
    "unavailable.document": N_("Not available right now."),
    # the session's reasons for a device or the backend being down
    "device.fingerprint": N_("The fingerprint sensor is not working."),
    "device.printer": N_("Printing is not possible right now."),
    "device.receipt": N_("Receipts cannot be printed right now."),
    "device.binder": N_("Documents of several pages cannot be bound right now."),
    "device.card_reader": N_("Card payment is not possible right now; free documents can "
                             "still be issued."),
    "device.panel": N_("The keypad and earphone jack are not working right now."),
    "backend.unreachable": N_("The city's server cannot be reached right now."),
    # view.CollectItem, prefixed with "collect."
    "collect.card": N_("Take your card from the card reader."),
    "collect.document": N_("Take your document from the document tray."),
    "collect.receipt": N_("Take your receipt."),
}

#: Keys that deliberately show no text (``view.NextStep.NONE``).
SILENT_KEYS = frozenset({"next.none"})

#: Key prefixes and the key whose text stands in for an unknown key starting with them.
FAMILY_FALLBACKS: dict[str, str] = {
    "error": "error.generic",
    "failure": "error.generic",
    "next": "next.ask_staff",
    "fingerprint.hint": "fingerprint.hint.place_finger",
    "fingerprint": "device.fingerprint",
    "rrn": "rrn.invalid",
    "option": "option.required",
    "payment": "payment.declined",
    "unavailable": "unavailable.document",
    "device": "error.device",
    "backend": "backend.unreachable",
    "printer": "device.printer",
    "receipt": "device.receipt",
    "binder": "device.binder",
    "card_reader": "device.card_reader",
    "panel": "device.panel",
    "collect": "collect.document",
}


def fallback_key(key: str) -> str:
    """The known key whose text is shown for ``key`` (itself if it is known)."""
    if key in KEYED_MESSAGES:
        return key
    parts = key.split(".")
    for length in range(len(parts) - 1, 0, -1):
        family = ".".join(parts[:length])
        if family in FAMILY_FALLBACKS:
            return FAMILY_FALLBACKS[family]
    return "error.generic"
