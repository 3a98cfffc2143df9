"""Everything the UI says and sounds: the guide's script carried out through the audio router
and the speech engine, the core's cues, and the caption of each sound (text for every sound,
MOIS standard item 3). UI thread only.
"""

from __future__ import annotations

import math

from kiosk import view
from kiosk.screens.audio import AudioRouter, Clip, cue_wav
from kiosk.screens.guidance import Cue, Guide, Item, Say, describe
from kiosk.screens.interaction import Outcome
from kiosk.screens.layout import Layout
from kiosk.screens.speech import VOICES, SpeechEngine, speech_language
from kiosk.screens.state import UiState

CAPTION_MIN_S = 4.0
#: Reading speed assumed for how long a caption stays (characters a second).
CAPTION_CHARS_PER_S = 12
#: The core answers RepeatGuidance with a guidance.repeat cue; the UI has already repeated.
REPEAT_DEDUP_S = 3.0


def spoken_language(language: str) -> str:
    return speech_language(language) if language in VOICES else "ko"


class Announcer:
    """Turns screen changes, inputs and cues into tones, speech and captions."""

    def __init__(self, state: UiState, router: AudioRouter, speech: SpeechEngine,
                 cue_seq: int) -> None:
        self.state = state
        self.router = router
        self.speech = speech
        self.guide = Guide()
        self._cue_seq = cue_seq
        self._repeated_at = -math.inf

    def on_frame(self, old: Layout | None, new: Layout, speech: Layout,
                 old_snap: view.Snapshot | None, snap: view.Snapshot, outcome: Outcome, *,
                 now: float, seconds_left: int | None) -> bool:
        """Announce what changed; returns True if the caption changed (redraw needed)."""
        self.router.set_level(self.state.volume)
        items: list[Item] = []
        if new is not old or outcome.repeat:
            items = self.guide.update(old, new, speech, old_snap, snap, now=now,
                                      focus=outcome.focus_moved, repeat=outcome.repeat)
            self._prepare(old, new, speech)
        items += self.guide.tick(new, speech, snap, now, seconds_left)
        if outcome.repeat:
            self._repeated_at = now
        if snap.cue_seq != self._cue_seq:
            self._cue_seq = snap.cue_seq
            if snap.cue:
                items += self.guide.cue(snap.cue, speech, repeated_just_now=now -
                                        self._repeated_at < REPEAT_DEDUP_S)
        caption = self.state.caption
        self._perform(items, spoken_language(snap.language), now)
        if not self.state.speech_on and outcome.redraw:
            self.speech.cancel()
            self.router.stop()
        return self.state.caption != caption

    def play_ready(self, now: float) -> bool:
        """Play speech the worker has finished; returns True if the caption changed."""
        changed = False
        for clip in self.speech.take_results():
            if self.state.speech_on and self.router.play(clip) is not None and \
                    not clip.private:
                self._caption(clip.text, now)
                changed = True
        return changed

    def expire_caption(self, now: float) -> bool:
        if self.state.caption and now >= self.state.caption_until:
            self.state.caption = None
            return True
        return False

    def next_due(self, snap: view.Snapshot, now: float) -> float | None:
        """Seconds until something timed is due (caption expiry, periodic guidance)."""
        due = [d for d in (self.guide.next_due(snap, now),
                           self.state.caption_until - now if self.state.caption else None)
               if d is not None]
        return max(0.0, min(due)) if due else None

    def headset(self, present: bool) -> None:
        if present != self.router.headset_present:
            self.router.set_headset(present)
            if present:
                self.state.speech_on = True

    def reset(self) -> None:
        """End of a visit: silence, default volume, nothing pending, nothing cached."""
        self.guide.reset()
        self.router.reset()
        self.speech.cancel()
        self.speech.forget()

    def close(self) -> None:
        self.speech.close()
        self.router.stop()

    def _prepare(self, old: Layout | None, new: Layout, speech: Layout) -> None:
        """On a new screen, synthesise what each control says when focused, so that moving
        the focus ring is answered at once."""
        if not self.state.speech_on or (
                old is not None and (old.screen, old.language) == (new.screen, new.language)):
            return
        self.speech.prepare([describe(w, speech.language) for w in speech.focusable()],
                            speech.language)

    def _perform(self, items: list[Item], language: str, now: float) -> None:
        for item in items:
            if isinstance(item, Cue):
                self.router.play(Clip(cue_wav(item.name), item.caption, "cue"))
                self._caption(item.caption, now)
            elif isinstance(item, Say) and item.text and self.state.speech_on:
                self.speech.say(item.text, language, private=item.private)

    def _caption(self, text: str, now: float) -> None:
        self.state.caption = text
        self.state.caption_until = now + max(CAPTION_MIN_S, len(text) / CAPTION_CHARS_PER_S)
