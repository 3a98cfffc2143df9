"""Consumables and wear derived from device statuses fit the telemetry contract."""

from __future__ import annotations

from kiosk.health import consumables, wear
from kiosk.status import DeviceState, DeviceStatus
from kiosk.telemetry.wire_health import Consumables, Wear


def status(device: str, detail: dict, counters: dict | None = None) -> DeviceStatus:
    return DeviceStatus(device, DeviceState.ONLINE, detail, counters or {}, since=1.0)


STATUSES = {
    "printer": status("printer", {"paper": "low", "toner": "low"},
                      {"engine_pages": 12400, "jams": 3}),
    "receipt": status("receipt", {"paper": "near_end"}),
    "binder": status("binder", {"staples_left": 18, "retract_bin": "full",
                                "retract_bin_count": 50, "last_cycle_ms": 910},
                     {"cycles": 91000, "jams": 7}),
    "card_reader": status("card_reader", {}, {"approvals": 10, "declines": 2, "cancels": 1,
                                               "timeouts_no_card": 1, "card_removed": 0,
                                               "van_errors": 1, "comm_errors": 2}),
    "fingerprint": status("fingerprint", {}, {"captures": 40, "captures_failed": 4}),
}


def test_consumables_from_details() -> None:
    found = consumables(STATUSES)
    assert found == {"toner_pct": 10, "receipt_paper": "near_end", "staples_left": 18,
                     "retract_bin_count": 50, "retract_bin_full": True}
    Consumables(**found)


def test_wear_from_counters() -> None:
    found = wear(STATUSES)
    assert found == {"binder_cycles": 91000, "binder_last_cycle_ms": 910, "binder_jams": 7,
                     "printer_pages": 12400, "printer_jams": 3, "fingerprint_captures": 40,
                     "fingerprint_failed_matches": 4, "card_transactions": 14, "card_errors": 3}
    Wear(**found)


def test_unknown_stays_unknown() -> None:
    assert consumables({}) == {} and wear({}) == {}
    assert consumables({"receipt": status("receipt", {"paper": "weird"})}) == {
        "receipt_paper": "unknown"}
