"""systemd notification (sd_notify) and the watchdog fed only while both loops are alive.

Speaks the ``NOTIFY_SOCKET`` datagram protocol of sd_notify(3) directly (no libsystemd): the
socket path, ``@`` for the abstract namespace. ``Watchdog`` pings ``WATCHDOG=1`` every half of
``WATCHDOG_USEC`` (systemd.service(5): ping at least every half interval) but only while every
heartbeat it watches is fresh, so a frozen UI is restarted as surely as a stuck core.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

#: A heartbeat older than this (seconds) counts as a stuck loop.
DEFAULT_MAX_AGE_S = 10.0


def notify(message: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send ``message`` (e.g. ``READY=1``) to systemd; False when not run by systemd."""
    path = (environ or os.environ).get("NOTIFY_SOCKET")
    if not path:
        return False
    address = "\0" + path[1:] if path.startswith("@") else path
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(message.encode(), address)
        except OSError as exc:
            log.warning("sd_notify failed: %s", exc)
            return False
    return True


def watchdog_interval_s(environ: Mapping[str, str] | None = None) -> float | None:
    """Half of ``WATCHDOG_USEC`` in seconds, or None when the watchdog is off."""
    value = (environ or os.environ).get("WATCHDOG_USEC")
    if not value or not value.isdigit() or int(value) == 0:
        return None
    return int(value) / 2_000_000


class Watchdog:
    """Pings systemd while every heartbeat is younger than ``max_age_s``."""

    def __init__(self, heartbeats: Mapping[str, Callable[[], float]], *,
                 max_age_s: float = DEFAULT_MAX_AGE_S,
                 environ: Mapping[str, str] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.heartbeats = heartbeats
        self.max_age_s = max_age_s
        self.environ = dict(environ if environ is not None else os.environ)
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def stale(self) -> list[str]:
        """The loops whose heartbeat is too old."""
        now = self.clock()
        return [name for name, beat in self.heartbeats.items()
                if now - beat() > self.max_age_s]

    def start(self) -> None:
        notify("READY=1", self.environ)
        interval = watchdog_interval_s(self.environ)
        if interval is None:
            return
        self._thread = threading.Thread(target=self._run, args=(interval,),
                                        name="watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        notify("STOPPING=1", self.environ)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self, interval: float) -> None:
        reported: list[str] = []
        while not self._stop.wait(interval):
            stale = self.stale()
            if not stale:
                notify("WATCHDOG=1", self.environ)
            elif stale != reported:
                log.error("watchdog not fed: %s stuck", ", ".join(stale))
                notify(f"STATUS=stuck: {', '.join(stale)}", self.environ)
            reported = stale
