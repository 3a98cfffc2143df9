"""Voice guidance: text to speech with espeak-ng in a worker thread, interruptible.

reference/kiosk-domain.md §6.8: no licence-clean offline neural Korean voice exists; espeak-ng
speaks Korean, English and Vietnamese intelligibly in about 10 ms a sentence. Its Mandarin
(``cmn``, 1.51 in Debian 12) reads tone numbers aloud in English and its Japanese reads every
kanji as "Chinese letter", so for Chinese and Japanese the guidance is spoken in English and the
screen says so (docs/accessibility.md). The text goes to espeak-ng on stdin (never on a command
line other processes can read) and the WAV comes back on stdout: nothing touches the disk.

Fixed prompts are synthesised ahead (:meth:`SpeechEngine.prepare`) so that the first words
come at once; a recorded prompt, where one is installed as
``kiosk/screens/sounds/<lang>-<sha1 of the text, 16 hex>.wav``, is played instead of the
synthetic voice. Requests replace each other: only the newest one is played.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import queue
import shutil
import struct
import subprocess
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.screens.audio import Clip

LOG = logging.getLogger(__name__)

PROMPTS_DIR = Path(__file__).resolve().parent / "sounds"
#: Words per minute; espeak-ng's default of 175 is fast for older listeners.
DEFAULT_RATE_WPM = 150
SYNTH_TIMEOUT_S = 10.0
CACHE_ENTRIES = 256
_SPEAK, _PREPARE = 0, 1


@dataclass(frozen=True)
class Voice:
    """The espeak-ng voice used for a UI language, and whether it speaks that language."""

    espeak: str
    native: bool


VOICES: dict[str, Voice] = {
    "ko": Voice("ko", True),
    "en": Voice("en-us", True),
    "vi": Voice("vi", True),
    "zh": Voice("en-us", False),   # cmn in espeak-ng 1.51 reads tone numbers in English
    "ja": Voice("en-us", False),   # ja in espeak-ng 1.51 reads only kana; kanji as "letter"
}


def speech_language(language: str) -> str:
    """The language guidance is spoken in when the screen is in ``language``."""
    return language if VOICES[language].native else "en"


def prompt_path(text: str, language: str, prompts_dir: Path = PROMPTS_DIR) -> Path:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    return prompts_dir / f"{language}-{digest}.wav"


def fix_wav_sizes(data: bytes) -> bytes:
    """espeak-ng streaming to stdout cannot seek back, so its RIFF and data sizes are
    placeholders (0x7ffff024); write the real ones so that every WAV reader accepts it."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE stream")
    position = 12
    while position + 8 <= len(data):
        chunk, size = data[position:position + 4], struct.unpack_from("<I", data, position + 4)[0]
        if chunk == b"data":
            payload = len(data) - position - 8
            fixed = bytearray(data)
            struct.pack_into("<I", fixed, 4, len(data) - 8)
            struct.pack_into("<I", fixed, position + 4, payload)
            return bytes(fixed)
        position += 8 + size + (size & 1)
    raise ValueError("WAVE stream has no data chunk")


@dataclass(frozen=True)
class _Job:
    kind: int
    generation: int
    text: str
    language: str
    private: bool


class SpeechEngine:
    """Synthesises in a worker thread; the UI thread takes finished clips with
    :meth:`take_results` after ``notify`` tells it one is ready."""

    def __init__(self, notify: Callable[[], None] | None = None, *,
                 executable: str | None = None, rate_wpm: int = DEFAULT_RATE_WPM,
                 prompts_dir: Path = PROMPTS_DIR) -> None:
        self.executable = executable if executable is not None else shutil.which("espeak-ng")
        self.rate_wpm = rate_wpm
        self.prompts_dir = prompts_dir
        self.notify = notify
        self._jobs: queue.PriorityQueue[tuple[int, int, _Job | None]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._results: deque[tuple[int, Clip]] = deque()
        self._lock = threading.Lock()
        self._generation = 0
        self._cache: OrderedDict[tuple[str, int, str], bytes] = OrderedDict()
        self._thread: threading.Thread | None = None
        if not self.executable:
            LOG.warning("no espeak-ng: voice guidance is silent (text stays on screen)")

    @property
    def available(self) -> bool:
        """False without espeak-ng (or with ``executable=""``, which switches speech off)."""
        return bool(self.executable)

    def say(self, text: str, language: str, *, private: bool = False) -> int:
        """Speak ``text`` (in ``language``'s voice) instead of anything still pending."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        if self.available and text:
            self._submit(_Job(_SPEAK, generation, text, language, private))
        return generation

    def cancel(self) -> None:
        """Drop whatever is pending or finished but not yet played."""
        with self._lock:
            self._generation += 1
            self._results.clear()

    def prepare(self, texts: Iterable[str], language: str) -> None:
        """Synthesise ``texts`` ahead, at lower priority than anything to be said now."""
        if not self.available:
            return
        for text in dict.fromkeys(texts):
            if text:
                self._submit(_Job(_PREPARE, 0, text, language, False))

    def take_results(self) -> list[Clip]:
        """Clips of the newest request that are ready to play (older ones are dropped)."""
        with self._lock:
            ready = [clip for generation, clip in self._results
                     if generation == self._generation]
            self._results.clear()
        return ready

    @property
    def busy(self) -> bool:
        """Something is still to be synthesised, or finished and not yet taken."""
        with self._lock:
            return not self._jobs.empty() or bool(self._results)

    def cached_texts(self) -> list[str]:
        """The texts whose audio is cached (oldest first)."""
        with self._lock:
            return [text for _voice, _rate, text in self._cache]

    def forget(self) -> None:
        """Drop cached audio (end of a citizen's session)."""
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        if self._thread is not None:
            self._jobs.put((-1, next(self._order), None))
            self._thread.join(timeout=5)
            self._thread = None

    def _submit(self, job: _Job) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="speech", daemon=True)
            self._thread.start()
        self._jobs.put((job.kind, next(self._order), job))

    def _work(self) -> None:
        while True:
            _priority, _order, job = self._jobs.get()
            if job is None:
                return
            with self._lock:
                stale = job.kind == _SPEAK and job.generation != self._generation
            if stale:
                continue
            try:
                wav = self.synthesise(job.text, job.language, cache=not job.private)
            except (OSError, subprocess.SubprocessError, ValueError) as exc:
                LOG.warning("speech synthesis failed: %s", type(exc).__name__)
                continue
            if job.kind != _SPEAK:
                continue
            with self._lock:
                if job.generation != self._generation:
                    continue
                self._results.append((job.generation, Clip(wav, job.text, "speech",
                                                           job.private)))
            if self.notify is not None:
                self.notify()

    def synthesise(self, text: str, language: str, *, cache: bool = True) -> bytes:
        """The WAV for ``text``: a recorded prompt if installed, else espeak-ng's."""
        voice = VOICES[language].espeak
        key = (voice, self.rate_wpm, text)
        with self._lock:
            wav = self._cache.get(key)
        if wav is not None:
            return wav
        recorded = prompt_path(text, language, self.prompts_dir)
        if recorded.is_file():
            wav = recorded.read_bytes()
        else:
            if not self.executable:
                raise OSError("espeak-ng is not installed")
            done = subprocess.run(
                [self.executable, "-v", voice, "-s", str(self.rate_wpm), "--stdin",
                 "--stdout"], input=text.encode("utf-8"), capture_output=True,
                timeout=SYNTH_TIMEOUT_S, check=True)
            wav = fix_wav_sizes(done.stdout)
        if cache:
            with self._lock:
                self._cache[key] = wav
                while len(self._cache) > CACHE_ENTRIES:
                    self._cache.popitem(last=False)
        return wav
