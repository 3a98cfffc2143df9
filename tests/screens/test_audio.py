"""Audio output and speech synthesis: routing between speaker and earphone, privacy, volume
range and reset, cue tones, the real mixer on SDL's dummy audio driver, and espeak-ng."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import wave

import pygame
import pytest

from kiosk.screens.audio import (
    CUES,
    AudioRouter,
    Clip,
    MixerSink,
    NullSink,
    cue_wav,
    gain_for,
    mixer_sinks,
    tone_wav,
)
from kiosk.screens.speech import VOICES, SpeechEngine, fix_wav_sizes, speech_language
from kiosk.screens.state import DEFAULT_VOLUME, VOLUME_MAX, VOLUME_MIN

from .helpers import RecordingSink

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed")
#: A sentence per language in its own script, to see whether espeak-ng reads it natively.
NATIVE_SAMPLES = {"ko": "서류를 선택하세요", "en": "Choose a document", "vi": "Chọn giấy tờ",
                  "zh": "请选择文件", "ja": "書類を選んでください"}


def speech(text: str = "hello", private: bool = False) -> Clip:
    return Clip(tone_wav(((440, 20),)), text, "speech", private)


def test_volume_range_is_at_least_18_db_and_never_silent() -> None:
    span_db = 20 * math.log10(gain_for(VOLUME_MAX) / gain_for(VOLUME_MIN))
    assert span_db >= 18
    assert gain_for(VOLUME_MAX) == 1.0 and gain_for(VOLUME_MIN) > 0
    assert gain_for(99) == gain_for(VOLUME_MAX) and gain_for(-5) == gain_for(VOLUME_MIN)
    assert all(gain_for(level) < gain_for(level + 1) for level in range(VOLUME_MAX))


def test_router_sends_to_speaker_or_earphone_and_never_private_to_speaker() -> None:
    speaker, headset = RecordingSink("speaker"), RecordingSink("headset")
    router = AudioRouter(speaker, headset)
    assert router.play(speech("public")) is speaker
    assert router.play(speech("private", private=True)) is None
    router.set_headset(True)
    assert speaker.stops == 1, "plugging in the earphone silences the speaker at once"
    assert router.play(speech("private", private=True)) is headset
    assert router.play(speech("public")) is headset
    assert speaker.texts() == ["public"]
    assert headset.texts() == ["private", "public"]


def test_volume_changes_gain_and_reset_restores_the_default() -> None:
    speaker, headset = RecordingSink("speaker"), RecordingSink("headset")
    router = AudioRouter(speaker, headset)
    router.set_level(9)
    router.play(speech())
    router.reset()
    router.play(speech())
    assert [gain for _clip, gain in speaker.played] == [gain_for(9), gain_for(DEFAULT_VOLUME)]
    assert speaker.stops >= 1 and headset.stops >= 1


@pytest.mark.parametrize("name", sorted(CUES))
def test_cue_tones_are_valid_short_wavs(name: str) -> None:
    with wave.open(io.BytesIO(cue_wav(name))) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        duration = wav.getnframes() / wav.getframerate()
    assert 0.02 < duration < 1.0
    assert cue_wav(name) is cue_wav(name), "synthesised once"


def test_mixer_sinks_play_on_the_dummy_audio_driver() -> None:
    speaker, headset = mixer_sinks()
    try:
        assert isinstance(speaker, MixerSink) and isinstance(headset, MixerSink)
        speaker.play(Clip(cue_wav("chime"), "chime", "cue"), 0.5)
        assert pygame.mixer.Channel(1).get_busy()
        assert not pygame.mixer.Channel(0).get_busy(), "cues do not take the speech channel"
        speaker.stop()
        assert not pygame.mixer.Channel(1).get_busy()
    finally:
        pygame.mixer.quit()


def test_null_sink_plays_nothing_quietly() -> None:
    sink = NullSink("speaker")
    sink.play(speech(), 1.0)
    sink.stop()


def test_wav_sizes_are_fixed_and_garbage_is_refused() -> None:
    good = tone_wav(((440, 10),))
    broken = good[:4] + b"\x24\xf0\xff\x7f" + good[8:40] + b"\x00\xf0\xff\x7f" + good[44:]
    assert fix_wav_sizes(broken) == good
    for garbage in (b"", b"RIFF", b"RIFX" + good[4:], good[:12] + b"fmt " + b"\xff" * 40):
        with pytest.raises(ValueError):
            fix_wav_sizes(garbage)


@needs_espeak
@pytest.mark.parametrize("language", sorted(NATIVE_SAMPLES))
def test_voice_table_matches_what_this_espeak_ng_can_speak(language: str) -> None:
    """espeak-ng marks text it reads with another language's rules as '(en)'; the table says
    which languages fall back to English, and this keeps it honest on upgrades."""
    phonemes = subprocess.run(
        [ESPEAK, "-q", "-x", "-v", {"zh": "cmn", "ja": "ja"}.get(language,
                                                                 VOICES[language].espeak)],
        input=NATIVE_SAMPLES[language].encode(), capture_output=True, check=True).stdout
    reads_natively = b"(en)" not in phonemes
    assert reads_natively == VOICES[language].native
    assert speech_language(language) == (language if reads_natively else "en")


@needs_espeak
def test_engine_speaks_the_newest_request_only_and_can_be_cancelled() -> None:
    ready = []
    engine = SpeechEngine(notify=lambda: ready.append(1))
    try:
        engine.say("first sentence", "en")
        engine.say("두 번째 문장", "ko")
        deadline = pygame.time.get_ticks() + 10_000
        clips = []
        while not clips and pygame.time.get_ticks() < deadline:
            clips = engine.take_results()
            pygame.time.wait(10)
        assert [clip.text for clip in clips] == ["두 번째 문장"]
        with wave.open(io.BytesIO(clips[0].wav)) as wav:
            assert wav.getnframes() > 1000
        engine.say("third", "en")
        engine.cancel()
        pygame.time.wait(300)
        assert engine.take_results() == []
    finally:
        engine.close()


@needs_espeak
def test_private_speech_is_not_cached() -> None:
    engine = SpeechEngine()
    try:
        engine.synthesise("seven", "en", cache=False)
        engine.synthesise("menu", "en")
        assert engine.cached_texts() == ["menu"]
        engine.forget()
        assert engine.cached_texts() == []
    finally:
        engine.close()


def test_without_espeak_the_engine_is_silent_but_harmless() -> None:
    engine = SpeechEngine(executable="")
    assert not engine.available
    engine.say("anything", "ko")
    engine.prepare(["a", "b"], "ko")
    assert engine.take_results() == []
    with pytest.raises(OSError):
        engine.synthesise("anything", "ko")
