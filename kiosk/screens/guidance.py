"""What to say and which cue to sound, and when: the voice-guidance script of the screens.

EN 301 549 5.1.3 and reference/kiosk-domain.md §6.9: every screen is read when it appears
and again on the help key; the focused control is read as the focus moves; progress is
repeated every 15 s while issuing; the idle warning is read with its countdown. The core
decides when to chime (``Snapshot.cue``/``cue_seq``: the idle warning, take your items, the
reminders) and the guide turns each cue into a tone, a caption and, for the reminders, the
list of things to take. Masked entry is never read: the RRN screen sounds a key tone per
digit and says how many digits are in; through an earphone only (private), it also reads
back the visible birth-date digits.

Pure: produces :class:`Say` and :class:`Cue` items; the runtime plays them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import view
from kiosk.screens.i18n import translator
from kiosk.screens.layout import Layout, Role, Widget
from kiosk.screens.pages.identify import digits_entered

PROGRESS_REPEAT_S = 15.0
#: Seconds left at which the idle countdown is read out again.
COUNTDOWN_ANNOUNCE_S = (10, 5)


@dataclass(frozen=True)
class Say:
    text: str
    private: bool = False


@dataclass(frozen=True)
class Cue:
    name: str
    caption: str


Item = Say | Cue


def describe(widget: Widget, language: str) -> str:
    """How a focused control is read: its label, then its state."""
    _ = translator(language)
    parts = [widget.spoken()]
    if widget.selected and widget.role is not Role.TOGGLE:
        parts.append(_("selected"))
    if not widget.enabled:
        parts.append(_("not available"))
    return ", ".join(p for p in parts if p)


class Guide:
    """Remembers what it said so that it speaks each thing once, and the periodic timers."""

    def __init__(self) -> None:
        self._progress_at = 0.0
        self._countdown_said: set[int] = set()
        self._first_countdown_tick = True

    def reset(self) -> None:
        self._progress_at = 0.0
        self._countdown_said.clear()
        self._first_countdown_tick = True

    def update(self, old: Layout | None, new: Layout, speech: Layout,
               old_snap: view.Snapshot | None, snap: view.Snapshot, *, now: float,
               focus: Widget | None = None, repeat: bool = False) -> list[Item]:
        """Items for the change from ``old`` to ``new``; ``speech`` is ``new`` in the language
        the guidance is spoken in (English where espeak-ng cannot speak the screen's)."""
        _ = translator(speech.language)
        items: list[Item] = []
        screen_changed = old is None or old.screen != new.screen or \
            old.language != new.language
        if screen_changed:
            self._countdown_said.clear()
            self._progress_at = now
            if new.screen == view.Screen.FAILURE.value:
                items.append(Cue("error", _("Alert tone: something went wrong.")))
            items.append(Say(speech.speech))
        elif old_snap is not None:
            items.extend(self._changes(speech, old_snap, snap, now))
        if new.modal and (old is None or not old.modal):
            self._countdown_said.clear()
            self._first_countdown_tick = True
            items.append(Say(speech.dialog_speech))
        if focus is not None and not screen_changed:
            spoken = speech.find(focus.id) or focus
            items.append(Say(describe(spoken, speech.language)))
        if repeat:
            text = speech.dialog_speech if new.modal else speech.speech
            focused = speech.find(focus.id) if focus is not None else None
            if focused is not None:
                text = f"{text} {describe(focused, speech.language)}"
            items.append(Say(text))
        return items

    def _changes(self, speech: Layout, old: view.Snapshot, new: view.Snapshot,
                 now: float) -> list[Item]:
        _ = translator(speech.language)
        items: list[Item] = []
        if new.screen is view.Screen.IDENTITY:
            before, after = digits_entered(old.rrn_masked), digits_entered(new.rrn_masked)
            if after != before:
                items.append(Cue("key", _("Key tone")))
                parts, private = [], False
                if new.headset and before < after <= view.RRN_VISIBLE_DIGITS:
                    parts.append(new.rrn_masked[after - 1])
                    private = True
                field = speech.find("rrn")
                if field is not None and (after < before or after in (
                        view.RRN_VISIBLE_DIGITS, view.RRN_DIGITS)):
                    parts.append(field.spoken())
                if parts:
                    items.append(Say(" ".join(parts), private=private))
        if (new.fingerprint_hint, new.rrn_hint, new.option_hint) != \
                (old.fingerprint_hint, old.rrn_hint, old.option_hint):
            hint = speech.find("hint")
            if hint is not None:
                items.append(Say(hint.text))
        if new.payment_hint != old.payment_hint:
            problem = speech.find("problem")
            if problem is not None:
                items.append(Say(problem.text))
        if new.progress != old.progress and new.progress is not None:
            self._progress_at = now
            text = speech.find("progress.text")
            if text is not None:
                items.append(Say(text.text))
        if new.failure != old.failure and new.failure is not None:
            items.append(Say(speech.speech))
        return items

    def cue(self, name: str, speech: Layout, *, repeated_just_now: bool) -> list[Item]:
        """Items for a cue the core asked for (``view.Cue``); unknown cues still chime."""
        _ = translator(speech.language)
        if name == view.Cue.GUIDANCE_REPEAT.value:
            if repeated_just_now:
                return []
            return [Say(speech.dialog_speech if speech.modal else speech.speech)]
        if name == view.Cue.IDLE_WARNING.value:
            return [Cue("chime", _("Chime: do you need more time?"))]
        if name in (view.Cue.COLLECT_CHIME.value, view.Cue.COLLECT_REMINDER.value):
            things = " ".join(w.text for w in speech.widgets
                              if w.id.startswith("item.") and w.role is Role.TEXT)
            return [Cue("chime", _("Chime: please take your items.")), Say(things)]
        return [Cue("chime", _("Chime"))]

    def tick(self, layout: Layout, speech: Layout, snap: view.Snapshot, now: float,
             seconds_left: int | None) -> list[Item]:
        """Periodic items: progress every 15 s while issuing, the idle countdown."""
        items: list[Item] = []
        if snap.screen is view.Screen.ISSUING and now - self._progress_at >= PROGRESS_REPEAT_S:
            self._progress_at = now
            text = speech.find("progress.text")
            if text is not None:
                items.append(Say(text.text))
        if layout.modal and seconds_left is not None:
            due = {m for m in COUNTDOWN_ANNOUNCE_S
                   if seconds_left <= m and m not in self._countdown_said}
            self._countdown_said |= due
            countdown = speech.find("dialog.countdown")
            if due and countdown is not None and not self._first_countdown_tick:
                items.append(Say(countdown.text))
            self._first_countdown_tick = False
        return items

    def next_due(self, snap: view.Snapshot, now: float) -> float | None:
        """Seconds until :meth:`tick` has something to do (None: nothing periodic)."""
        if snap.screen is view.Screen.ISSUING:
            return max(0.0, self._progress_at + PROGRESS_REPEAT_S - now)
        return None
