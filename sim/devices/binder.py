"""Emulated binder-stapler and presenter (docs/protocols/binder.md) with real state.

Keeps the staple cartridge, lifetime counters, the stapler unit's wear (cycle time and jam rate
rise with it), the document at the exit slot and the retract bin. A simulated citizen takes a
presented document after ``TAKE_AFTER_S`` (scaled by ``timing``) unless the ``not_taken`` fault
is on; the device retracts it after the host's ``take_timeout_s`` (real seconds: the host asked
for them). Faults: ``jam`` (param ``kind``: paper (default) or staple), ``staples_low`` (param
``left``, default 15), ``staples_out``, ``motor_fault``, ``worn`` (param ``fraction`` of rated
life, default 0.95), ``not_taken``, ``retract_bin_full``, ``cover_open``; clearing one restores
what it changed (a cleared bin is an emptied bin). Action: ``take``. Uses the codec, never the
driver.
"""

from __future__ import annotations

import time
from typing import Any

from kiosk.devices.binder.codec import (
    MAX_CARTRIDGE_STAPLES,
    MAX_SHEETS,
    MIN_SHEETS,
    STAPLES_PER_BIND,
    ActionDone,
    Activity,
    Bind,
    BindDone,
    BinderCmd,
    BinderCode,
    BinderFlag,
    BinderStatus,
    BinEmptied,
    CartridgeReplaced,
    ClearJam,
    ExitState,
    MediaRetracted,
    MediaTaken,
    Present,
    PresentDone,
    Reset,
    Retract,
    RetractReason,
    UnitReplaced,
)
from kiosk.devices.binder.codec import parse_request as parse_binder_request
from kiosk.devices.framing import Frame
from kiosk.devices.framing_messages import DeviceKind, FixedMessage
from sim.devices.binder_model import (
    RATED_CYCLES,
    RETRACT_BIN_CAPACITY,
    STAPLES_LOW_AT,
    cycle_ms,
    jam_probability,
    motor_peak_ma,
)
from sim.devices.framed_link import FramedEmulator

CARTRIDGE_STAPLES = 5000  # devices.md §6: 5,000-staple cartridges
PRESENT_S = 0.6  # binder.md §4 typical timings
RETRACT_S = 0.7
CLEAR_JAM_S = 0.4
RESET_S = 1.0
TAKE_AFTER_S = 2.0  # the simulated citizen reaches for the document after this long
DEFAULT_LOW_LEFT = 15
DEFAULT_WORN_FRACTION = 0.95


class BinderEmulator(FramedEmulator):
    """A binder-stapler/presenter with a cartridge, a worn-able stapler unit and a retract bin."""

    name = "binder"
    KIND = DeviceKind.BINDER
    SERIAL_PREFIX = "BND"
    FAULTS = frozenset({"jam", "staples_low", "staples_out", "motor_fault", "worn", "not_taken",
                        "retract_bin_full", "cover_open"})
    ACTIONS = frozenset({"take"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.staples_left = CARTRIDGE_STAPLES
        self.cartridge_present = True
        self.jam: str | None = None
        self.cover_open = False
        self.motor_fault = False
        self.retract_bin_count = 0
        self.retract_bin_capacity = RETRACT_BIN_CAPACITY
        self.unit_cycles = 0
        self.unit_rated_cycles = RATED_CYCLES
        self.last_cycle_ms = 0
        self.motor_peak_ma = 0
        self.activity = Activity.IDLE
        self.exit_state = ExitState.NONE
        self.exit_job = 0
        self.counters = {name: 0 for name in (
            "cycles", "staples_used", "jams", "presented", "taken", "retracted",
            "cartridges_replaced", "unit_replacements")}
        self._presented_at = 0.0
        self._saved: dict[str, int] = {}
        self._announced = self.flags()

    # ------------------------------------------------------------ status

    def flags(self) -> BinderFlag:
        flags = BinderFlag(0)
        wear = self.unit_cycles / self.unit_rated_cycles
        for condition, flag in (
            (self.activity is not Activity.IDLE, BinderFlag.BUSY),
            (self.jam == "paper", BinderFlag.PAPER_JAM),
            (self.jam == "staple", BinderFlag.STAPLE_JAM),
            (self.staples_left <= STAPLES_LOW_AT, BinderFlag.STAPLES_LOW),
            (self.staples_left < STAPLES_PER_BIND, BinderFlag.STAPLES_OUT),
            (not self.cartridge_present, BinderFlag.CARTRIDGE_MISSING),
            (self.cover_open, BinderFlag.COVER_OPEN),
            (self.motor_fault, BinderFlag.MOTOR_FAULT),
            (self.retract_bin_count >= 0.8 * self.retract_bin_capacity,
             BinderFlag.RETRACT_BIN_HIGH),
            (self.retract_bin_count >= self.retract_bin_capacity, BinderFlag.RETRACT_BIN_FULL),
            (self.exit_state is ExitState.PRESENTED, BinderFlag.MEDIA_AT_EXIT),
            (wear >= 0.9, BinderFlag.WEAR_NEAR_END),
            (wear >= 1.0, BinderFlag.WEAR_OVER),
        ):
            if condition:
                flags |= flag
        return flags

    def status(self) -> BinderStatus:
        return BinderStatus(
            flags=self.flags(), activity=self.activity, exit_state=self.exit_state,
            exit_job=self.exit_job, staples_left=self.staples_left,
            retract_bin_count=self.retract_bin_count,
            retract_bin_capacity=self.retract_bin_capacity, unit_cycles=self.unit_cycles,
            unit_rated_cycles=self.unit_rated_cycles,
            last_cycle_ms=min(self.last_cycle_ms, 0xFFFF),
            motor_peak_ma=min(self.motor_peak_ma, 0xFFFF),
            events_dropped=self.link["events_dropped"], **self.counters)

    def status_block(self) -> bytes:
        return self.status().payload()

    def _announce(self) -> None:
        """binder.md §2: STATUS_CHANGED when a fault or supply flag changes (not BUSY)."""
        flags = self.flags() & ~BinderFlag.BUSY
        if flags != self._announced:
            self._announced = flags
            self.send_event(self.status())

    # ------------------------------------------------------------ requests

    def parse_request(self, frame: Frame) -> FixedMessage:
        return parse_binder_request(frame)

    def handle_request(self, request: FixedMessage) -> tuple[int, bytes]:
        handlers: dict[type, Any] = {
            Bind: self._bind, Present: self._present, Retract: self._retract_request,
            ClearJam: lambda _: self._mechanism(BinderCmd.CLEAR_JAM, CLEAR_JAM_S),
            Reset: lambda _: self._mechanism(BinderCmd.RESET, RESET_S),
            CartridgeReplaced: self._cartridge, UnitReplaced: self._unit,
            BinEmptied: self._bin_emptied}
        return handlers[type(request)](request), b""

    def _blocked(self, *, jam: bool = True) -> BinderCode | None:
        """The first of BUSY, COVER_OPEN, MOTOR_FAULT, a jam that applies (binder.md §1.2)."""
        if self.activity is not Activity.IDLE:
            return BinderCode.BUSY
        if self.cover_open:
            return BinderCode.COVER_OPEN
        if self.motor_fault:
            return BinderCode.MOTOR_FAULT
        if jam and self.jam == "paper":
            return BinderCode.PAPER_JAM
        if jam and self.jam == "staple":
            return BinderCode.STAPLE_JAM
        return None

    def _bind(self, request: Bind) -> BinderCode:
        if request.job == 0 or request.sheets < MIN_SHEETS:
            return BinderCode.BAD_PARAMETER
        if request.sheets > MAX_SHEETS:
            return BinderCode.TOO_THICK
        blocked = self._blocked()
        if blocked is not None:
            return blocked
        if self.staples_left < STAPLES_PER_BIND or not self.cartridge_present:
            return BinderCode.STAPLES_OUT
        wear = self.unit_cycles / self.unit_rated_cycles
        duration_ms = cycle_ms(request.sheets, wear, self.random)
        self.activity = Activity.BINDING
        self.schedule(self.scaled(duration_ms / 1000),
                      lambda: self._finish_bind(request, duration_ms, wear))
        return BinderCode.OK

    def _finish_bind(self, request: Bind, duration_ms: int, wear: float) -> None:
        self.activity = Activity.IDLE
        self.last_cycle_ms = duration_ms
        self.motor_peak_ma = motor_peak_ma(request.sheets, wear, self.random)
        fired = 0
        if self.motor_fault:
            result = BinderCode.MOTOR_FAULT
        elif self.cover_open:
            result = BinderCode.COVER_OPEN
        elif self.jam is not None:
            result = BinderCode.PAPER_JAM if self.jam == "paper" else BinderCode.STAPLE_JAM
        elif self.random.random() < jam_probability(wear):
            self.jam = "staple"
            self.counters["jams"] += 1
            fired = 1
            result = BinderCode.STAPLE_JAM
        else:
            fired = STAPLES_PER_BIND
            self.counters["cycles"] += 1
            self.unit_cycles += 1
            result = BinderCode.OK
        self.staples_left -= fired
        self.counters["staples_used"] += fired
        self.send_event(BindDone(request.job, result, min(duration_ms, 0xFFFF),
                                 min(self.motor_peak_ma, 0xFFFF), fired))
        self._announce()

    def _present(self, request: Present) -> BinderCode:
        if request.job == 0 or request.take_timeout_s == 0:
            return BinderCode.BAD_PARAMETER
        blocked = self._blocked()
        if blocked is not None:
            return blocked
        if self.exit_state is ExitState.PRESENTED:
            return BinderCode.MEDIA_AT_EXIT
        if self.retract_bin_count >= self.retract_bin_capacity:
            return BinderCode.RETRACT_BIN_FULL
        self.activity = Activity.PRESENTING
        self.schedule(self.scaled(PRESENT_S), lambda: self._finish_present(request))
        return BinderCode.OK

    def _finish_present(self, request: Present) -> None:
        self.activity = Activity.IDLE
        blocked = self._blocked()
        if blocked is not None:
            self.send_event(PresentDone(request.job, blocked))
            return
        self.exit_state, self.exit_job = ExitState.PRESENTED, request.job
        self.counters["presented"] += 1
        self._presented_at = time.monotonic()
        self.send_event(PresentDone(request.job, BinderCode.OK))
        self._announce()
        if "not_taken" not in self.faults:
            self.schedule(self.scaled(TAKE_AFTER_S), lambda: self._take(request.job))
        self.schedule(float(request.take_timeout_s),
                      lambda: self._start_retract(request.job, RetractReason.TAKE_TIMEOUT))

    def _take(self, job: int) -> bool:
        if self.exit_state is not ExitState.PRESENTED or self.exit_job != job \
                or self.activity is Activity.RETRACTING:
            return False
        self.exit_state = ExitState.TAKEN
        self.counters["taken"] += 1
        waited_ms = int((time.monotonic() - self._presented_at) * 1000)
        self.send_event(MediaTaken(job, min(waited_ms, 0xFFFF_FFFF)))
        self._announce()
        return True

    def _retract_request(self, request: Retract) -> BinderCode:
        blocked = self._blocked(jam=False)
        if blocked is None and self.jam == "paper":
            blocked = BinderCode.PAPER_JAM
        if blocked is not None:
            return blocked
        if self.exit_state is not ExitState.PRESENTED or request.job not in (0, self.exit_job):
            return BinderCode.NOTHING_TO_RETRACT
        if self.retract_bin_count >= self.retract_bin_capacity:
            return BinderCode.RETRACT_BIN_FULL
        self._start_retract(self.exit_job, RetractReason.HOST)
        return BinderCode.OK

    def _start_retract(self, job: int, reason: RetractReason) -> None:
        if self.exit_state is not ExitState.PRESENTED or self.exit_job != job:
            return
        if reason is RetractReason.TAKE_TIMEOUT and self.activity is not Activity.IDLE:
            self.schedule(self.scaled(RETRACT_S) or 0.05, lambda: self._start_retract(job, reason))
            return
        self.activity = Activity.RETRACTING
        self.schedule(self.scaled(RETRACT_S), lambda: self._finish_retract(job, reason))

    def _finish_retract(self, job: int, reason: RetractReason) -> None:
        self.activity = Activity.IDLE
        self.exit_state = ExitState.RETRACTED
        self.retract_bin_count += 1
        self.counters["retracted"] += 1
        self.send_event(MediaRetracted(job, reason))
        self._announce()

    def _mechanism(self, action: BinderCmd, seconds: float) -> BinderCode:
        blocked = self._blocked(jam=False)
        if blocked in (BinderCode.BUSY, BinderCode.COVER_OPEN):
            return blocked
        self.activity = (Activity.CLEARING_JAM if action is BinderCmd.CLEAR_JAM
                         else Activity.RESETTING)
        self.schedule(self.scaled(seconds), lambda: self._finish_mechanism(action))
        return BinderCode.OK

    def _finish_mechanism(self, action: BinderCmd) -> None:
        self.activity = Activity.IDLE
        if self.jam == "staple":
            self.jam = None
        if action is BinderCmd.RESET and "motor_fault" not in self.faults:
            self.motor_fault = False
        if self.motor_fault:
            result = BinderCode.MOTOR_FAULT
        elif self.jam == "paper":
            result = BinderCode.PAPER_JAM
        else:
            result = BinderCode.OK
        self.send_event(ActionDone(action, result))
        self._announce()
        if action is BinderCmd.RESET and self.exit_state is ExitState.PRESENTED:
            self._start_retract(self.exit_job, RetractReason.RESET)

    def _cartridge(self, request: CartridgeReplaced) -> BinderCode:
        if not 1 <= request.staples <= MAX_CARTRIDGE_STAPLES:
            return BinderCode.BAD_PARAMETER
        if self.activity is not Activity.IDLE:
            return BinderCode.BUSY
        self.staples_left, self.cartridge_present = request.staples, True
        self.counters["cartridges_replaced"] += 1
        self._saved.pop("staples_left", None)
        self._announce()
        return BinderCode.OK

    def _unit(self, request: UnitReplaced) -> BinderCode:
        if self.activity is not Activity.IDLE:
            return BinderCode.BUSY
        self.unit_cycles = 0
        if request.rated_cycles:
            self.unit_rated_cycles = request.rated_cycles
        self.counters["unit_replacements"] += 1
        self._saved.pop("unit_cycles", None)
        self._announce()
        return BinderCode.OK

    def _bin_emptied(self, request: BinEmptied) -> BinderCode:
        del request
        if self.activity is not Activity.IDLE:
            return BinderCode.BUSY
        self.retract_bin_count = 0
        self._announce()
        return BinderCode.OK

    # ------------------------------------------------------------ faults and actions

    def on_fault(self, fault: str, active: bool, params: dict[str, Any]) -> None:
        if fault == "jam":
            if active:
                self.jam = "staple" if params.get("kind") == "staple" else "paper"
                self.counters["jams"] += 1
            else:
                self.jam = None
        elif fault == "cover_open":
            self.cover_open = active
        elif fault == "motor_fault":
            self.motor_fault = active
        elif fault in ("staples_low", "staples_out"):
            left = int(params.get("left", DEFAULT_LOW_LEFT)) if fault == "staples_low" else 0
            self._swap("staples_left", left if active else None)
        elif fault == "worn":
            fraction = float(params.get("fraction", DEFAULT_WORN_FRACTION))
            self._swap("unit_cycles", int(fraction * self.unit_rated_cycles) if active else None)
        elif fault == "retract_bin_full":
            self.retract_bin_count = self.retract_bin_capacity if active else 0
        self._announce()

    def _swap(self, attribute: str, value: int | None) -> None:
        """Set ``attribute`` to ``value`` remembering the old one; ``None`` restores it."""
        if value is not None:
            self._saved.setdefault(attribute, getattr(self, attribute))
            setattr(self, attribute, value)
        elif attribute in self._saved:
            setattr(self, attribute, self._saved.pop(attribute))

    def on_action(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        del params
        job = self.exit_job
        return {"taken": self._take(job), "job": job}

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                **super().state(), "flags": [flag.name for flag in BinderFlag
                                             if flag in self.flags()],
                "activity": self.activity.name.lower(), "staples_left": self.staples_left,
                "jam": self.jam, "cover_open": self.cover_open, "motor_fault": self.motor_fault,
                "retract_bin": {"count": self.retract_bin_count,
                                "capacity": self.retract_bin_capacity},
                "wear": {"unit_cycles": self.unit_cycles,
                         "rated_cycles": self.unit_rated_cycles},
                "last_cycle_ms": self.last_cycle_ms, "motor_peak_ma": self.motor_peak_ma,
                "exit": {"state": self.exit_state.name.lower(), "job": self.exit_job},
                "counters": dict(self.counters),
            }
