"""A pseudo-terminal behind a stable symlink, carrying one emulator's bytes (Klipper's recipe).

The emulator owns the master side; the driver opens the slave through the symlink. The slave
is put in raw mode and kept open here, so the master never sees EIO when a client closes.
Unplug closes the master (the client's next read fails, as when a USB device vanishes) and
removes the symlink; replug makes a new pty and re-points the symlink atomically. The symlink
is created only once the reader is running, so its existence means "the device answers".

Replies are written by one writer thread, in order, each after its delay.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pty
import select
import termios
import threading
import time
import tty
from pathlib import Path
from queue import Empty, Queue

from sim.emulator import Emulator

log = logging.getLogger(__name__)

READ_CHUNK = 4096
POLL_S = 0.05


class PtyLink:
    """One emulator on one pty, reachable at ``symlink``."""

    def __init__(self, emulator: Emulator, symlink: Path) -> None:
        self.emulator = emulator
        self.symlink = symlink
        self._master: int | None = None
        self._slave: int | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._outgoing: Queue[tuple[float, bytes]] = Queue()
        self.plugged = False

    def open(self) -> None:
        """Create the pty, start reading and writing, then publish the symlink."""
        if self.plugged:
            return
        master, slave = pty.openpty()
        tty.setraw(slave, termios.TCSANOW)
        self._master, self._slave = master, slave
        self._stop = threading.Event()
        self._outgoing = Queue()
        self._threads = [
            threading.Thread(target=self._read_loop, args=(master, self._stop),
                             name=f"pty-read-{self.emulator.name}", daemon=True),
            threading.Thread(target=self._write_loop, args=(master, self._stop, self._outgoing),
                             name=f"pty-write-{self.emulator.name}", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        self.emulator.attach(self._enqueue)
        self.symlink.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.symlink.with_name(f".{self.symlink.name}.tmp")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        temporary.symlink_to(os.ttyname(slave))
        os.replace(temporary, self.symlink)
        self.plugged = True

    def close(self) -> None:
        """Unplug: remove the symlink, stop the threads and close both ends."""
        if not self.plugged:
            return
        self.plugged = False
        self.emulator.attach(None)
        with contextlib.suppress(FileNotFoundError):
            self.symlink.unlink()
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        for fd in (self._master, self._slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = None

    def replug(self) -> None:
        self.close()
        self.open()

    @property
    def tty_path(self) -> str | None:
        return os.ttyname(self._slave) if self._slave is not None else None

    def _enqueue(self, data: bytes, delay_s: float) -> None:
        self._outgoing.put((time.monotonic() + delay_s, data))

    def _read_loop(self, master: int, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                ready, _, _ = select.select([master], [], [], POLL_S)
                if not ready:
                    continue
                data = os.read(master, READ_CHUNK)
            except OSError:
                return
            if data:
                try:
                    self.emulator.receive(data)
                except Exception as exc:  # an emulator bug must not kill the device
                    self._report(exc)

    def _write_loop(self, master: int, stop: threading.Event,
                    outgoing: Queue[tuple[float, bytes]]) -> None:
        while not stop.is_set():
            try:
                due, data = outgoing.get(timeout=POLL_S)
            except Empty:
                continue
            wait = due - time.monotonic()
            if wait > 0 and stop.wait(wait):
                return
            view = memoryview(data)
            while view and not stop.is_set():
                try:
                    _, writable, _ = select.select([], [master], [], POLL_S)
                    if writable:
                        written = os.write(master, view)
                        view = view[written:]
                except OSError:
                    return

    def _report(self, exc: Exception) -> None:
        log.exception("%s emulator failed on input: %s",
                                              self.emulator.name, type(exc).__name__)
