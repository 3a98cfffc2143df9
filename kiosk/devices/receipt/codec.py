"""ESC/POS for the receipt printer: real-time status, Korean text and the commands we send.

Pure: standard library, ``kiosk.errors`` and ``kiosk.devices.codec_api`` only; the driver and
the simulator's emulator both speak through it. Facts from reference/devices.md section 2
(Epson TM-T88/TM-U220, Bixolon SRP-350 and Citizen manuals, consistent):

- ``DLE EOT n`` (``10 04 n``, n = 1..4) asks for one real-time status byte, answered at once
  even when the printer is offline or its buffer is full. Bits 1 and 4 are always 1, bits 0
  and 7 always 0, so a reply is valid only if ``(b & 0x93) == 0x12``; a healthy printer
  answers ``0x12`` to every n.
- ``GS r 1`` (``1D 72 01``) asks for the paper sensor *in order with the print data*: its
  reply comes only once everything before it has been printed (and cut), so the driver uses
  it as the "receipt is out" confirmation. Bit 4 of that byte is 0, unlike ``DLE EOT``.
- Korean: KS X 1001 double-byte text, EUC-KR bytes, between ``FS &`` (``1C 26``, enter
  Korean/"Kanji" mode) and ``FS .`` (``1C 2E``, leave it); ``ESC R 13`` selects the Korea
  international set, where ``0x5C`` prints the won sign.

Strict Korean, never '?': CPython's ``euc_kr`` codec does *not* fail on the 8,822 syllables
outside KS X 1001: it writes them as 8-byte KS X 1001:1998 annex-3 "make-up" sequences
(``A4 D4`` filler + three jamo), which a receipt printer's font prints as loose jamo. So
``encode_text`` accepts a character only if it encodes to exactly two bytes in ``A1..FE``
(one KS X 1001 cell) and raises ``UnprintableText`` otherwise, before anything is sent.

Bad input: the encoders raise ``ValueError`` (a programming error) or ``UnprintableText``
(text the printer cannot show); the decoder raises ``ProtocolError`` and nothing else.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import IntEnum

from kiosk.devices.codec_api import MAX_BUFFERED_BYTES
from kiosk.errors import DeviceError, ProtocolError

PROTOCOL = "escpos"  # the ``device`` named in this codec's ProtocolErrors

# Control bytes (ESC/POS command reference; ASCII names).
DLE = 0x10
EOT = 0x04
ENQ = 0x05
ESC = 0x1B
FS = 0x1C
GS = 0x1D
LF = 0x0A

INIT = b"\x1b@"  # ESC @: clear the buffer and reset modes
KOREAN_MODE_ON = b"\x1c&"  # FS &: enter double-byte (KS X 1001 / "Kanji") mode
KOREAN_MODE_OFF = b"\x1c."  # FS .: leave it
KOREA_CHARACTER_SET = 13  # ESC R n: n = 13 is Korea (0x5C prints the won sign)
SELECT_KOREA = bytes((ESC, ord("R"), KOREA_CHARACTER_SET))
ASB_OFF = b"\x1da\x00"  # GS a 0: no Automatic Status Back blocks (section 2.2)
PAPER_SENSOR_IN_ORDER = b"\x1dr\x01"  # GS r 1: paper sensor status, processed in order
FULL_CUT = b"\x1dV\x00"  # GS V 0
PARTIAL_CUT = b"\x1dV\x01"  # GS V 1
RECOVER_RESTART = 1  # DLE ENQ 1: recover from a recoverable error, reprint from the line
RECOVER_CLEAR = 2  # DLE ENQ 2: recover from a recoverable error after clearing buffers

REALTIME_MASK = 0x93  # section 2.1: bits 0, 1, 4, 7 are fixed ...
REALTIME_FIXED = 0x12  # ... at 0, 1, 1, 0
BUFFERED_FIXED_MASK = 0xF0  # section 2.2: GS r 1 uses bits 0..3 only; bit 4 is 0

WON_SIGN = "₩"  # printed as 0x5C under the Korea set
WON_BYTE = 0x5C
KSX1001_BYTE_MIN = 0xA1  # EUC-KR: both bytes of a KS X 1001 cell are A1..FE
KSX1001_BYTE_MAX = 0xFE
MAKEUP_FILLER = b"\xa4\xd4"  # KS X 1001:1998 annex 3: starts an 8-byte make-up sequence


class StatusKind(IntEnum):
    """The ``n`` of ``DLE EOT n`` (section 2.1)."""

    PRINTER = 1
    OFFLINE_CAUSE = 2
    ERROR_CAUSE = 3
    PAPER = 4


# Bit meanings per kind (section 2.1 table).
DRAWER_BIT = 0x04  # n=1 bit 2: drawer kick-out connector pin 3
OFFLINE_BIT = 0x08  # n=1 bit 3
COVER_OPEN_BIT = 0x04  # n=2 bit 2
FEED_BUTTON_BIT = 0x08  # n=2 bit 3: paper is being fed by the FEED button
PAPER_END_STOP_BIT = 0x20  # n=2 bit 5: printing stopped by paper end
ERROR_BIT = 0x40  # n=2 bit 6
CUTTER_ERROR_BIT = 0x08  # n=3 bit 3
UNRECOVERABLE_BIT = 0x20  # n=3 bit 5
AUTO_RECOVERABLE_BIT = 0x40  # n=3 bit 6
NEAR_END_BITS = 0x0C  # n=4 bits 2, 3
PAPER_END_BITS = 0x60  # n=4 bits 5, 6
BUFFERED_NEAR_END_BITS = 0x03  # GS r 1 bits 0, 1
BUFFERED_PAPER_END_BITS = 0x0C  # GS r 1 bits 2, 3


class UnprintableText(DeviceError):
    """Text holds a character the printer cannot print (outside KS X 1001, or a control)."""

    code = "receipt.unprintable_text"

    def __init__(self, detail: str) -> None:
        super().__init__("receipt", detail, fault="unprintable_text")


def status_request(kind: StatusKind | int) -> bytes:
    """``DLE EOT n``.

    Raises:
        ValueError: ``kind`` is not 1..4.
    """
    return bytes((DLE, EOT, StatusKind(kind)))


def recover_request(mode: int = RECOVER_CLEAR) -> bytes:
    """``DLE ENQ n``: leave a recoverable error (autocutter) once its cause is gone."""
    if mode not in (RECOVER_RESTART, RECOVER_CLEAR):
        raise ValueError(f"DLE ENQ n: n must be 1 or 2, got {mode}")
    return bytes((DLE, ENQ, mode))


def check_realtime_byte(value: int) -> int:
    """Return ``value`` if it is a valid ``DLE EOT`` reply byte.

    Raises:
        ProtocolError: a fixed bit is wrong (section 2.4: accept only ``(b & 0x93) == 0x12``).
    """
    if value & REALTIME_MASK != REALTIME_FIXED:
        raise ProtocolError(PROTOCOL, f"0x{value:02X} is not a DLE EOT status byte")
    return value


@dataclass(frozen=True)
class PrinterFlags:
    """Everything the four ``DLE EOT`` bytes say, one field per bit we know."""

    offline: bool = False
    drawer_pin3: bool = False
    cover_open: bool = False
    feed_button: bool = False
    stopped_by_paper_end: bool = False
    error: bool = False
    cutter_error: bool = False
    unrecoverable_error: bool = False
    auto_recoverable_error: bool = False
    paper_near_end: bool = False
    paper_out: bool = False

    def to_byte(self, kind: StatusKind | int) -> int:
        """The reply byte to ``DLE EOT kind`` (what a printer in this state answers)."""
        kind = StatusKind(kind)
        value = REALTIME_FIXED
        if kind is StatusKind.PRINTER:
            value |= DRAWER_BIT * self.drawer_pin3 | OFFLINE_BIT * self.offline
        elif kind is StatusKind.OFFLINE_CAUSE:
            value |= (COVER_OPEN_BIT * self.cover_open | FEED_BUTTON_BIT * self.feed_button
                      | PAPER_END_STOP_BIT * self.stopped_by_paper_end
                      | ERROR_BIT * self.error)
        elif kind is StatusKind.ERROR_CAUSE:
            value |= (CUTTER_ERROR_BIT * self.cutter_error
                      | UNRECOVERABLE_BIT * self.unrecoverable_error
                      | AUTO_RECOVERABLE_BIT * self.auto_recoverable_error)
        else:
            value |= NEAR_END_BITS * self.paper_near_end | PAPER_END_BITS * self.paper_out
        return value

    @classmethod
    def from_bytes(cls, printer: int, offline_cause: int, error_cause: int,
                   paper: int) -> PrinterFlags:
        """Decode the replies to ``DLE EOT 1, 2, 3, 4`` (in that order).

        Raises:
            ProtocolError: one of them is not a valid status byte.
        """
        for value in (printer, offline_cause, error_cause, paper):
            check_realtime_byte(value)
        return cls(
            offline=bool(printer & OFFLINE_BIT), drawer_pin3=bool(printer & DRAWER_BIT),
            cover_open=bool(offline_cause & COVER_OPEN_BIT),
            feed_button=bool(offline_cause & FEED_BUTTON_BIT),
            stopped_by_paper_end=bool(offline_cause & PAPER_END_STOP_BIT),
            error=bool(offline_cause & ERROR_BIT),
            cutter_error=bool(error_cause & CUTTER_ERROR_BIT),
            unrecoverable_error=bool(error_cause & UNRECOVERABLE_BIT),
            auto_recoverable_error=bool(error_cause & AUTO_RECOVERABLE_BIT),
            paper_near_end=bool(paper & NEAR_END_BITS), paper_out=bool(paper & PAPER_END_BITS))

    def buffered_paper_byte(self) -> int:
        """The reply to ``GS r 1`` (paper sensor, in order with the print data)."""
        return (BUFFERED_NEAR_END_BITS * self.paper_near_end
                | BUFFERED_PAPER_END_BITS * self.paper_out)


@dataclass(frozen=True)
class Assessment:
    """What the flags mean for the kiosk: an XFS4IoT device state, detail and the fault.

    ``state`` is spelled as ``kiosk.status.DeviceState`` values (this codec may not import
    it); ``fault`` is None when the printer can print.
    """

    state: str
    fault: str | None
    paper: str
    cover: str
    cutter: str


def assess(flags: PrinterFlags) -> Assessment:
    """Map the flags to a device state (XFS4IoT, reference section 7), worst cause first.

    Hardware (needs a technician): unrecoverable error, autocutter error. User error (a person
    must act): cover open, paper out. Busy: an auto-recoverable error (head temperature) or
    paper being fed by the button; both clear by themselves. Paper near end stays online with
    ``paper = low``.
    """
    paper = "out" if flags.paper_out else "low" if flags.paper_near_end else "full"
    cover = "open" if flags.cover_open else "closed"
    cutter = "error" if flags.cutter_error else "ok"
    if flags.unrecoverable_error:
        state, fault = "hardwareError", "unrecoverable_error"
    elif flags.cutter_error:
        state, fault = "hardwareError", "cutter_error"
    elif flags.cover_open:
        state, fault = "userError", "cover_open"
    elif flags.paper_out or flags.stopped_by_paper_end:
        state, fault = "userError", "paper_out"
    elif flags.auto_recoverable_error:
        state, fault = "deviceBusy", "auto_recoverable_error"
    elif flags.feed_button:
        state, fault = "deviceBusy", "feeding"
    elif flags.offline or flags.error:
        state, fault = "offline", "offline"
    else:
        state, fault = "online", None
    return Assessment(state=state, fault=fault, paper=paper, cover=cover, cutter=cutter)


# ---------------------------------------------------------------------------- replies


@dataclass(frozen=True)
class StatusByte:
    """One byte from the printer: a ``DLE EOT`` reply or (``in_order``) a ``GS r 1`` reply."""

    value: int
    in_order: bool = False

    @property
    def paper_near_end(self) -> bool:
        """Only meaningful for a ``GS r 1`` reply."""
        return bool(self.value & BUFFERED_NEAR_END_BITS)

    @property
    def paper_out(self) -> bool:
        """Only meaningful for a ``GS r 1`` reply."""
        return bool(self.value & BUFFERED_PAPER_END_BITS)


class StatusDecoder:
    """Printer-to-host bytes, one status byte at a time (we never enable ASB).

    A byte with bit 4 set must be a valid ``DLE EOT`` reply; a byte with bits 4..7 clear is a
    ``GS r 1`` reply; anything else is consumed and raises ``ProtocolError``.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) > MAX_BUFFERED_BYTES:
            del self._buffer[:-MAX_BUFFERED_BYTES]

    def next_message(self) -> StatusByte | None:
        if not self._buffer:
            return None
        value = self._buffer.pop(0)
        if value & BUFFERED_FIXED_MASK == 0:
            return StatusByte(value, in_order=True)
        return StatusByte(check_realtime_byte(value))


# ------------------------------------------------------------------------------- text


def _ksx1001_cell(character: str) -> bytes | None:
    try:
        encoded = character.encode("euc_kr")
    except UnicodeEncodeError:
        return None
    if len(encoded) != 2 or encoded == MAKEUP_FILLER:
        return None
    if not all(KSX1001_BYTE_MIN <= byte <= KSX1001_BYTE_MAX for byte in encoded):
        return None
    return encoded


def _describe(character: str, position: int) -> str:
    name = unicodedata.name(character, "unnamed")
    return f"U+{ord(character):04X} ({name}) at position {position}"


def encode_text(text: str) -> bytes:
    """Printable bytes for ``text`` under ``ESC R 13``: ASCII as is, Korean in ``FS &``.

    Each run of double-byte characters is wrapped in ``FS &`` ... ``FS .``; ``\\n`` becomes
    LF and ``₩`` the Korea set's ``0x5C``.

    Raises:
        UnprintableText: a character outside ASCII and KS X 1001 (e.g. '똠'), a control
            character, or a backslash (it prints as the won sign under the Korea set).
    """
    out = bytearray()
    double_byte = False
    for position, character in enumerate(text):
        code = ord(character)
        single: int | None = None
        if character == "\n":
            single = LF
        elif character == WON_SIGN:
            single = WON_BYTE
        elif character == "\\":
            raise UnprintableText(f"{_describe(character, position)} prints as the won sign "
                                  "under the Korea character set")
        elif 0x20 <= code < 0x7F:
            single = code
        elif code < 0x20 or 0x7F <= code < 0xA0:
            raise UnprintableText(f"control character {_describe(character, position)}")
        if single is not None:
            if double_byte:
                out += KOREAN_MODE_OFF
                double_byte = False
            out.append(single)
            continue
        cell = _ksx1001_cell(character)
        if cell is None:
            raise UnprintableText(f"{_describe(character, position)} is not in KS X 1001; "
                                  "a receipt printer's Korean font cannot print it")
        if not double_byte:
            out += KOREAN_MODE_ON
            double_byte = True
        out += cell
    if double_byte:
        out += KOREAN_MODE_OFF
    return bytes(out)


def printable(text: str) -> bool:
    """True if ``encode_text(text)`` would succeed."""
    try:
        encode_text(text)
    except UnprintableText:
        return False
    return True
