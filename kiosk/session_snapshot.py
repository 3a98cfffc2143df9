"""How the citizen session looks to the UI: ``view.Snapshot`` objects built from its state.

Part of ``kiosk.session``. The builder also answers the catalogue questions the session asks
(is this document available now, with these devices, in this language?) through one small
cache, since availability only changes with the devices, the language and the minute (schedule
windows are whole minutes). ``seq`` grows whenever a snapshot differs from the previous one.
Nothing personal appears: the RRN only as ``mask_rrn`` shows it, and only on the identity and
fingerprint screens.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from types import MappingProxyType

from kiosk.issuance.catalogue import Catalogue, DocumentOption
from kiosk.session_service import KioskCondition
from kiosk.session_settings import SessionSettings
from kiosk.session_visit import SCREEN_OF, Phase, Visit
from kiosk.view import (
    CollectItem,
    DocumentChoice,
    Failure,
    FailureKey,
    NextStep,
    Screen,
    ServiceState,
    Snapshot,
    UnavailableReason,
)

#: Phases whose screen shows the RRN as typed (masked).
RRN_PHASES = frozenset({Phase.IDENTITY, Phase.CAPTURE, Phase.VERIFY})
COLLECT_PHASES = frozenset({Phase.COLLECT, Phase.RETRACTING, Phase.THANKS})
CANCELLING = Failure(message_key=FailureKey.CANCELLING.value,
                     next_step_key=NextStep.PLEASE_WAIT.value)
SECONDS_PER_MINUTE = 60
#: Availability answers kept (a few languages and device sets within one minute).
CACHE_ENTRIES = 16

_CacheKey = tuple[str | None, frozenset[str], int]


class SnapshotBuilder:
    """Builds snapshots and answers availability questions for one ``Session``."""

    def __init__(self, catalogue: Catalogue, settings: SessionSettings) -> None:
        self._catalogue = catalogue
        self._settings = settings
        self.codes = frozenset(catalogue.codes)
        self._seq = 0
        self._last: Snapshot | None = None
        self._cache: dict[_CacheKey, tuple[DocumentChoice, ...]] = {}

    # ------------------------------------------------------------------ availability

    def choices(self, condition: KioskCondition, at: datetime,
                language: str | None) -> tuple[DocumentChoice, ...]:
        usable = condition.usable_for_catalogue
        key = (language, usable, int(at.timestamp() // SECONDS_PER_MINUTE))
        cached = self._cache.get(key)
        if cached is None:
            cached = self._catalogue.document_choices(
                language, usable_devices=usable, now=at, site=self._settings.site,
                fee_overrides=self._settings.fee_overrides)
            if len(self._cache) >= CACHE_ENTRIES:
                self._cache.clear()
            self._cache[key] = cached
        return cached

    def reason(self, code: str, condition: KioskCondition, at: datetime,
               language: str | None) -> UnavailableReason | None:
        for choice in self.choices(condition, at, language):
            if choice.code == code:
                return (None if choice.unavailable_reason is None
                        else UnavailableReason(choice.unavailable_reason))
        return None

    def service_state(self, condition: KioskCondition, at: datetime) -> ServiceState:
        any_available = any(choice.available for choice in self.choices(condition, at, None))
        return condition.state(any_available)

    def accepts_citizens(self, condition: KioskCondition, at: datetime) -> bool:
        return self.service_state(condition, at) in (ServiceState.IN_SERVICE,
                                                     ServiceState.DEGRADED)

    def default_options(self, code: str) -> dict[str, str]:
        return self._catalogue.get(code).default_options()

    def option(self, code: str, key: str) -> DocumentOption | None:
        return self._catalogue.get(code).option(key)

    # ------------------------------------------------------------------ snapshots

    def forget(self) -> None:
        """Drop the last snapshot and the cache (end of a visit: nothing of it stays here).
        The next snapshot still gets a higher ``seq``."""
        self._last = None
        self._cache.clear()

    def build(self, *, phase: Phase, visit: Visit | None, condition: KioskCondition,
              at: datetime, idle_seconds_left: float | None, headset: bool, cue: str | None,
              cue_seq: int) -> Snapshot:
        state = self.service_state(condition, at)
        language = visit.language if visit is not None else self._settings.default_language
        screen = SCREEN_OF[phase]
        if phase is Phase.IDLE:
            screen = {ServiceState.SERVICE_MODE: Screen.SERVICE,
                      ServiceState.OUT_OF_SERVICE: Screen.OUT_OF_SERVICE}.get(state, screen)
        body = Snapshot(
            seq=0, screen=screen, language=language, service_state=state,
            unavailable_reasons=condition.reasons(),
            documents=self.choices(condition, at, visit.language if visit else None),
            idle_seconds_left=idle_seconds_left, headset=headset, cue=cue, cue_seq=cue_seq,
            **(self._visit_fields(phase, visit) if visit is not None else {}))
        if body != self._last:
            self._seq += 1
            self._last = body
        return replace(body, seq=self._seq)

    def _visit_fields(self, phase: Phase, visit: Visit) -> dict[str, object]:
        fields: dict[str, object] = {
            "volume": visit.volume,
            "identity_attempts_left": visit.identity_attempts_left,
            "fingerprint_hint": visit.fingerprint_hint,
            "payment_hint": visit.payment_hint,
            "progress": visit.progress if phase is Phase.ISSUING else None,
            "rating_offered": phase is Phase.THANKS,
        }
        if visit.document is not None:
            document = self._catalogue.get(visit.document)
            unit_fee = self._catalogue.fee(document.code, self._settings.site,
                                           self._settings.fee_overrides)
            fields.update(
                selected_document=document.code, copies=visit.copies,
                fee_won=visit.fee_won if visit.txn is not None else unit_fee * visit.copies,
                options=tuple(option.to_choice(visit.options) for option in document.options),
                option_hint=visit.option_hint)
            if visit.option_missing is not None:
                fields["message_params"] = MappingProxyType({"option": visit.option_missing})
        if phase in RRN_PHASES:
            fields.update(rrn_masked=visit.rrn.masked(), rrn_complete=visit.rrn.complete,
                          rrn_hint=visit.rrn_hint)
        if phase is Phase.FAILURE:
            fields["failure"] = visit.failure
        elif phase is Phase.ABORTING:
            fields["failure"] = CANCELLING
        if phase in COLLECT_PHASES:
            fields["collect_items"] = _collect_items(visit)
        return fields


def _collect_items(visit: Visit) -> tuple[str, ...]:
    items = []
    if not visit.document_taken:
        items.append(CollectItem.DOCUMENT.value)
    if visit.card_present:
        items.append(CollectItem.CARD.value)
    if visit.receipt_printed:
        items.append(CollectItem.RECEIPT.value)
    return tuple(items)

