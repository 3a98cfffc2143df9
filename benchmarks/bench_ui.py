"""Citizen UI: input-to-frame latency, idle CPU, cold start and memory (issue 5).

Runs the real ``KioskUI`` on SDL's dummy video and audio drivers at 1080x1920 (so it measures
our layout, rendering and loop, not a GPU or a panel):

- latency: from posting an input event to ``step()`` returning with the updated frame
  presented: a finger press (the button shows pressed, a partial redraw) and a lift that
  activates it, answered at once by a new snapshot from a stand-in core (a whole new screen);
  targets p99 < 50 ms and p50 < 16.7 ms (one 60 Hz frame);
- idle CPU on the attract screen over 5 s, as the process's CPU time over wall time; target
  under 1 % of one core;
- cold start to the first frame, in a fresh interpreter (import, display, fonts, first
  layout and render); target under 2 s;
- resident memory after every sample screen has been shown in every language (peak RSS of
  that fresh process); target under 150 MB.

Run: ``.venv/bin/python -m benchmarks.bench_ui`` (prints JSON).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_P99_MS = 50.0
TARGET_P50_MS = 16.7
TARGET_IDLE_CPU_PERCENT = 1.0
TARGET_COLD_START_S = 2.0
TARGET_RSS_MB = 150.0
ROUNDS = 200
IDLE_S = 5.0

_CHILD = r"""
import os, resource, sys, time
started = float(sys.argv[1])
os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
from kiosk import view
from kiosk.config import LANGUAGES, UiConfig
from kiosk.screens.runtime import KioskUI
from kiosk.screens.samples import STATES, sample_snapshot
channel = view.SnapshotChannel(sample_snapshot("attract", "ko"))
ui = KioskUI(UiConfig(), channel, view.IntentQueue())
ui.step(0)
first_frame = time.time() - started
seq = 1
for language in LANGUAGES:
    for state in STATES:
        seq += 1
        snapshot = sample_snapshot(state, language, seq=seq)
        channel.publish(snapshot)
        ui.step(0)
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
ui.close()
print(f"{first_frame:.4f} {rss_mb:.1f}")
"""


def _environment() -> None:
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _latency() -> dict[str, Any]:
    """The UI loop runs as in the kiosk (``step(HEARTBEAT_MS)`` on the main thread); a
    'panel' thread posts the touches at random moments and a 'core' thread answers intents
    with snapshots, so the figures include the loop's wait for input."""
    import pygame

    from kiosk import view
    from kiosk.config import UiConfig
    from kiosk.screens.runtime import HEARTBEAT_MS, KioskUI
    from kiosk.screens.samples import sample_snapshot
    from kiosk.screens.speech import SpeechEngine

    catalogue = sample_snapshot("catalogue", "ko")
    options = sample_snapshot("options", "ko")
    channel = view.SnapshotChannel(catalogue)
    intents = view.IntentQueue()
    ui = KioskUI(UiConfig(), channel, intents, speech=SpeechEngine(executable=""))
    ui.step(0)
    target = ui.layout.find("doc.resident-abstract")
    x, y, w, h = target.rect
    finger = {"touch_id": 1, "finger_id": 0, "x": (x + w / 2) / 1080,
              "y": (y + h / 2) / 1920, "dx": 0, "dy": 0, "pressure": 1}
    frames = threading.Condition()
    presented: list[tuple[float, str, str | None]] = []
    press: list[float] = []
    screen: list[float] = []
    done = threading.Event()
    seq = [1]

    def publish(snapshot: view.Snapshot) -> None:
        seq[0] += 1
        channel.publish(replace(snapshot, seq=seq[0]))

    def core() -> None:
        while not done.is_set():
            intent = intents.get(timeout_s=0.1)
            if isinstance(intent, view.ChooseDocument):
                publish(options)

    def wait_frame(after: float, screen_id: str, pressed: str | None) -> float:
        with frames:
            while True:
                for when, shown, pressed_id in presented:
                    if when > after and shown == screen_id and pressed_id == pressed:
                        return when
                if not frames.wait(timeout=2.0):
                    raise RuntimeError("no frame within 2 s of the input")

    def panel() -> None:
        random = Random(5)
        try:
            for round_index in range(ROUNDS + 10):
                time.sleep(random.uniform(0.02, 0.05))
                down = time.perf_counter()
                pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, finger))
                pressed = wait_frame(down, "catalogue", "doc.resident-abstract")
                time.sleep(random.uniform(0.02, 0.05))
                up = time.perf_counter()
                pygame.event.post(pygame.event.Event(pygame.FINGERUP, finger))
                changed = wait_frame(up, "options", None)
                if round_index >= 10:
                    press.append((pressed - down) * 1000)
                    screen.append((changed - up) * 1000)
                back = time.perf_counter()
                publish(catalogue)
                wait_frame(back, "catalogue", None)
        finally:
            done.set()

    threads = [threading.Thread(target=core), threading.Thread(target=panel)]
    for thread in threads:
        thread.start()
    try:
        while not done.is_set():
            if ui.step(HEARTBEAT_MS):
                with frames:
                    presented.append((time.perf_counter(), ui.layout.screen,
                                      ui.state.pressed_id))
                    del presented[:-8]
                    frames.notify_all()
    finally:
        for thread in threads:
            thread.join()
        ui.close()
    both = press + screen
    return {
        "rounds": ROUNDS,
        "press_p50_ms": round(statistics.median(press), 2),
        "press_p99_ms": round(_percentile(press, 0.99), 2),
        "new_screen_p50_ms": round(statistics.median(screen), 2),
        "new_screen_p99_ms": round(_percentile(screen, 0.99), 2),
        "p50_ms": round(statistics.median(both), 2),
        "p99_ms": round(_percentile(both, 0.99), 2),
    }


def _idle_cpu() -> dict[str, Any]:
    from kiosk import view
    from kiosk.config import UiConfig
    from kiosk.screens.runtime import HEARTBEAT_MS, KioskUI
    from kiosk.screens.samples import sample_snapshot
    from kiosk.screens.speech import SpeechEngine

    ui = KioskUI(UiConfig(), view.SnapshotChannel(sample_snapshot("attract", "ko")),
                 view.IntentQueue(), speech=SpeechEngine(executable=""))
    ui.step(0)
    frames = ui.frames_presented
    wall, cpu = time.perf_counter(), time.process_time()
    wakeups = 0
    try:
        while time.perf_counter() - wall < IDLE_S:
            ui.step(HEARTBEAT_MS)
            wakeups += 1
    finally:
        elapsed_wall = time.perf_counter() - wall
        elapsed_cpu = time.process_time() - cpu
        presented = ui.frames_presented - frames
        ui.close()
    return {"seconds": round(elapsed_wall, 2), "cpu_percent": round(
        100 * elapsed_cpu / elapsed_wall, 3), "wakeups": wakeups, "frames_presented": presented}


def _cold_start_and_memory() -> dict[str, Any]:
    started = time.time()
    done = subprocess.run([sys.executable, "-c", _CHILD, repr(started)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    first_frame, rss = done.stdout.split()[-2:]
    return {"cold_start_s": round(float(first_frame), 3), "rss_mb": float(rss)}


def run() -> dict[str, Any]:
    _environment()
    latency = _latency()
    idle = _idle_cpu()
    start = _cold_start_and_memory()
    return {
        "targets": {"p99_ms": TARGET_P99_MS, "p50_ms": TARGET_P50_MS,
                    "idle_cpu_percent": TARGET_IDLE_CPU_PERCENT,
                    "cold_start_s": TARGET_COLD_START_S, "rss_mb": TARGET_RSS_MB},
        "latency": latency, "idle": idle, **start,
        "meets_target": (latency["p99_ms"] < TARGET_P99_MS
                         and latency["p50_ms"] < TARGET_P50_MS
                         and idle["cpu_percent"] < TARGET_IDLE_CPU_PERCENT
                         and start["cold_start_s"] < TARGET_COLD_START_S
                         and start["rss_mb"] < TARGET_RSS_MB),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
