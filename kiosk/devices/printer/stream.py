"""PJL host-to-printer byte stream: the printer's side of ``codec`` (the emulator uses it, and
tests use it to check what the driver sends).

Pure: standard library, ``kiosk.errors`` and ``kiosk.devices.codec_api`` only. Follows the HP
*PJL Technical Reference Manual* ch. 3 (syntax): ``@PJL [command [words]] [option[=value]]``
lines ending with LF (CR optional), values quoted when they hold spaces, and ``ENTER
LANGUAGE=x`` switching to a printer language whose bytes run up to the next UEL.

Messages: ``Uel``, ``PjlCommand`` and ``PrintData`` (a language's bytes, in as many pieces as
they arrived in; the UEL that ends them is held back until it is whole). A line that is not
PJL, is longer than 1 KiB or has an unterminated quote is consumed and raises
``ProtocolError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.devices.printer.codec import CRLF, HEADER, PROTOCOL, UEL, partial_suffix
from kiosk.errors import ProtocolError

MAX_LINE_BYTES = 1024  # a PJL line; real commands are far shorter
RAW_TEXT_VERBS = ("ECHO", "COMMENT")  # the rest of the line is free text
LINE_WHITESPACE = b" \t\r\n\x00"


@dataclass(frozen=True)
class Uel:
    """A Universal Exit Language: the end of a language's data and a job boundary."""

    def encode(self) -> bytes:
        return UEL


@dataclass(frozen=True)
class PjlCommand:
    """One ``@PJL`` line: ``verb`` (upper case), plain ``words``, ``options`` and free
    ``text`` (ECHO, COMMENT)."""

    verb: str = ""
    words: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)
    text: str = ""

    def option(self, name: str, default: str = "") -> str:
        return self.options.get(name, default)

    def encode(self) -> bytes:
        parts = [HEADER.decode()]
        if self.verb:
            parts.append(self.verb)
        if self.verb in RAW_TEXT_VERBS:
            if self.text:
                parts.append(self.text)
        else:
            parts += self.words
            parts += [f'{key}="{value}"' if " " in value or not value else f"{key}={value}"
                      for key, value in self.options.items()]
        return " ".join(parts).encode("ascii") + CRLF


@dataclass(frozen=True)
class PrintData:
    """Bytes of a printer language (``PDF``) after ``ENTER LANGUAGE``."""

    language: str
    data: bytes

    def encode(self) -> bytes:
        return self.data


Request = Uel | PjlCommand | PrintData


def _tokens(rest: str) -> tuple[tuple[str, ...], dict[str, str]]:
    words: list[str] = []
    options: dict[str, str] = {}
    index = 0
    while index < len(rest):
        if rest[index].isspace():
            index += 1
            continue
        end = index
        while end < len(rest) and not rest[end].isspace() and rest[end] != "=":
            end += 1
        name = rest[index:end]
        look = end
        while look < len(rest) and rest[look].isspace():
            look += 1
        if look < len(rest) and rest[look] == "=":
            look += 1
            while look < len(rest) and rest[look].isspace():
                look += 1
            if look < len(rest) and rest[look] == '"':
                close = rest.find('"', look + 1)
                if close < 0:
                    raise ProtocolError(PROTOCOL, "unterminated quoted value")
                value, index = rest[look + 1:close], close + 1
            else:
                stop = look
                while stop < len(rest) and not rest[stop].isspace():
                    stop += 1
                value, index = rest[look:stop], stop
            if not name:
                raise ProtocolError(PROTOCOL, "'=' without an option name")
            options[name.upper()] = value
            continue
        if not name:
            raise ProtocolError(PROTOCOL, "stray '='")
        words.append(name.upper())
        index = end
    return tuple(words), options


def parse_line(line: bytes) -> PjlCommand:
    """One PJL line without its line end.

    Raises:
        ProtocolError: not ``@PJL``, not ASCII, or a malformed option.
    """
    if not line.startswith(HEADER) or (len(line) > len(HEADER)
                                       and line[len(HEADER)] not in b" \t"):
        raise ProtocolError(PROTOCOL, "line is not a @PJL command")
    try:
        rest = line[len(HEADER):].decode("ascii").strip()
    except UnicodeDecodeError:
        raise ProtocolError(PROTOCOL, "PJL line is not ASCII") from None
    if not rest:
        return PjlCommand()
    verb, _, after = rest.partition(" ")
    verb = verb.upper()
    if verb in RAW_TEXT_VERBS:
        return PjlCommand(verb, text=after.strip())
    words, options = _tokens(after)
    return PjlCommand(verb, words, options)


class RequestDecoder:
    """Host-to-printer bytes in, ``Request`` messages out."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.language: str | None = None  # set while a language's data is flowing

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next_message(self) -> Request | None:
        if self.language is not None:
            return self._data()
        buffer = self._buffer
        stripped = len(buffer) - len(buffer.lstrip(LINE_WHITESPACE))
        del buffer[:stripped]
        if not buffer:
            return None
        if buffer.startswith(UEL):
            del buffer[:len(UEL)]
            return Uel()
        if UEL.startswith(bytes(buffer)):
            return None
        line_end = buffer.find(b"\n")
        uel_at = buffer.find(UEL)
        if uel_at >= 0 and (line_end < 0 or uel_at < line_end):
            line_end, skip = uel_at, 0
        else:
            skip = 1
        if line_end < 0:
            if len(buffer) > MAX_LINE_BYTES:
                del buffer[:MAX_LINE_BYTES]
                raise ProtocolError(PROTOCOL, f"PJL line longer than {MAX_LINE_BYTES} bytes")
            return None
        line = bytes(buffer[:line_end]).rstrip(b"\r \t")
        del buffer[:line_end + skip]
        if len(line) > MAX_LINE_BYTES:
            raise ProtocolError(PROTOCOL, f"PJL line longer than {MAX_LINE_BYTES} bytes")
        command = parse_line(line)
        if command.verb == "ENTER" and command.option("LANGUAGE"):
            self.language = command.option("LANGUAGE").upper()
        return command

    def _data(self) -> Request | None:
        buffer = self._buffer
        language = self.language or ""
        uel_at = buffer.find(UEL)
        if uel_at == 0:
            del buffer[:len(UEL)]
            self.language = None
            return Uel()
        end = uel_at if uel_at > 0 else len(buffer) - partial_suffix(buffer, UEL)
        if end <= 0:
            return None
        data = bytes(buffer[:end])
        del buffer[:end]
        return PrintData(language, data)
