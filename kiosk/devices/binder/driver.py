"""Driver of the binder-stapler and presenter (docs/protocols/binder.md).

``Binder`` binds the printed sheets, presents the document at the exit slot, learns whether the
citizen took it or the device retracted it, and reports ``DeviceStatus`` with the staples,
jam, cover, motor, retract-bin and wear detail and the device's lifetime counters. Long
operations answer at once and end with an event; each call waits for that event until
``config.timeout_s``. Every refusal or failed cycle raises ``DeviceOperationError`` whose
``fault`` is the protocol's code name (``paper_jam``, ``staples_out``, ``cover_open`` ...).
"""

from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from kiosk.devices.binder.codec import (
    MAX_JOB,
    MAX_SHEETS,
    MIN_SHEETS,
    ActionDone,
    Bind,
    BindDone,
    BinderCmd,
    BinderCode,
    BinderFlag,
    BinderStatus,
    BinEmptied,
    CartridgeReplaced,
    ExitState,
    MediaRetracted,
    MediaTaken,
    Present,
    PresentDone,
    Retract,
    UnitReplaced,
    parse_event,
    parse_status,
)
from kiosk.devices.framed_device import FramedDevice
from kiosk.devices.framing import Frame
from kiosk.devices.framing_messages import DeviceKind
from kiosk.errors import DeviceOperationError, DeviceTimeout
from kiosk.status import DetailValue, DeviceState

DEFAULT_TAKE_TIMEOUT_S = 60  # how long a document waits at the exit before it is retracted
MAX_TAKE_TIMEOUT_S = 255  # binder.md §1: u8 seconds
DEFAULT_CARTRIDGE_STAPLES = 5000  # devices.md §6: 5,000-staple cartridges
REMEMBERED_OUTCOMES = 64  # how many jobs' taken/retracted outcomes the driver remembers


class MediaOutcome(StrEnum):
    """What became of a presented document."""

    TAKEN = "taken"
    RETRACTED = "retracted"


@dataclass(frozen=True)
class BindReport:
    """A finished bind cycle."""

    job: int
    cycle_ms: int
    motor_peak_ma: int
    staples_fired: int


def binder_state(flags: BinderFlag) -> tuple[DeviceState, str | None]:
    """The XFS4IoT state for ``flags`` and the reason for a state that needs service.

    See binder.md §5: jams and motor faults are hardwareError (the citizen cannot reach
    them); a full retract bin is hardwareError (an untaken document could not be retracted);
    an open cover is userError (a person prevents operation; closing it fixes it); supplies
    and wear are detail only.
    """
    if flags & BinderFlag.MOTOR_FAULT:
        return DeviceState.HARDWARE_ERROR, "motor_fault"
    if flags & BinderFlag.PAPER_JAM:
        return DeviceState.HARDWARE_ERROR, "paper_jam"
    if flags & BinderFlag.STAPLE_JAM:
        return DeviceState.HARDWARE_ERROR, "staple_jam"
    if flags & BinderFlag.RETRACT_BIN_FULL:
        return DeviceState.HARDWARE_ERROR, "retract_bin_full"
    if flags & BinderFlag.COVER_OPEN:
        return DeviceState.USER_ERROR, "cover_open"
    if flags & BinderFlag.BUSY:
        return DeviceState.DEVICE_BUSY, None
    return DeviceState.ONLINE, None


def binder_detail(status: BinderStatus) -> dict[str, DetailValue]:
    """The per-class detail of binder.md §5."""
    flags = status.flags
    if flags & BinderFlag.CARTRIDGE_MISSING:
        staples = "missing"
    elif flags & BinderFlag.STAPLES_OUT:
        staples = "out"
    elif flags & BinderFlag.STAPLES_LOW:
        staples = "low"
    else:
        staples = "ok"
    jam = ("paper" if flags & BinderFlag.PAPER_JAM
           else "staple" if flags & BinderFlag.STAPLE_JAM else "none")
    if flags & BinderFlag.MEDIA_AT_EXIT:
        media = "present"
    elif jam != "none":
        media = "jammed"
    elif status.exit_state is ExitState.RETRACTED:
        media = "retracted"
    else:
        media = "notPresent"
    wear = ("over" if flags & BinderFlag.WEAR_OVER
            else "near_end" if flags & BinderFlag.WEAR_NEAR_END else "ok")
    rated = status.unit_rated_cycles
    return {
        "staples": staples, "staples_left": status.staples_left, "jam": jam,
        "cover": "open" if flags & BinderFlag.COVER_OPEN else "closed",
        "motor": "fault" if flags & BinderFlag.MOTOR_FAULT else "ok",
        "retract_bin": ("full" if flags & BinderFlag.RETRACT_BIN_FULL
                        else "high" if flags & BinderFlag.RETRACT_BIN_HIGH else "ok"),
        "retract_bin_count": status.retract_bin_count,
        "retract_bin_capacity": status.retract_bin_capacity,
        "media": media, "wear": wear, "wear_cycles": status.unit_cycles,
        "wear_rated_cycles": rated,
        "wear_percent": round(100.0 * status.unit_cycles / rated, 1) if rated else 0.0,
        "last_cycle_ms": status.last_cycle_ms, "motor_peak_ma": status.motor_peak_ma,
        "activity": status.activity.name.lower(),
    }


def binder_counters(status: BinderStatus) -> dict[str, int]:
    """The device's lifetime counters (binder.md §5)."""
    return {
        "cycles": status.cycles, "staples_used": status.staples_used, "jams": status.jams,
        "presented": status.presented, "taken": status.taken, "retracted": status.retracted,
        "cartridges_replaced": status.cartridges_replaced,
        "unit_replacements": status.unit_replacements,
        "device_events_dropped": status.events_dropped,
    }


class Binder(FramedDevice):
    """The binder-stapler/presenter; see binder.md for what each call sends."""

    kind: ClassVar[str] = "binder"
    device_kind: ClassVar[DeviceKind] = DeviceKind.BINDER
    code_enum = BinderCode

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._job_lock = threading.Lock()
        self._next_job = random.SystemRandom().randrange(1, 1 << 31)
        self._outcomes: OrderedDict[int, MediaOutcome] = OrderedDict()
        self.last_status: BinderStatus | None = None

    # ------------------------------------------------------------ operations

    def bind(self, sheets: int, *, job: int | None = None) -> BindReport:
        """Staple ``sheets`` (2-50) sheets waiting in the stacker; return the cycle's figures.

        Raises:
            ValueError: ``sheets`` or ``job`` out of range.
            DeviceOperationError: refused or the cycle failed (fault: the code's name).
            DeviceTimeout, DeviceUnavailable: no answer, or the port was lost.
        """
        if not MIN_SHEETS <= sheets <= MAX_SHEETS:
            raise ValueError(f"bind takes {MIN_SHEETS}-{MAX_SHEETS} sheets, got {sheets}")
        job = self._job(job)
        request = Bind(sheets, job)
        done: BindDone = self._run(request.CMD, request.payload(),
                                   lambda e: isinstance(e, BindDone) and e.job == job,
                                   "BIND", "BIND_DONE")
        self._raise_unless_ok(done.result, "bind")
        return BindReport(job, done.cycle_ms, done.motor_peak_ma, done.staples_fired)

    def present(self, *, job: int | None = None,
                take_timeout_s: int = DEFAULT_TAKE_TIMEOUT_S) -> int:
        """Move the document to the exit; return its job once it is there.

        The device retracts it by itself after ``take_timeout_s`` (1-255) unless taken.
        """
        if not 1 <= take_timeout_s <= MAX_TAKE_TIMEOUT_S:
            raise ValueError(f"take_timeout_s must be 1-{MAX_TAKE_TIMEOUT_S}")
        job = self._job(job)
        request = Present(job, take_timeout_s)
        done: PresentDone = self._run(request.CMD, request.payload(),
                                      lambda e: isinstance(e, PresentDone) and e.job == job,
                                      "PRESENT", "PRESENT_DONE")
        self._raise_unless_ok(done.result, "present")
        return job

    def wait_removed(self, job: int, timeout_s: float) -> MediaOutcome:
        """Wait until the presented document ``job`` was taken or retracted.

        If the event was lost, STATUS's ``exit_job``/``exit_state`` decide (binder.md §3).

        Raises:
            DeviceTimeout: still at the exit after ``timeout_s``.
        """
        waiter = self._expect(lambda e: isinstance(e, (MediaTaken, MediaRetracted))
                              and e.job == job)
        known = self._outcomes.get(job)
        if known is not None:
            self._forget(waiter)
            return known
        try:
            event = self._await_event(waiter, time.monotonic() + timeout_s, "take or retract")
        except DeviceTimeout:
            status = self.refresh_status()
            if status.exit_job == job and status.exit_state is ExitState.TAKEN:
                return MediaOutcome.TAKEN
            if status.exit_job == job and status.exit_state is ExitState.RETRACTED:
                return MediaOutcome.RETRACTED
            raise
        return MediaOutcome.TAKEN if isinstance(event, MediaTaken) else MediaOutcome.RETRACTED

    def retract(self, job: int = 0) -> None:
        """Retract the document at the exit (``job`` 0: whatever is there) into the bin."""
        request = Retract(job)
        self._run(request.CMD, request.payload(),
                  lambda e: isinstance(e, MediaRetracted) and job in (0, e.job),
                  "RETRACT", "MEDIA_RETRACTED")

    def clear_jam(self) -> None:
        """Reverse the stapler to clear a staple jam (a paper jam needs a technician)."""
        self._action(BinderCmd.CLEAR_JAM)

    def reset(self) -> None:
        """Home every mechanism (clears a staple jam, retracts a waiting document)."""
        self._action(BinderCmd.RESET)

    def replace_cartridge(self, staples: int = DEFAULT_CARTRIDGE_STAPLES) -> BinderStatus:
        """Record a new staple cartridge holding ``staples`` staples."""
        return self._immediate(BinderCmd.CARTRIDGE_REPLACED, CartridgeReplaced(staples).payload(),
                               "CARTRIDGE_REPLACED")

    def replace_unit(self, rated_cycles: int = 0) -> BinderStatus:
        """Reset wear after the stapler unit was replaced (0 keeps the current rating)."""
        return self._immediate(BinderCmd.UNIT_REPLACED, UnitReplaced(rated_cycles).payload(),
                               "UNIT_REPLACED")

    def bin_emptied(self) -> BinderStatus:
        """Record that a technician emptied the retract bin."""
        return self._immediate(BinderCmd.BIN_EMPTIED, BinEmptied().payload(), "BIN_EMPTIED")

    # ------------------------------------------------------------ helpers

    def _job(self, job: int | None) -> int:
        if job is not None:
            if not 1 <= job <= MAX_JOB:
                raise ValueError(f"job must be 1-{MAX_JOB}")
            return job
        with self._job_lock:
            job, self._next_job = self._next_job, self._next_job % MAX_JOB + 1
        return job

    def _run(self, cmd: int, payload: bytes, match: Callable[[Any], bool], request: str,
             event: str) -> Any:
        deadline = time.monotonic() + self.config.timeout_s
        waiter = self._expect(match)
        try:
            self._check(self._exchange(cmd, payload), request)
            return self._await_event(waiter, deadline, event)
        finally:
            self._forget(waiter)

    def _action(self, action: BinderCmd) -> None:
        done: ActionDone = self._run(action, b"", lambda e: isinstance(e, ActionDone)
                                     and e.action == action, action.name, "ACTION_DONE")
        self._raise_unless_ok(done.result, action.name.lower())

    def _immediate(self, cmd: int, payload: bytes, what: str) -> BinderStatus:
        self._check(self._exchange(cmd, payload), what)
        return self.refresh_status()  # type: ignore[no-any-return]

    def _raise_unless_ok(self, result: BinderCode, what: str) -> None:
        if result is not BinderCode.OK:
            raise DeviceOperationError(self.name, f"{what} failed: {result.name.lower()}",
                                       fault=result.name.lower())

    # ------------------------------------------------------------ FramedDevice hooks

    def _parse_event(self, frame: Frame) -> Any:
        return parse_event(frame)

    def _parse_status(self, body: bytes) -> BinderStatus:
        return parse_status(body)

    def _apply_status(self, status: BinderStatus) -> None:
        self.last_status = status
        state, reason = binder_state(status.flags)
        detail = binder_detail(status)
        if reason is not None:
            detail["reason"] = reason
        self._update(state, detail, binder_counters(status))

    def _handle_event(self, event: Any) -> None:
        if isinstance(event, BinderStatus):
            self._apply_status(event)
        elif isinstance(event, (MediaTaken, MediaRetracted)):
            self._outcomes[event.job] = (MediaOutcome.TAKEN if isinstance(event, MediaTaken)
                                         else MediaOutcome.RETRACTED)
            while len(self._outcomes) > REMEMBERED_OUTCOMES:
                self._outcomes.popitem(last=False)
