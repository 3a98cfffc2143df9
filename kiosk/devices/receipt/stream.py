"""ESC/POS host-to-printer byte stream: an incremental decoder of commands, text and
real-time requests (the printer's side; the emulator uses it, and tests use it to check what
the driver and python-escpos send).

Pure: standard library, ``kiosk.errors`` and ``kiosk.devices.codec_api`` only. Command
lengths follow the Epson ESC/POS command reference as restated in reference/devices.md
section 2 and the commands python-escpos 3.1 emits (its ``set``, ``cut``, ``image``,
``barcode`` and ``qr``).

Two layers, as in a real printer:

1. Real-time layer: ``DLE EOT n`` and ``DLE ENQ n`` are recognised wherever they appear in
   the byte stream, even between the parameter bytes of another command (section 2.1: the
   printer scans its receive buffer for them, which is why the manuals say never to put them
   inside another command). They are handed out first, before commands still in the buffer.
   A trailing ``DLE`` or ``DLE EOT`` is held until the next byte tells what it is.
2. Command layer: everything else, in order: ``Command`` (name, parameters, bulk data) and
   ``Text`` runs. Text runs are handed out as soon as bytes arrive, so one line may come in
   several ``Text`` pieces; in double-byte (Korean) mode, which ``FS &`` enters and ``FS .``
   or ``ESC @`` leaves, a two-byte KS X 1001 cell is never split.

Unknown commands, bad parameters and bad double-byte cells raise ``ProtocolError`` after
consuming the offending bytes, so the next call resynchronises.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.devices.codec_api import MAX_BUFFERED_BYTES
from kiosk.devices.receipt.codec import (
    DLE,
    ENQ,
    EOT,
    ESC,
    FS,
    GS,
    KSX1001_BYTE_MAX,
    KSX1001_BYTE_MIN,
    LF,
    PROTOCOL,
    WON_BYTE,
)
from kiosk.errors import ProtocolError

CR = 0x0D
HT = 0x09
FF = 0x0C  # print and return to standard mode (page mode)
CAN = 0x18  # cancel print data in page mode
TEXT_CONTROLS = frozenset({LF, CR, HT})
REALTIME_RANGE = {EOT: range(1, 5), ENQ: range(1, 3)}  # section 2.1: n of DLE EOT / DLE ENQ
MAX_RASTER_WIDTH_BYTES = 255  # GS v 0: we refuse wider images (80 mm heads are 72 bytes)
MAX_RASTER_HEIGHT = 4095  # GS v 0: Epson's limit on yL + yH * 256
MAX_BARCODE_BYTES = 255  # GS k m (m <= 6): NUL-terminated data
MAX_TAB_POSITIONS = 32  # ESC D: at most 32 tab positions, then NUL
CODE_PAGE_ENCODING = "cp437"  # ESC t 0 (PC437), the power-on code table


@dataclass(frozen=True)
class Realtime:
    """A real-time request: ``DLE EOT n`` (``command == EOT``) or ``DLE ENQ n``."""

    command: int
    n: int

    def encode(self) -> bytes:
        return bytes((DLE, self.command, self.n))


@dataclass(frozen=True)
class Command:
    """One buffered command: ``name`` (see ``PREFIXES``), its parameters and bulk data."""

    name: str
    params: bytes = b""
    data: bytes = b""

    def encode(self) -> bytes:
        return PREFIXES[self.name] + self.params + self.data

    def param(self, index: int = 0) -> int:
        return self.params[index] if index < len(self.params) else 0


@dataclass(frozen=True)
class Text:
    """Printable bytes; ``double_byte`` if they arrived in Korean (``FS &``) mode."""

    data: bytes
    double_byte: bool = False


Message = Realtime | Command | Text

# name -> (prefix, fixed parameter count); ``None`` means a length rule below.
_TABLE: dict[str, tuple[bytes, int | None]] = {
    "init": (b"\x1b@", 0), "code_table": (b"\x1bt", 1), "print_mode": (b"\x1b!", 1),
    "bold": (b"\x1bE", 1), "double_strike": (b"\x1bG", 1), "align": (b"\x1ba", 1),
    "underline": (b"\x1b-", 1), "font": (b"\x1bM", 1), "upside_down": (b"\x1b{", 1),
    "rotate": (b"\x1bV", 1), "feed_lines": (b"\x1bd", 1), "feed_dots": (b"\x1bJ", 1),
    "character_set": (b"\x1bR", 1), "line_spacing": (b"\x1b3", 1),
    "default_line_spacing": (b"\x1b2", 0), "drawer_pulse": (b"\x1bp", 3),
    "panel_buttons": (b"\x1bc", 2), "right_spacing": (b"\x1b ", 1),
    "absolute_position": (b"\x1b$", 2), "relative_position": (b"\x1b\\", 2),
    "color": (b"\x1br", 1), "legacy_full_cut": (b"\x1bi", 0),
    "legacy_partial_cut": (b"\x1bm", 0), "standard_mode": (b"\x1bS", 0),
    "page_mode": (b"\x1bL", 0), "unidirectional": (b"\x1bU", 1),
    "peripheral": (b"\x1b=", 1), "user_characters": (b"\x1b%", 1),
    "bit_image": (b"\x1b*", None), "tab_positions": (b"\x1bD", None),
    "char_size": (b"\x1d!", 1), "reverse": (b"\x1dB", 1), "smoothing": (b"\x1db", 1),
    "asb": (b"\x1da", 1), "buffered_status": (b"\x1dr", 1),
    "barcode_height": (b"\x1dh", 1), "barcode_width": (b"\x1dw", 1),
    "barcode_text": (b"\x1dH", 1), "barcode_font": (b"\x1df", 1),
    "left_margin": (b"\x1dL", 2), "print_width": (b"\x1dW", 2),
    "motion_units": (b"\x1dP", 2), "printer_id": (b"\x1dI", 1),
    "cut": (b"\x1dV", None), "raster": (b"\x1dv0", None), "extended": (b"\x1d(", None),
    "barcode": (b"\x1dk", None),
    "korean_on": (b"\x1c&", 0), "korean_off": (b"\x1c.", 0),
    "korean_print_mode": (b"\x1c!", 1), "korean_underline": (b"\x1c-", 1),
    "korean_code_system": (b"\x1cC", 1), "korean_spacing": (b"\x1cS", 2),
    "korean_quadruple": (b"\x1cW", 1), "nv_image": (b"\x1cp", 2),
    "form_feed": (b"\x0c", 0), "cancel_page": (b"\x18", 0),
}
#: Command name -> its leading bytes.
PREFIXES: dict[str, bytes] = {name: prefix for name, (prefix, _) in _TABLE.items()}
_BY_PREFIX: dict[bytes, tuple[str, int | None]] = {
    prefix: (name, count) for name, (prefix, count) in _TABLE.items()}


class _Incomplete(Exception):
    """More bytes are needed (internal)."""


class _Bad(Exception):
    """Bad command; ``skip`` bytes are consumed (internal)."""

    def __init__(self, reason: str, skip: int) -> None:
        super().__init__(reason)
        self.skip = skip


def _byte(buffer: bytearray, index: int) -> int:
    if index >= len(buffer):
        raise _Incomplete
    return buffer[index]


def _word(buffer: bytearray, index: int) -> int:
    return _byte(buffer, index) | _byte(buffer, index + 1) << 8


def _cut_params(buffer: bytearray, start: int) -> tuple[int, int]:
    mode = _byte(buffer, start)
    if mode in (0, 1, 48, 49):
        return 1, 0
    if mode in (65, 66, 97, 98, 103, 104):
        return 2, 0
    raise _Bad(f"GS V: unknown cut mode {mode}", start)


def _raster_params(buffer: bytearray, start: int) -> tuple[int, int]:
    mode = _byte(buffer, start)
    if mode not in (0, 1, 2, 3, 48, 49, 50, 51):
        raise _Bad(f"GS v 0: unknown mode {mode}", start)
    width, height = _word(buffer, start + 1), _word(buffer, start + 3)
    if not (1 <= width <= MAX_RASTER_WIDTH_BYTES and 1 <= height <= MAX_RASTER_HEIGHT):
        raise _Bad(f"GS v 0: image of {width} x {height} bytes is out of range", start)
    return 5, width * height


def _bit_image_params(buffer: bytearray, start: int) -> tuple[int, int]:
    mode = _byte(buffer, start)
    if mode not in (0, 1, 32, 33):
        raise _Bad(f"ESC *: unknown mode {mode}", start)
    columns = _word(buffer, start + 1)
    if not 1 <= columns <= 2400:
        raise _Bad(f"ESC *: {columns} columns is out of range", start)
    return 3, columns * (1 if mode < 32 else 3)


def _extended_params(buffer: bytearray, start: int) -> tuple[int, int]:
    function = _byte(buffer, start)
    if not 0x41 <= function <= 0x5A and not 0x61 <= function <= 0x7A:
        raise _Bad(f"GS ( : unknown function 0x{function:02X}", start)
    return 3, _word(buffer, start + 1)


def _terminated(buffer: bytearray, start: int, limit: int, what: str) -> int:
    end = buffer.find(b"\x00", start, start + limit + 1)
    if end < 0:
        if len(buffer) - start > limit:
            raise _Bad(f"{what}: no NUL within {limit} bytes", start)
        raise _Incomplete
    return end + 1 - start


def _barcode_params(buffer: bytearray, start: int) -> tuple[int, int]:
    system = _byte(buffer, start)
    if system <= 6:
        return 1, _terminated(buffer, start + 1, MAX_BARCODE_BYTES, "GS k")
    if 65 <= system <= 79:
        return 2, _byte(buffer, start + 1)
    raise _Bad(f"GS k: unknown barcode system {system}", start)


def _tab_params(buffer: bytearray, start: int) -> tuple[int, int]:
    return 0, _terminated(buffer, start, MAX_TAB_POSITIONS, "ESC D")


_RULES: dict[str, Callable[[bytearray, int], tuple[int, int]]] = {
    "cut": _cut_params, "raster": _raster_params, "bit_image": _bit_image_params,
    "extended": _extended_params, "barcode": _barcode_params, "tab_positions": _tab_params,
}


def _is_text_byte(value: int) -> bool:
    return value >= 0x20 or value in TEXT_CONTROLS


class CommandDecoder:
    """Host-to-printer bytes in, ``Realtime`` / ``Command`` / ``Text`` messages out."""

    def __init__(self) -> None:
        self._raw = bytearray()  # not yet scanned for real-time requests
        self._stream = bytearray()  # scanned: the command layer's input
        self._realtime: deque[tuple[int, int]] = deque()
        self.double_byte = False  # Korean mode, entered by FS & and left by FS . / ESC @

    def feed(self, data: bytes) -> None:
        self._raw += data
        self._scan()
        if len(self._stream) > MAX_BUFFERED_BYTES:
            del self._stream[:-MAX_BUFFERED_BYTES]

    def _scan(self) -> None:
        raw, index = self._raw, 0
        while index < len(raw):
            if raw[index] != DLE:
                end = raw.find(DLE, index)
                end = len(raw) if end < 0 else end
                self._stream += raw[index:end]
                index = end
                continue
            if index + 1 >= len(raw):
                break
            if raw[index + 1] not in REALTIME_RANGE:
                self._stream.append(DLE)
                index += 1
                continue
            if index + 2 >= len(raw):
                break
            self._realtime.append((raw[index + 1], raw[index + 2]))
            index += 3
        del raw[:index]

    def next_message(self) -> Message | None:
        if self._realtime:
            command, n = self._realtime.popleft()
            if n not in REALTIME_RANGE[command]:
                name = "DLE EOT" if command == EOT else "DLE ENQ"
                raise ProtocolError(PROTOCOL, f"{name} {n}: n is out of range")
            return Realtime(command, n)
        if not self._stream:
            return None
        if _is_text_byte(self._stream[0]):
            return self._text()
        return self._command()

    def _text(self) -> Text | None:
        buffer, index = self._stream, 0
        while index < len(buffer) and _is_text_byte(buffer[index]):
            value = buffer[index]
            if not self.double_byte or value < 0x80:
                index += 1
                continue
            if not KSX1001_BYTE_MIN <= value <= KSX1001_BYTE_MAX:
                if index:
                    break
                del buffer[:1]
                raise ProtocolError(PROTOCOL, f"0x{value:02X} cannot start a KS X 1001 cell")
            if index + 1 >= len(buffer):
                break
            trail = buffer[index + 1]
            if not KSX1001_BYTE_MIN <= trail <= KSX1001_BYTE_MAX:
                if index:
                    break
                del buffer[:1]
                raise ProtocolError(PROTOCOL, f"0x{value:02X}{trail:02X} is not a KS X 1001 "
                                              "cell")
            index += 2
        if not index:
            return None
        data = bytes(buffer[:index])
        del buffer[:index]
        return Text(data, self.double_byte)

    def _command(self) -> Command | None:
        buffer = self._stream
        first = buffer[0]
        if first in (ESC, GS, FS, DLE):
            if len(buffer) < 2:
                return None
            prefix = bytes(buffer[:3]) if buffer[:3] == b"\x1dv0" else bytes(buffer[:2])
            if prefix == b"\x1dv" and len(buffer) < 3:
                return None
        else:
            prefix = bytes(buffer[:1])
        entry = _BY_PREFIX.get(prefix)
        if entry is None:
            # A control byte after the introducer may start the next command: keep it.
            skip = 1 if len(prefix) > 1 and prefix[1] < 0x20 else len(prefix)
            del buffer[:skip]
            raise ProtocolError(PROTOCOL, f"unknown command {prefix[:skip].hex(' ')}")
        name, count = entry
        start = len(prefix)
        try:
            if count is None:
                param_count, data_count = _RULES[name](buffer, start)
            else:
                param_count, data_count = count, 0
            end = start + param_count + data_count
            if end > len(buffer):
                raise _Incomplete
        except _Incomplete:
            return None
        except _Bad as exc:
            del buffer[:max(exc.skip, 1)]
            raise ProtocolError(PROTOCOL, str(exc)) from None
        command = Command(name, bytes(buffer[start:start + param_count]),
                          bytes(buffer[start + param_count:end]))
        del buffer[:end]
        if name == "korean_on":
            self.double_byte = True
        elif name in ("korean_off", "init"):
            self.double_byte = False
        return command


def render_text(text: Text, *, korea_set: bool) -> str:
    """What the printer prints for ``text`` (the emulator's output files).

    Single bytes follow ASCII (``0x5C`` is the won sign under the Korea set) and PC437 above
    0x7F; double-byte cells decode as EUC-KR, an undecodable cell as U+FFFD, never '?'.
    """
    out: list[str] = []
    data, index = text.data, 0
    while index < len(data):
        value = data[index]
        if text.double_byte and value >= 0x80 and index + 1 < len(data):
            try:
                out.append(data[index:index + 2].decode("euc_kr"))
            except UnicodeDecodeError:
                out.append("\ufffd")
            index += 2
            continue
        if value == CR:
            pass
        elif value == WON_BYTE and korea_set:
            out.append("₩")
        elif value < 0x80:
            out.append(chr(value))
        else:
            out.append(bytes((value,)).decode(CODE_PAGE_ENCODING))
        index += 1
    return "".join(out)
