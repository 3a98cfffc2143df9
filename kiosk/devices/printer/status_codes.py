"""PJL status codes to XFS4IoT device states and printer detail (pure).

Source: reference/devices.md section 3 (HP *PJL Technical Reference Manual* appendix D,
Lexmark and Brother PJL guides agree). A printer reports one ``CODE`` at a time, its most
important condition; key on the code, never on ``DISPLAY`` (localised). Detail fields a code
does not speak to (``None`` here) keep their last known value in the driver until a READY
code (10001) says everything is fine.

States are spelled as ``kiosk.status.DeviceState`` values (codecs may not import it):
online, offline, deviceBusy, userError (a person must act: door, paper, toner, bin),
hardwareError (jam, hardware, personality errors: a technician must act).
"""

from __future__ import annotations

from dataclasses import dataclass

# Single codes (HP appendix D; Lexmark table 3-14).
READY = 10001
OFFLINE = 10002
WARMING_UP = 10003
SELF_TEST = 10004
RESETTING = 10005
TONER_LOW = 10006
CANCELING_JOB = 10007
POWER_SAVE = 10000
PROCESSING_JOB = 10023
DOOR_OPEN = 40021
LEXMARK_JAM = 40022
OUTPUT_BIN_FULL = 40019
TONER_OUT = 40038  # Lexmark: "88 Toner Low" / "Replace toner", printing stopped
LOAD_STAPLES = (40040, 40101)
BUSY_CODES = {WARMING_UP: "warming_up", SELF_TEST: "self_test", RESETTING: "resetting",
              CANCELING_JOB: "canceling_job", PROCESSING_JOB: "processing_job"}

# Categories: the first two digits.
INFORMATIONAL = 10
BACKGROUND_PAPER_MOUNT = 11  # one source empty, another in use; stays online
BACKGROUND_TRAY_STATUS = 12  # tray open / low; stays online
OUTPUT_BIN = 15  # full bin takes the printer offline
PARSER_ERRORS = (20, 25, 27)  # PJL syntax and semantic errors: the command was ignored
AUTO_CONTINUABLE = 30
FILE_SYSTEM = 32
POSSIBLE_INTERVENTION = 35
INTERVENTION = 40
PAPER_OUT = 41  # 41xyy: x tray, yy media size
JAM = 42  # 42xyy: x pages jammed, yy location
PAPER_HANDLER = 43
OLD_JAM = 44
HARDWARE = 50
PERSONALITY = 55

#: The tray and media size our emulator reports in 41xyy / 12xyy codes: tray 2, A4 (26).
A4_MEDIA = 26
MAIN_TRAY = 2


@dataclass(frozen=True)
class CodeMeaning:
    """What one status code says: a device state, the fault, and the detail it speaks to."""

    state: str
    fault: str | None = None
    paper: str | None = None
    toner: str | None = None
    door: str | None = None
    jam: bool | None = None
    activity: str | None = None


_ALL_CLEAR = CodeMeaning("online", paper="full", toner="full", door="closed", jam=False)


def paper_out_code(tray: int = MAIN_TRAY, media: int = A4_MEDIA) -> int:
    """41xyy for tray ``x`` and media size ``yy``."""
    return 41000 + tray * 100 + media


def paper_low_code(tray: int = MAIN_TRAY, media: int = A4_MEDIA) -> int:
    """12xyy (background tray status) for tray ``x``: our paper-low report (unverified)."""
    return 12000 + tray * 100 + media


def jam_code(pages: int = 1, location: int = 3) -> int:
    """42xyy: ``x`` pages jammed (0-9) at location ``yy``."""
    return 42000 + min(pages, 9) * 100 + location


def _intervention(code: int) -> CodeMeaning:
    if code == DOOR_OPEN:
        return CodeMeaning("userError", "door_open", door="open")
    if code == LEXMARK_JAM:
        return CodeMeaning("hardwareError", "jam", jam=True)
    if code == TONER_OUT:
        return CodeMeaning("userError", "toner_out", toner="out")
    if code == OUTPUT_BIN_FULL:
        return CodeMeaning("userError", "output_bin_full")
    if code in LOAD_STAPLES:
        return CodeMeaning("userError", "load_staples")
    return CodeMeaning("userError", "intervention")


def interpret(code: int, online: bool) -> CodeMeaning:
    """The meaning of ``CODE=code`` with ``ONLINE=online``.

    A code whose category keeps the printer online but arrives with ``ONLINE=FALSE`` means
    the printer was taken offline: ``offline``.
    """
    category = code // 1000
    meaning: CodeMeaning
    if code in (READY, POWER_SAVE):
        meaning = _ALL_CLEAR
    elif code == OFFLINE:
        return CodeMeaning("offline", "offline")
    elif code == TONER_LOW:
        meaning = CodeMeaning("online", toner="low", door="closed", jam=False)
    elif code in BUSY_CODES:
        meaning = CodeMeaning("deviceBusy", activity=BUSY_CODES[code])
    elif category in (INFORMATIONAL, FILE_SYSTEM, POSSIBLE_INTERVENTION, *PARSER_ERRORS):
        meaning = CodeMeaning("online")
    elif category in (BACKGROUND_PAPER_MOUNT, BACKGROUND_TRAY_STATUS):
        meaning = CodeMeaning("online", paper="low", toner="full", door="closed", jam=False)
    elif category == AUTO_CONTINUABLE:
        meaning = CodeMeaning("online", "attention")
    elif category == OUTPUT_BIN:
        return CodeMeaning("userError", "output_bin_full")
    elif category == INTERVENTION:
        return _intervention(code)
    elif category == PAPER_OUT:
        return CodeMeaning("userError", "paper_out", paper="out")
    elif category in (JAM, OLD_JAM):
        return CodeMeaning("hardwareError", "jam", jam=True)
    elif category == PAPER_HANDLER:
        return CodeMeaning("hardwareError", "paper_handler")
    elif category == HARDWARE:
        return CodeMeaning("hardwareError", "hardware_error")
    elif category == PERSONALITY:
        return CodeMeaning("hardwareError", "personality_error")
    else:
        meaning = CodeMeaning("online" if online else "offline",
                              None if online else "unknown_code")
    if not online and meaning.state in ("online", "deviceBusy"):
        return CodeMeaning("offline", meaning.fault or "offline", meaning.paper, meaning.toner,
                           meaning.door, meaning.jam, meaning.activity)
    return meaning
