"""The idle timer of the citizen session: warn, then end, never without the warning first.

kiosk-domain.md §2.5 and §6.9: a visit with no touch or key for ``timeout_s`` ends, and a
'need more time?' prompt with a countdown shows ``warning_s`` (at least 20 s) before. The timer
is driven by the session's injected clock through ``poll``; if the core polls late (a busy loop,
a suspended board), the warning starts when it is first noticed and the end still comes a full
``warning_s`` after it, so a citizen always gets the whole warning.
"""

from __future__ import annotations

import math
from enum import Enum


class IdleStatus(Enum):
    QUIET = "quiet"
    WARNING_STARTED = "warning_started"
    TIMED_OUT = "timed_out"


class IdleTimer:
    """Restarted by every citizen action; stopped while the visit waits for a device."""

    def __init__(self, timeout_s: float, warning_s: float) -> None:
        if not 0 < warning_s < timeout_s:
            raise ValueError("the warning must be shorter than the timeout and positive")
        self.timeout_s = timeout_s
        self.warning_s = warning_s
        self._last_activity: float | None = None
        self._warned_at: float | None = None

    @property
    def running(self) -> bool:
        return self._last_activity is not None

    @property
    def warning(self) -> bool:
        return self._warned_at is not None

    def restart(self, now: float) -> None:
        self._last_activity = now
        self._warned_at = None

    def stop(self) -> None:
        self._last_activity = None
        self._warned_at = None

    def _warn_at(self) -> float | None:
        if self._last_activity is None:
            return None
        return self._last_activity + self.timeout_s - self.warning_s

    def _end_at(self) -> float | None:
        return None if self._warned_at is None else self._warned_at + self.warning_s

    def poll(self, now: float) -> IdleStatus:
        """Advance to ``now``: start the warning, or report the end of the visit."""
        warn_at = self._warn_at()
        if warn_at is None:
            return IdleStatus.QUIET
        if self._warned_at is None:
            if now >= warn_at:
                self._warned_at = now
                return IdleStatus.WARNING_STARTED
            return IdleStatus.QUIET
        end_at = self._end_at()
        if end_at is not None and now >= end_at:
            self.stop()
            return IdleStatus.TIMED_OUT
        return IdleStatus.QUIET

    def seconds_left(self, now: float) -> float | None:
        """Whole seconds left while the warning shows (for the countdown), else None."""
        end_at = self._end_at()
        if end_at is None:
            return None
        return float(max(0, math.ceil(end_at - now)))

    def next_deadline(self, now: float) -> float | None:
        """When ``poll`` next has something to do, or the countdown's next whole second."""
        end_at = self._end_at()
        if end_at is None:
            return self._warn_at()
        remaining = end_at - now
        if remaining <= 0:
            return end_at
        return end_at - (math.ceil(remaining) - 1)
