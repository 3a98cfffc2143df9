"""Audio output: where each sound goes (speaker or earphone), how loud, and the cue tones.

reference/kiosk-domain.md §2: an earphone jack; the speaker mutes while an earphone is plugged
in; private output only to the earphone (EN 301 549 5.1.3.9); a volume range of at least 18 dB
(8.2.1) reset after each citizen (5.1.3.13). Routing is an interface, :class:`AudioSink`,
with a speaker sink and a headset sink; :class:`AudioRouter` decides. Both sinks of
:func:`mixer_sinks` play through SDL's default output on their own mixer channels: on kiosk
boards the codec's jack-sense switch cuts the speaker when the plug is in, and the router also
never sends anything to the speaker sink then, so private speech cannot leak either way.

Cue tones are synthesised here as 16-bit mono PCM (no numpy), 22,050 Hz like espeak-ng.
"""

from __future__ import annotations

import io
import logging
import math
import sys
import wave
from array import array
from dataclasses import dataclass
from typing import Protocol

from kiosk.screens.state import DEFAULT_VOLUME, VOLUME_MAX, VOLUME_MIN

LOG = logging.getLogger(__name__)

SAMPLE_RATE = 22050
#: 3 dB per volume step: 10 steps span 30 dB (EN 301 549 8.2.1: >= 18 dB).
DB_PER_STEP = 3.0

#: Cue tones: (frequency Hz, duration ms) notes. The chime asks the citizen to take something.
CUES: dict[str, tuple[tuple[int, int], ...]] = {
    "chime": ((880, 150), (1175, 150), (1568, 260)),
    "key": ((1000, 35),),
    "error": ((392, 180), (262, 320)),
    "done": ((784, 120), (1047, 220)),
}


@dataclass(frozen=True)
class Clip:
    """A sound with the text it stands for (shown as a caption: text for every sound)."""

    wav: bytes
    text: str
    kind: str = "speech"
    private: bool = False


class AudioSink(Protocol):
    """One audio output."""

    name: str

    def play(self, clip: Clip, gain: float) -> None:
        """Play ``clip`` now, replacing whatever this sink was playing."""

    def stop(self) -> None:
        """Stop at once (speech is interruptible, EN 301 549 5.1.3.4)."""


def gain_for(level: int) -> float:
    """Linear gain of a volume level: 0 dB at the top, minus 3 dB per step below it."""
    level = max(VOLUME_MIN, min(VOLUME_MAX, level))
    return 10 ** (-(VOLUME_MAX - level) * DB_PER_STEP / 20)


class AudioRouter:
    """Sends each clip to the earphone when one is plugged in, else to the speaker, and drops
    private clips rather than let them reach the speaker."""

    def __init__(self, speaker: AudioSink, headset: AudioSink) -> None:
        self.speaker = speaker
        self.headset = headset
        self.headset_present = False
        self.level = DEFAULT_VOLUME

    @property
    def active(self) -> AudioSink:
        return self.headset if self.headset_present else self.speaker

    def set_headset(self, present: bool) -> None:
        if present == self.headset_present:
            return
        (self.speaker if present else self.headset).stop()
        self.headset_present = present

    def set_level(self, level: int) -> None:
        self.level = max(VOLUME_MIN, min(VOLUME_MAX, level))

    def play(self, clip: Clip) -> AudioSink | None:
        """Play ``clip``; returns the sink used, or None if it was private and no earphone."""
        if clip.private and not self.headset_present:
            return None
        sink = self.active
        sink.play(clip, gain_for(self.level))
        return sink

    def stop(self) -> None:
        self.speaker.stop()
        self.headset.stop()

    def reset(self) -> None:
        """After each citizen: silence and the default volume."""
        self.stop()
        self.level = DEFAULT_VOLUME


class NullSink:
    """A sink that plays nothing: no audio device, or audio switched off."""

    def __init__(self, name: str) -> None:
        self.name = name

    def play(self, clip: Clip, gain: float) -> None:
        del clip, gain

    def stop(self) -> None:
        return None


class MixerSink:
    """Plays through ``pygame.mixer``: speech and cues on two channels of their own, so a
    key tone does not cut a sentence short (UI thread only)."""

    def __init__(self, name: str, speech_channel: int, cue_channel: int) -> None:
        import pygame.mixer

        self.name = name
        self._mixer = pygame.mixer
        self._channels = {"speech": pygame.mixer.Channel(speech_channel),
                          "cue": pygame.mixer.Channel(cue_channel)}

    def play(self, clip: Clip, gain: float) -> None:
        sound = self._mixer.Sound(file=io.BytesIO(clip.wav))
        channel = self._channels["cue" if clip.kind == "cue" else "speech"]
        channel.set_volume(gain)
        channel.play(sound)

    def stop(self) -> None:
        for channel in self._channels.values():
            channel.stop()


def mixer_sinks() -> tuple[AudioSink, AudioSink]:
    """Speaker and headset sinks on the mixer, or silent ones if there is no audio device
    (SDL_AUDIODRIVER=dummy still has a mixer; a board without a sound card does not)."""
    import pygame.mixer

    try:
        if not pygame.mixer.get_init():
            pygame.mixer.init(frequency=SAMPLE_RATE, size=-16, channels=1, buffer=512)
        pygame.mixer.set_num_channels(max(4, pygame.mixer.get_num_channels()))
        return MixerSink("speaker", 0, 1), MixerSink("headset", 2, 3)
    except pygame.error as exc:
        LOG.warning("no audio output (%s); voice guidance and cues are silent", exc)
        return NullSink("speaker"), NullSink("headset")


def tone_wav(notes: tuple[tuple[int, int], ...], *, amplitude: float = 0.4) -> bytes:
    """A WAV file of sine notes with 5 ms fades (no clicks)."""
    samples = array("h")
    fade = int(SAMPLE_RATE * 0.005)
    for frequency, duration_ms in notes:
        count = int(SAMPLE_RATE * duration_ms / 1000)
        for i in range(count):
            envelope = min(1.0, i / fade, (count - 1 - i) / fade) if fade else 1.0
            value = math.sin(2 * math.pi * frequency * i / SAMPLE_RATE) * amplitude * envelope
            samples.append(int(value * 32767))
    if sys.byteorder == "big":
        samples.byteswap()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


_CUE_CACHE: dict[str, bytes] = {}


def cue_wav(name: str) -> bytes:
    """The WAV of cue ``name`` (one of :data:`CUES`), synthesised once."""
    wav = _CUE_CACHE.get(name)
    if wav is None:
        wav = tone_wav(CUES[name])
        _CUE_CACHE[name] = wav
    return wav
