"""Base of every device emulator: bytes in, replies out, faults on demand (R11).

An emulator decodes what the driver sends with the production codec, keeps the device's real
state, and answers through its transport (a pseudo-terminal, see ``sim.ptylink``). Faults are
switched on and off through ``set_fault`` (the CLI and the JSON control API call it); the
common ones are handled here for every device:

- ``silent``: replies and events are dropped;
- ``garbage``: each reply is preceded by random bytes (seeded), so decoders must resynchronise;
- ``slow``: each reply is delayed by ``slow_s`` (default 2.5 s, above most driver deadlines);
- ``unplug`` / ``replug``: handled by the host, which closes or reopens the pty.

Person-at-the-machine actions (place a finger, press a key, take the document) go through
``act``. ``timing`` scales every mechanical delay: 1.0 is realistic, 0 is instant for tests.
"""

from __future__ import annotations

import abc
import random
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

COMMON_FAULTS = frozenset({"silent", "garbage", "slow", "unplug", "replug"})
SLOW_REPLY_S = 2.5

Sender = Callable[[bytes, float], None]


class UnknownFault(ValueError):
    """A fault or action name the emulator does not know; the message lists the valid ones."""


class Emulator(abc.ABC):
    """One emulated device. Subclasses implement ``receive`` and may extend faults/actions."""

    #: The device name, as in the config and the run directory's symlinks.
    name: ClassVar[str] = "device"
    #: Device-specific faults (the common ones are added automatically).
    FAULTS: ClassVar[frozenset[str]] = frozenset()
    #: Device-specific actions of the person at the machine.
    ACTIONS: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, *, timing: float = 0.0, seed: int = 0,
                 output_dir: Path | None = None) -> None:
        self.timing = timing
        self.output_dir = output_dir
        self.random = random.Random(seed)
        self.lock = threading.RLock()
        self.faults: dict[str, dict[str, Any]] = {}
        self._send: Sender | None = None

    # --------------------------------------------------------------- wiring

    def attach(self, send: Sender | None) -> None:
        """Connect to a transport: ``send(data, delay_s)`` writes in order after the delay."""
        self._send = send

    @abc.abstractmethod
    def receive(self, data: bytes) -> None:
        """Bytes from the driver, split anywhere; decode with the codec and act."""

    # -------------------------------------------------------------- replies

    def reply(self, data: bytes, delay_s: float = 0.0) -> None:
        """Send a reply (or an unsolicited event) through the faults in force.

        ``delay_s`` is the device's own processing time, scaled by ``timing``.
        """
        if "silent" in self.faults or self._send is None or not data:
            return
        delay = delay_s * self.timing
        if "slow" in self.faults:
            delay += float(self.faults["slow"].get("seconds", SLOW_REPLY_S))
        if "garbage" in self.faults:
            count = int(self.faults["garbage"].get("bytes", 7))
            data = bytes(self.random.randrange(256) for _ in range(count)) + data
        self._send(data, delay)

    emit = reply

    # --------------------------------------------------------------- faults

    @classmethod
    def known_faults(cls) -> frozenset[str]:
        return cls.FAULTS | COMMON_FAULTS

    def set_fault(self, fault: str, active: bool = True,
                  params: Mapping[str, Any] | None = None) -> None:
        """Switch a fault on or off.

        Raises:
            UnknownFault: the fault is not one this device has.
        """
        if fault not in self.known_faults():
            raise UnknownFault(f"{self.name}: unknown fault {fault!r}; known: "
                               f"{', '.join(sorted(self.known_faults()))}")
        with self.lock:
            if active:
                self.faults[fault] = dict(params or {})
            else:
                self.faults.pop(fault, None)
            self.on_fault(fault, active, dict(params or {}))

    def on_fault(self, fault: str, active: bool, params: dict[str, Any]) -> None:
        """Hook: apply a device-specific fault to the state (e.g. paper out empties trays)."""
        del fault, active, params

    def clear_faults(self) -> None:
        for fault in list(self.faults):
            self.set_fault(fault, active=False)

    # -------------------------------------------------------------- actions

    def act(self, action: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Do what a person at the machine does; returns a small JSON-ready result.

        Raises:
            UnknownFault: the action is not one this device has.
        """
        if action not in self.ACTIONS:
            raise UnknownFault(f"{self.name}: unknown action {action!r}; known: "
                               f"{', '.join(sorted(self.ACTIONS)) or 'none'}")
        with self.lock:
            return self.on_action(action, dict(params or {}))

    def on_action(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """Hook: perform a device-specific action."""
        del action, params
        return {}

    # ---------------------------------------------------------------- state

    def state(self) -> dict[str, Any]:
        """The emulator's state for the control API and tests (JSON-ready)."""
        return {"device": self.name, "faults": sorted(self.faults)}
