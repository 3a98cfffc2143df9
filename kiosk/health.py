"""Consumables and wear for the fleet, derived from the devices' statuses (pure).

Each driver reports its own detail vocabulary (see the drivers' docstrings); this module reads
the fields the telemetry contract's health message carries (``kiosk.telemetry.wire_health``:
``Consumables`` and ``Wear``). A field a device does not report stays ``None`` (unknown) rather
than a guess: PJL, for one, tells 'paper low' but never how many sheets are left.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiosk.status import DeviceStatus

#: Receipt detail 'paper' values -> the contract's paper states.
_RECEIPT_PAPER = {"full": "ok", "ok": "ok", "near_end": "near_end", "low": "near_end",
                  "out": "out", "empty": "out"}
#: Printer detail 'toner' values -> a percentage when only a level is known.
_TONER_LEVELS = {"full": 100, "ok": 100, "low": 10, "out": 0, "empty": 0}


def consumables(statuses: Mapping[str, DeviceStatus]) -> dict[str, Any]:
    """The ``Consumables`` fields the statuses tell (only those; merge into the last known)."""
    found: dict[str, Any] = {}
    printer = statuses.get("printer")
    if printer is not None:
        toner = printer.detail.get("toner_pct", printer.detail.get("toner"))
        if isinstance(toner, (int, float)) and not isinstance(toner, bool):
            found["toner_pct"] = int(toner)
        elif isinstance(toner, str) and toner in _TONER_LEVELS:
            found["toner_pct"] = _TONER_LEVELS[toner]
        sheets = printer.detail.get("sheets_left")
        if isinstance(sheets, int) and not isinstance(sheets, bool):
            found["a4_sheets_left"] = sheets
    receipt = statuses.get("receipt")
    if receipt is not None:
        paper = receipt.detail.get("paper")
        found["receipt_paper"] = _RECEIPT_PAPER.get(str(paper), "unknown")
    binder = statuses.get("binder")
    if binder is not None:
        for source, target in (("staples_left", "staples_left"),
                               ("retract_bin_count", "retract_bin_count")):
            value = binder.detail.get(source)
            if isinstance(value, int) and not isinstance(value, bool):
                found[target] = value
        found["retract_bin_full"] = binder.detail.get("retract_bin") == "full"
    return found


def wear(statuses: Mapping[str, DeviceStatus]) -> dict[str, Any]:
    """The ``Wear`` counters the statuses tell."""
    found: dict[str, Any] = {}

    def take(device: str, source: str, target: str, *, detail: bool = False) -> None:
        status = statuses.get(device)
        if status is None:
            return
        value = (status.detail if detail else status.counters).get(source)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            found[target] = value

    take("binder", "cycles", "binder_cycles")
    take("binder", "last_cycle_ms", "binder_last_cycle_ms", detail=True)
    take("binder", "jams", "binder_jams")
    take("printer", "engine_pages", "printer_pages")
    take("printer", "jams", "printer_jams")
    take("fingerprint", "captures", "fingerprint_captures")
    take("fingerprint", "captures_failed", "fingerprint_failed_matches")
    card = statuses.get("card_reader")
    if card is not None:
        counters = card.counters
        found["card_transactions"] = sum(counters.get(name, 0) for name in (
            "approvals", "declines", "cancels", "timeouts_no_card", "card_removed"))
        found["card_errors"] = counters.get("van_errors", 0) + counters.get("comm_errors", 0)
    return found
