"""Emulated I/O panel (docs/protocols/panel.md): keypad, headset jack, service key, door and
tamper switches.

Actions of the person at the machine: ``key`` {key: '0'-'9', '*', '#', 'enter', 'cancel',
'help', 'vol_up', 'vol_down'}, ``headset`` {plugged: bool}, ``service_key`` {position: 'run',
'maintenance' or 'supervisor'} and ``door`` {open: bool}. Faults: ``door_open`` (the cabinet
door opens; clearing closes it) and ``tamper`` (the tamper switch trips; clearing resets it).
Each change sends its event and counts in the status block. Uses the codec, never the driver.
"""

from __future__ import annotations

from typing import Any

from kiosk.devices.framing import Frame
from kiosk.devices.framing_messages import DeviceKind, FixedMessage
from kiosk.devices.panel.codec import (
    DoorChanged,
    HeadsetChanged,
    Key,
    KeyPressed,
    PanelFlag,
    PanelStatus,
    ServiceKeyChanged,
    ServiceKeyPosition,
    TamperChanged,
)
from kiosk.devices.panel.codec import parse_request as parse_panel_request
from sim.devices.framed_link import FramedEmulator

COUNTER_NAMES = ("key_presses", "headset_plugs", "door_openings", "tamper_events")


def _flag(params: dict[str, Any], name: str) -> bool:
    value = params.get(name)
    if not isinstance(value, bool):
        raise ValueError(f"parameter {name!r} must be true or false")
    return value


class PanelEmulator(FramedEmulator):
    """The kiosk's I/O board."""

    name = "panel"
    KIND = DeviceKind.PANEL
    SERIAL_PREFIX = "PNL"
    FAULTS = frozenset({"door_open", "tamper"})
    ACTIONS = frozenset({"key", "headset", "service_key", "door"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.headset_plugged = False
        self.service_key = ServiceKeyPosition.RUN
        self.door_open = False
        self.tamper = False
        self.counters = dict.fromkeys(COUNTER_NAMES, 0)

    def parse_request(self, frame: Frame) -> FixedMessage:
        return parse_panel_request(frame)

    def status_block(self) -> bytes:
        flags = PanelFlag(0)
        if self.headset_plugged:
            flags |= PanelFlag.HEADSET_PLUGGED
        if self.door_open:
            flags |= PanelFlag.DOOR_OPEN
        if self.tamper:
            flags |= PanelFlag.TAMPER
        return PanelStatus(flags, self.service_key, events_dropped=self.link["events_dropped"],
                           **self.counters).payload()

    # ------------------------------------------------------------ inputs

    def press(self, key: Key) -> None:
        self.counters["key_presses"] += 1
        self.send_event(KeyPressed(key))

    def set_headset(self, plugged: bool) -> None:
        if plugged != self.headset_plugged:
            self.headset_plugged = plugged
            self.counters["headset_plugs"] += plugged
            self.send_event(HeadsetChanged(plugged))

    def set_service_key(self, position: ServiceKeyPosition) -> None:
        if position is not self.service_key:
            self.service_key = position
            self.send_event(ServiceKeyChanged(position))

    def set_door(self, is_open: bool) -> None:
        if is_open != self.door_open:
            self.door_open = is_open
            self.counters["door_openings"] += is_open
            self.send_event(DoorChanged(is_open))

    def set_tamper(self, active: bool) -> None:
        if active != self.tamper:
            self.tamper = active
            self.counters["tamper_events"] += active
            self.send_event(TamperChanged(active))

    # ------------------------------------------------------------ faults and actions

    def on_fault(self, fault: str, active: bool, params: dict[str, Any]) -> None:
        del params
        if fault == "door_open":
            self.set_door(active)
        elif fault == "tamper":
            self.set_tamper(active)

    def on_action(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """Raises ValueError for a bad parameter (the control API answers 400)."""
        if action == "key":
            key = Key.from_label(str(params.get("key", "")))
            self.press(key)
            return {"key": key.label}
        if action == "headset":
            self.set_headset(_flag(params, "plugged"))
        elif action == "door":
            self.set_door(_flag(params, "open"))
        elif action == "service_key":
            label = str(params.get("position", ""))
            try:
                self.set_service_key(ServiceKeyPosition[label.upper()])
            except KeyError:
                raise ValueError(f"unknown service key position {label!r}; known: run, "
                                 f"maintenance, supervisor") from None
        return self.inputs()

    def inputs(self) -> dict[str, Any]:
        return {"headset_plugged": self.headset_plugged, "service_key": self.service_key.label,
                "door_open": self.door_open, "tamper": self.tamper}

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {**super().state(), **self.inputs(), "counters": dict(self.counters)}
