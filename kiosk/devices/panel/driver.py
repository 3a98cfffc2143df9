"""Driver of the I/O panel (docs/protocols/panel.md).

``Panel`` delivers the panel's events to listeners (``add_event_listener``): ``KeyPressed`` for
the 12-key keypad and the enter, cancel, help and volume keys, ``HeadsetChanged``,
``ServiceKeyChanged``, ``DoorChanged`` and ``TamperChanged``. It keeps the switch positions,
re-read from STATUS on connect and at every poll, and reports ``DeviceStatus``: tamper is
fraudAttempt, a door opened with the service key at RUN is potentialFraud (XFS4IoT), anything
else online.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from kiosk.devices.framed_device import FramedDevice
from kiosk.devices.framing import Frame
from kiosk.devices.framing_messages import DeviceKind
from kiosk.devices.panel.codec import (
    DoorChanged,
    HeadsetChanged,
    PanelFlag,
    PanelStatus,
    ServiceKeyChanged,
    ServiceKeyPosition,
    TamperChanged,
    parse_event,
    parse_status,
)
from kiosk.status import DetailValue, DeviceState


@dataclass(frozen=True)
class PanelInputs:
    """The panel's switch positions as last reported."""

    headset_plugged: bool = False
    service_key: ServiceKeyPosition = ServiceKeyPosition.RUN
    door_open: bool = False
    tamper: bool = False


def panel_state(inputs: PanelInputs) -> tuple[DeviceState, str | None]:
    """XFS4IoT state (panel.md §5): tamper beats an unexplained open door."""
    if inputs.tamper:
        return DeviceState.FRAUD_ATTEMPT, "tamper"
    if inputs.door_open and inputs.service_key is ServiceKeyPosition.RUN:
        return DeviceState.POTENTIAL_FRAUD, "door_open_without_key"
    return DeviceState.ONLINE, None


def panel_detail(inputs: PanelInputs) -> dict[str, DetailValue]:
    return {
        "headset": "plugged" if inputs.headset_plugged else "unplugged",
        "service_key": inputs.service_key.label,
        "door": "open" if inputs.door_open else "closed",
        "tamper": "active" if inputs.tamper else "clear",
    }


def panel_counters(status: PanelStatus) -> dict[str, int]:
    return {
        "key_presses": status.key_presses, "headset_plugs": status.headset_plugs,
        "door_openings": status.door_openings, "tamper_events": status.tamper_events,
        "device_events_dropped": status.events_dropped,
    }


class Panel(FramedDevice):
    """The I/O board; listen for its events with ``add_event_listener``."""

    kind: ClassVar[str] = "panel"
    device_kind: ClassVar[DeviceKind] = DeviceKind.PANEL

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._inputs_lock = threading.Lock()
        self._inputs = PanelInputs()

    @property
    def inputs(self) -> PanelInputs:
        """The switch positions as last reported (no I/O)."""
        return self._inputs

    # ------------------------------------------------------------ FramedDevice hooks

    def _parse_event(self, frame: Frame) -> Any:
        return parse_event(frame)

    def _parse_status(self, body: bytes) -> PanelStatus:
        return parse_status(body)

    def _apply_status(self, status: PanelStatus) -> None:
        inputs = PanelInputs(
            headset_plugged=bool(status.flags & PanelFlag.HEADSET_PLUGGED),
            service_key=status.service_key,
            door_open=bool(status.flags & PanelFlag.DOOR_OPEN),
            tamper=bool(status.flags & PanelFlag.TAMPER))
        with self._inputs_lock:
            self._inputs = inputs
        self._publish_inputs(inputs, panel_counters(status))

    def _handle_event(self, event: Any) -> None:
        with self._inputs_lock:
            inputs = self._inputs
            if isinstance(event, HeadsetChanged):
                inputs = replace(inputs, headset_plugged=event.plugged)
            elif isinstance(event, ServiceKeyChanged):
                inputs = replace(inputs, service_key=event.position)
            elif isinstance(event, DoorChanged):
                inputs = replace(inputs, door_open=event.open)
            elif isinstance(event, TamperChanged):
                inputs = replace(inputs, tamper=event.active)
            else:
                return
            self._inputs = inputs
        self._publish_inputs(inputs, {})

    def _publish_inputs(self, inputs: PanelInputs, counters: dict[str, int]) -> None:
        state, reason = panel_state(inputs)
        detail = panel_detail(inputs)
        if reason is not None:
            detail["reason"] = reason
        self._update(state, detail, counters)
