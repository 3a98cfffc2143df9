"""A scripted citizen: what a person at the kiosk does on each screen, for the headless demo
and the end-to-end and crash tests.

It reads snapshots (``kiosk.view``) and answers with intents, and does what a person does to
the machine through ``hands``: place a finger, take the document. It acts once per screen
visit and records the screens it saw and how the visit ended. Shown its document unavailable
it waits for it (a device may still be coming up; ``unavailable`` says why it waits, and the
caller decides how long); offered another try after a failed payment, it cancels and leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from kiosk.view import (
    Cancel,
    ChooseDocument,
    ChooseLanguage,
    CollectItem,
    Confirm,
    Intent,
    RrnDigit,
    Screen,
    SetOption,
    SkipRating,
    Snapshot,
    Start,
)


class Hands(Protocol):
    """What the citizen does to the machine itself (the simulator stands in for the person)."""

    def place_finger(self) -> None: ...

    def take_document(self) -> None: ...


@dataclass
class ScriptedCitizen:
    """Walks one visit: attract to thanks (or a failure), then stops acting."""

    document: str
    rrn: str
    hands: Hands
    language: str = "ko"
    options: Mapping[str, str] = field(default_factory=dict)
    take: bool = True
    screens: list[Screen] = field(default_factory=list)
    failure: str | None = None
    unavailable: str | None = None
    done: bool = False
    _last_screen: Screen | None = None
    _finger_placed: bool = False
    _taken: bool = False

    def react(self, snapshot: Snapshot) -> list[Intent]:
        """The intents to send for this snapshot (empty when nothing is to be done)."""
        if self.done:
            return []
        screen = snapshot.screen
        entered = screen is not self._last_screen
        self._last_screen = screen
        if entered:
            self.screens.append(screen)
        if screen is Screen.ATTRACT:
            if self.failure == "out_of_service":
                self.failure = None
            if len([s for s in self.screens if s is not Screen.OUT_OF_SERVICE]) > 1:
                self.done = True
                return []
            return [Start()] if entered else []
        if screen is Screen.FAILURE:
            if snapshot.failure is not None:
                self.failure = snapshot.failure.message_key
            self.done = True
            return []
        if screen is Screen.OUT_OF_SERVICE:
            self.failure = "out_of_service"
            return []
        if not entered:
            return self._keep_acting(snapshot)
        return self._enter(snapshot)

    def _enter(self, snapshot: Snapshot) -> list[Intent]:
        screen = snapshot.screen
        if screen is Screen.LANGUAGE:
            return [ChooseLanguage(self.language)]
        if screen is Screen.CATALOGUE:
            choice = next((c for c in snapshot.documents if c.code == self.document), None)
            if choice is not None and not choice.available:
                self.unavailable = choice.unavailable_reason or "unavailable"
                self._last_screen = None  # act again on the next snapshot
                return []
            self.unavailable = None
            return [ChooseDocument(self.document)]
        if screen is Screen.OPTIONS:
            return [*(SetOption(key, value) for key, value in self.options.items()), Confirm()]
        if screen is Screen.IDENTITY:
            return [*(RrnDigit(digit) for digit in self.rrn if digit.isdigit()), Confirm()]
        if screen is Screen.FEE:
            return [Confirm()]
        if screen is Screen.THANKS:
            self.done = True
            return [SkipRating()]
        return self._keep_acting(snapshot)

    def _keep_acting(self, snapshot: Snapshot) -> list[Intent]:
        screen = snapshot.screen
        if screen is Screen.PAYMENT and snapshot.payment_hint is not None \
                and self.failure is None:
            self.failure = snapshot.payment_hint
            return [Cancel()]
        if screen is Screen.FINGERPRINT and not self._finger_placed:
            self._finger_placed = True
            self.hands.place_finger()
        if (screen is Screen.COLLECT and self.take and not self._taken
                and CollectItem.DOCUMENT.value in snapshot.collect_items):
            self._taken = True
            self.hands.take_document()
        return []
