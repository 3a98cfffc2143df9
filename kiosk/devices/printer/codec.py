"""HP PJL for the A4 document printer: requests, job framing, and the printer's replies.

Pure: standard library, ``kiosk.errors`` and ``kiosk.devices.codec_api`` only; the driver and
the simulator's emulator both speak through it. Facts from reference/devices.md section 3 and
the HP *PJL Technical Reference Manual* (ch. 5 job separation, ch. 7 status readback):

- Requests are wrapped in UEL: ``ESC%-12345X@PJL`` CRLF, ``@PJL <command>`` CRLF ...,
  ``ESC%-12345X``.
- A job: ``UEL @PJL JOB NAME="<txn>" / @PJL ENTER LANGUAGE=PDF / <PDF> / UEL
  @PJL EOJ NAME="<txn>" / UEL``. The printer reads PDF bytes until the next UEL, so the PDF
  must not contain one (checked).
- Every reply is CRLF-separated lines ending with FF (``0x0C``) and starts with its request
  or category line: ``@PJL INFO STATUS`` (``CODE=``, ``DISPLAY="..."``, ``ONLINE=``),
  ``@PJL USTATUS DEVICE|TIMED`` (same fields, unsolicited), ``@PJL USTATUS JOB`` (``START``,
  ``END`` or ``CANCELED``; ``NAME=``, ``PAGES=``, ``ID=``, ``RESULT=``), ``@PJL USTATUS PAGE``
  (a page number), ``@PJL INFO PAGECOUNT`` (``PAGECOUNT=n`` or a bare ``n``, by model) and
  ``@PJL ECHO <text>``. An unsupported request is answered with a ``?`` line.

The reply decoder resynchronises on the next ``@PJL`` after garbage, rejects a reply cut
short by the next one, and raises ``ProtocolError`` (consuming the bad bytes) and nothing
else. Encoders raise ``InvalidJob`` for a job they cannot frame and ``ValueError`` for other
programming errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.devices.codec_api import MAX_BUFFERED_BYTES
from kiosk.errors import DeviceError, ProtocolError

PROTOCOL = "pjl"  # the ``device`` named in this codec's ProtocolErrors
UEL = b"\x1b%-12345X"  # Universal Exit Language
FF = b"\x0c"  # ends every reply
CRLF = b"\r\n"
HEADER = b"@PJL"
PDF_MAGIC = b"%PDF-"
MAX_JOB_NAME = 80  # PJL JOB NAME: at most 80 characters (HP)
MAX_REPLY_BYTES = 8 * 1024  # no reply we understand is longer
REPLY_WHITESPACE = b" \t\r\n\x00\x0c"
_COMMAND_TEXT = re.compile(r"[ -~]+")  # printable ASCII, one line
_CODE = re.compile(r"\d{5}")


class InvalidJob(DeviceError):
    """A job that cannot be framed: bad name, not a PDF, or a PDF holding the UEL."""

    code = "printer.invalid_job"

    def __init__(self, detail: str) -> None:
        super().__init__("printer", detail, fault="invalid_job")


# --------------------------------------------------------------------------- requests


def pjl(*commands: str) -> bytes:
    """``UEL @PJL`` + one ``@PJL <command>`` line per command + ``UEL``.

    Raises:
        ValueError: a command is not one line of printable ASCII.
    """
    lines = [UEL + HEADER + CRLF]
    for command in commands:
        if not _COMMAND_TEXT.fullmatch(command):
            raise ValueError(f"PJL command must be one line of printable ASCII: {command!r}")
        lines.append(HEADER + b" " + command.encode("ascii") + CRLF)
    lines.append(UEL)
    return b"".join(lines)


def info_status_request() -> bytes:
    return pjl("INFO STATUS")


def info_pagecount_request() -> bytes:
    return pjl("INFO PAGECOUNT")


def echo_request(token: str) -> bytes:
    """``@PJL ECHO <token>``: the reply marks a point in the reply stream (resync)."""
    return pjl(f"ECHO {token}")


def ustatus_request(*, device: str = "ON", job: str = "ON", page: str = "ON") -> bytes:
    """Enable unsolicited DEVICE (ON / VERBOSE / OFF), JOB and PAGE reports."""
    return pjl(f"USTATUS DEVICE={device}", f"USTATUS JOB={job}", f"USTATUS PAGE={page}")


def ustatus_off_request() -> bytes:
    return pjl("USTATUSOFF")


def check_job_name(job_name: str) -> str:
    """Return ``job_name`` if PJL can carry it in ``NAME="..."``.

    Raises:
        InvalidJob: empty, longer than 80, not printable ASCII, or holding a quote.
    """
    if not 0 < len(job_name) <= MAX_JOB_NAME or not _COMMAND_TEXT.fullmatch(job_name) \
            or '"' in job_name:
        raise InvalidJob("job name must be 1-80 printable ASCII characters without '\"'")
    return job_name


def frame_job(job_name: str, pdf: bytes) -> bytes:
    """The whole job: UEL, JOB, ENTER LANGUAGE=PDF, the PDF, UEL, EOJ, UEL.

    Raises:
        InvalidJob: bad name, not a PDF, or the PDF contains the UEL sequence.
    """
    check_job_name(job_name)
    if not pdf.startswith(PDF_MAGIC):
        raise InvalidJob("job data is not a PDF (no %PDF- header)")
    if UEL in pdf:
        raise InvalidJob("the PDF contains the UEL sequence; the printer would cut it short")
    quoted = job_name.encode("ascii")
    return b"".join((
        UEL, HEADER, CRLF,
        HEADER, b' JOB NAME="', quoted, b'"', CRLF,
        HEADER, b" ENTER LANGUAGE=PDF", CRLF,
        pdf, UEL,
        HEADER, b' EOJ NAME="', quoted, b'"', CRLF,
        UEL))


# ---------------------------------------------------------------------------- replies


def _block(first: str, lines: list[str]) -> bytes:
    text = "\r\n".join([f"@PJL {first}", *lines]) + "\r\n"
    return text.encode("latin-1") + FF


@dataclass(frozen=True)
class StatusReport:
    """``INFO STATUS`` (``solicited``) or ``USTATUS DEVICE`` / ``TIMED``: key on ``code``."""

    code: int
    online: bool
    display: str = ""
    solicited: bool = True
    category: str = "DEVICE"

    def encode(self) -> bytes:
        first = "INFO STATUS" if self.solicited else f"USTATUS {self.category}"
        return _block(first, [f"CODE={self.code}", f'DISPLAY="{self.display}"',
                              f"ONLINE={'TRUE' if self.online else 'FALSE'}"])


@dataclass(frozen=True)
class JobEvent:
    """``USTATUS JOB``: ``event`` is START, END or CANCELED."""

    event: str
    name: str | None = None
    pages: int | None = None
    job_id: int | None = None
    result: str | None = None

    def encode(self) -> bytes:
        lines = [self.event]
        if self.name is not None:
            lines.append(f'NAME="{self.name}"')
        if self.pages is not None:
            lines.append(f"PAGES={self.pages}")
        if self.job_id is not None:
            lines.append(f"ID={self.job_id}")
        if self.result is not None:
            lines.append(f"RESULT={self.result}")
        return _block("USTATUS JOB", lines)


@dataclass(frozen=True)
class PageEvent:
    """``USTATUS PAGE``: a page of the current job reached the output bin."""

    page: int

    def encode(self) -> bytes:
        return _block("USTATUS PAGE", [str(self.page)])


@dataclass(frozen=True)
class PageCount:
    """``INFO PAGECOUNT``: the engine's lifetime page counter."""

    pages: int
    keyed: bool = True  # ``PAGECOUNT=n`` (True) or a bare ``n`` (HP LaserJet)

    def encode(self) -> bytes:
        return _block("INFO PAGECOUNT", [f"PAGECOUNT={self.pages}" if self.keyed
                                         else str(self.pages)])


@dataclass(frozen=True)
class EchoReply:
    """``ECHO``: the text the host sent."""

    text: str

    def encode(self) -> bytes:
        return _block(f"ECHO {self.text}", [])


@dataclass(frozen=True)
class InfoReply:
    """Any other ``INFO`` reply (``ID``, ``CONFIG``, ...) or ``?`` for an unsupported one."""

    category: str
    lines: tuple[str, ...] = ()

    @property
    def unsupported(self) -> bool:
        return self.lines == ("?",)

    def encode(self) -> bytes:
        return _block(f"INFO {self.category}", list(self.lines))


Reply = StatusReport | JobEvent | PageEvent | PageCount | EchoReply | InfoReply
JOB_EVENTS = ("START", "END", "CANCELED")


def _fields(lines: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in lines:
        key, equals, value = line.partition("=")
        if equals:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            fields[key.strip().upper()] = value
    return fields


def _int(fields: dict[str, str], key: str, required: bool = True) -> int | None:
    value = fields.get(key)
    if value is None:
        if required:
            raise ProtocolError(PROTOCOL, f"reply has no {key}=")
        return None
    if not value.isdigit() or len(value) > 12:
        raise ProtocolError(PROTOCOL, f"{key}= is not a number")
    return int(value)


def _status(fields: dict[str, str], solicited: bool, category: str) -> StatusReport:
    code = fields.get("CODE", "")
    if not _CODE.fullmatch(code):
        raise ProtocolError(PROTOCOL, "status reply has no five-digit CODE=")
    online = fields.get("ONLINE", "").upper()
    if online not in ("TRUE", "FALSE"):
        raise ProtocolError(PROTOCOL, "status reply has no ONLINE=TRUE|FALSE")
    return StatusReport(int(code), online == "TRUE", fields.get("DISPLAY", ""), solicited,
                        category)


def parse_reply(block: bytes) -> Reply:
    """One reply without its FF.

    Raises:
        ProtocolError: not a reply we know, or a field is missing or malformed.
    """
    text = block.decode("latin-1")
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise ProtocolError(PROTOCOL, "empty reply")
    words = lines[0].split()
    if len(words) < 2 or words[0] != "@PJL":
        raise ProtocolError(PROTOCOL, "reply does not start with '@PJL <category>'")
    category, body = words[1].upper(), lines[1:]
    topic = words[2].upper() if len(words) > 2 else ""
    fields = _fields(body)
    if category == "ECHO":
        return EchoReply(lines[0].split(None, 2)[2] if len(words) > 2 else "")
    if category == "INFO" and topic == "STATUS" and body != ["?"]:
        return _status(fields, True, "DEVICE")
    if category == "INFO" and topic == "PAGECOUNT" and body != ["?"]:
        count = fields.get("PAGECOUNT", body[0] if body else "")
        if not count.isdigit() or len(count) > 12:
            raise ProtocolError(PROTOCOL, "PAGECOUNT reply holds no number")
        return PageCount(int(count), keyed="PAGECOUNT" in fields)
    if category == "INFO" and topic:
        return InfoReply(topic, tuple(body))
    if category == "USTATUS" and topic in ("DEVICE", "TIMED"):
        return _status(fields, False, topic)
    if category == "USTATUS" and topic == "JOB":
        event = body[0].upper() if body else ""
        if event not in JOB_EVENTS:
            raise ProtocolError(PROTOCOL, "USTATUS JOB without START, END or CANCELED")
        return JobEvent(event, fields.get("NAME"), _int(fields, "PAGES", False),
                        _int(fields, "ID", False), fields.get("RESULT"))
    if category == "USTATUS" and topic == "PAGE":
        if not body or not body[0].isdigit() or len(body[0]) > 12:
            raise ProtocolError(PROTOCOL, "USTATUS PAGE without a page number")
        return PageEvent(int(body[0]))
    raise ProtocolError(PROTOCOL, f"unknown reply category {category} {topic}".strip())


def partial_suffix(buffer: bytearray, token: bytes) -> int:
    """Length of the longest tail of ``buffer`` that is a proper prefix of ``token``."""
    for size in range(min(len(token) - 1, len(buffer)), 0, -1):
        if buffer.endswith(token[:size]):
            return size
    return 0


class ReplyDecoder:
    """Printer-to-host bytes in, ``Reply`` messages out (solicited and unsolicited mixed)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) > MAX_BUFFERED_BYTES:
            del self._buffer[:-MAX_BUFFERED_BYTES]

    def next_message(self) -> Reply | None:
        buffer = self._buffer
        start = buffer.find(HEADER)
        if start < 0:
            junk_end = len(buffer) - partial_suffix(buffer, HEADER)
            junk = bytes(buffer[:junk_end])
            del buffer[:junk_end]
            if junk.strip(REPLY_WHITESPACE):
                raise ProtocolError(PROTOCOL, f"{len(junk)} bytes of garbage between replies")
            return None
        if start > 0:
            junk = bytes(buffer[:start])
            del buffer[:start]
            if junk.strip(REPLY_WHITESPACE):
                raise ProtocolError(PROTOCOL, f"{len(junk)} bytes of garbage before a reply")
        end = buffer.find(FF)
        following = buffer.find(HEADER, len(HEADER))
        if following >= 0 and (end < 0 or following < end):
            del buffer[:following]
            raise ProtocolError(PROTOCOL, "reply cut short by the next one")
        if end < 0:
            if len(buffer) > MAX_REPLY_BYTES:
                del buffer[:len(HEADER)]
                raise ProtocolError(PROTOCOL, f"reply longer than {MAX_REPLY_BYTES} bytes")
            return None
        block = bytes(buffer[:end])
        del buffer[:end + 1]
        return parse_reply(block)
