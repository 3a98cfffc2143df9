"""PJL status codes (HP appendix D, reference/devices.md section 3) to XFS4IoT states."""

from __future__ import annotations

import pytest

from kiosk.devices.printer.status_codes import (
    interpret,
    jam_code,
    paper_low_code,
    paper_out_code,
)
from kiosk.status import DeviceState


@pytest.mark.parametrize(("code", "online", "state", "fault"), [
    (10001, True, "online", None),
    (10000, True, "online", None),
    (10002, False, "offline", "offline"),
    (10003, True, "deviceBusy", None),
    (10005, True, "deviceBusy", None),
    (10006, True, "online", None),
    (10023, True, "deviceBusy", None),
    (11226, True, "online", None),
    (12226, True, "online", None),
    (15001, False, "userError", "output_bin_full"),
    (20002, True, "online", None),
    (30016, True, "online", "attention"),
    (35078, True, "online", None),
    (40021, False, "userError", "door_open"),
    (40022, False, "hardwareError", "jam"),
    (40038, False, "userError", "toner_out"),
    (40101, False, "userError", "load_staples"),
    (40079, False, "userError", "intervention"),
    (41226, False, "userError", "paper_out"),
    (42203, False, "hardwareError", "jam"),
    (44103, False, "hardwareError", "jam"),
    (43101, False, "hardwareError", "paper_handler"),
    (50001, False, "hardwareError", "hardware_error"),
    (55001, False, "hardwareError", "personality_error"),
    (10006, False, "offline", "offline"),  # an online code with ONLINE=FALSE
    (99999, False, "offline", "unknown_code"),
    (99999, True, "online", None),
])
def test_code_table(code: int, online: bool, state: str, fault: str | None) -> None:
    meaning = interpret(code, online)
    assert (meaning.state, meaning.fault) == (state, fault)
    DeviceState(meaning.state)  # every state is a real XFS4IoT value


def test_detail_the_codes_speak_to() -> None:
    assert interpret(10001, True).paper == "full" and interpret(10001, True).toner == "full"
    assert interpret(10006, True).toner == "low" and interpret(10006, True).paper is None
    assert interpret(paper_low_code(), True).paper == "low"
    assert interpret(paper_out_code(), False).paper == "out"
    assert interpret(jam_code(), False).jam is True
    assert interpret(40021, False).door == "open"
    assert interpret(10003, True).activity == "warming_up"


def test_code_builders() -> None:
    assert paper_out_code(2, 26) == 41226
    assert paper_low_code(1, 2) == 12102
    assert jam_code(2, 3) == 42203
