"""The ESC/POS receipt printer driver: Korean fee receipts, cut, and status we can trust.

Follows reference/devices.md section 2. Why python-escpos builds the bytes but does not own
the port: ``escpos.printer.Serial`` opens its own ``serial.Serial(devfile)``, so it cannot
take our port URL (``spy://``, ``serial_for_url``), cannot share the lock that keeps one
exchange in flight, and reads status as "up to 16 bytes until a 1 s timeout" without checking
them; 3.1 even reports a silent printer as "paper adequate" (section 2.4). So we use
``escpos.printer.Dummy`` as a command builder (initialise, cut: profile-aware bytes), add our
strictly KS X 1001 Korean text (``codec.encode_text``; python-escpos's ``text()`` would print
'?'), and send the result through the ``Device`` link, where we also:

- ask ``DLE EOT 1..4`` ourselves and accept exactly one byte with ``(b & 0x93) == 0x12``
  within our own deadline; a missing, invalid or doubled byte is a failed exchange (retried
  ``config.retries`` times), never "all is well";
- end every receipt with ``GS r 1``, which the printer answers only after everything before
  it (the cut included) has been printed: that byte is our "receipt is out" confirmation;
  while waiting we ask ``DLE EOT 1`` every 0.2 s, so a printer that stops mid-receipt (paper
  out, cover opened) fails the receipt at once;
- after an autocutter error, send ``DLE ENQ 2`` on every status poll, so the printer leaves
  the error by itself once a technician has cleared the blade.

States (XFS4IoT): paper out and cover open are ``userError``; autocutter and unrecoverable
errors ``hardwareError``; paper near end stays ``online`` with ``paper = low``; a printer that
does not answer is ``offline`` (``reason = no_reply``), one that answers garbage ``offline``
(``reason = bad_reply``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import serial
from escpos.printer import Dummy

from kiosk.config import DeviceConfig
from kiosk.devices.base import Device
from kiosk.devices.receipt.codec import (
    ASB_OFF,
    OFFLINE_BIT,
    PAPER_SENSOR_IN_ORDER,
    SELECT_KOREA,
    Assessment,
    PrinterFlags,
    StatusByte,
    StatusDecoder,
    StatusKind,
    assess,
    encode_text,
    recover_request,
    status_request,
)
from kiosk.devices.receipt.layout import ReceiptFields, receipt_lines
from kiosk.errors import DeviceOperationError, DeviceTimeout, DeviceUnavailable, ProtocolError
from kiosk.status import DeviceState

log = logging.getLogger(__name__)

#: Deadline for one ``DLE EOT`` byte: the printer answers at once (section 2.1); at 9600 baud
#: the 4 bytes take 4 ms on the wire.
STATUS_TIMEOUT_S = 0.5
#: Print time allowed per line on top of ``config.timeout_s`` (a slow 40 mm/s head, 4 mm
#: lines, with margin).
PRINT_S_PER_LINE = 0.1
#: Extra time allowed for the feed and cut at the end of a receipt.
CUT_S = 1.5
#: While a receipt prints, how often to check (``DLE EOT 1``) that the printer has not stopped.
STOP_CHECK_S = 0.2
RECEIPT_COUNTERS = ("receipts", "cuts", "errors")


class _Builder(Dummy):
    """python-escpos's byte recorder, plus raw bytes we encoded ourselves."""

    def append(self, data: bytes) -> None:
        self._raw(data)


class EscPosReceiptPrinter(Device):
    """An ESC/POS receipt printer on a serial (or USB-serial) port."""

    kind = "receipt"
    unsolicited = False

    def __init__(self, config: DeviceConfig, *, name: str | None = None,
                 poll_interval_s: float = 1.0,
                 status_timeout_s: float = STATUS_TIMEOUT_S) -> None:
        super().__init__(config, name=name, poll_interval_s=poll_interval_s)
        self.status_timeout_s = min(status_timeout_s, config.timeout_s)
        self._counters.update(dict.fromkeys(RECEIPT_COUNTERS, 0))
        self._flags: PrinterFlags | None = None

    # ----------------------------------------------------------------- hooks

    def _new_decoder(self) -> StatusDecoder:
        return StatusDecoder()

    def _on_connect(self) -> None:
        self._write(ASB_OFF)
        self.refresh_status()

    def _poll(self) -> None:
        self.refresh_status()
        flags = self._flags
        if flags is not None and flags.cutter_error:
            self.recover()

    def recover(self) -> None:
        """``DLE ENQ 2``: leave a recoverable error (autocutter) if its cause is gone.

        The printer drops what it had buffered; the supervisor sends this on every poll
        while an autocutter error is reported.
        """
        with self._io_lock:
            self._write(recover_request())

    # ---------------------------------------------------------------- status

    @property
    def flags(self) -> PrinterFlags | None:
        """The last status read from the printer (None before the first)."""
        return self._flags

    def refresh_status(self) -> Assessment:
        """Ask ``DLE EOT 1..4`` and update ``status``.

        Raises:
            DeviceTimeout: no valid reply (the state becomes offline, ``reason = no_reply``).
            ProtocolError: only invalid replies (offline, ``reason = bad_reply``).
            DeviceUnavailable: the port is gone.
        """
        try:
            with self._io_lock:
                values = [self._realtime_byte(kind) for kind in StatusKind]
        except DeviceTimeout:
            self._set_state(DeviceState.OFFLINE, {"reason": "no_reply"})
            raise
        except ProtocolError:
            self._set_state(DeviceState.OFFLINE, {"reason": "bad_reply"})
            raise
        flags = PrinterFlags.from_bytes(*values)
        assessment = assess(flags)
        self._flags = flags
        self._set_state(DeviceState(assessment.state), {
            "paper": assessment.paper, "cover": assessment.cover,
            "cutter": assessment.cutter, "fault": assessment.fault,
            "reason": assessment.fault})
        return assessment

    def read_status_byte(self, kind: StatusKind) -> int:
        """One validated ``DLE EOT kind`` reply byte (retried ``config.retries`` times).

        Raises:
            DeviceTimeout, ProtocolError, DeviceUnavailable: as ``refresh_status``.
        """
        with self._io_lock:
            return self._realtime_byte(kind)

    def _realtime_byte(self, kind: StatusKind) -> int:
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            try:
                return self._realtime_once(kind)
            except (DeviceTimeout, ProtocolError):
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _realtime_once(self, kind: StatusKind) -> int:
        link = self._require_link()
        self._discard_input(link)
        self._write(status_request(kind))
        deadline = time.monotonic() + self.status_timeout_s
        data = b""
        while not data:
            if time.monotonic() >= deadline:
                self._count("timeouts")
                raise DeviceTimeout(self.name, f"no reply to DLE EOT {int(kind)}")
            data = self._read(link, 1)
        decoder = StatusDecoder()
        decoder.feed(data)
        try:
            reply = decoder.next_message()
            if reply is None or reply.in_order:
                raise ProtocolError(self.name, "an in-order status byte answered DLE EOT")
            if self._in_waiting(link):
                raise ProtocolError(self.name, "more than one byte answered DLE EOT")
        except ProtocolError as exc:
            self._count("protocol_errors")
            raise ProtocolError(self.name, exc.detail) from None
        return reply.value

    # -------------------------------------------------------------- printing

    def print_receipt(self, receipt: ReceiptFields) -> None:
        """Print the fee receipt (see ``layout.receipt_lines``) and cut it.

        Raises:
            InvalidReceipt, UnprintableText: before anything is sent.
            DeviceOperationError: the printer cannot print now, or stopped (``fault``).
            DeviceTimeout: the receipt was not confirmed in time.
        """
        self.print_lines(receipt_lines(receipt))

    def print_lines(self, lines: Sequence[str], *, cut: bool = True) -> None:
        """Print ``lines`` (Korean allowed), feed and cut; return once the printer confirms.

        Every line is encoded first, so an unprintable character fails before any byte goes
        out. Raises as ``print_receipt``.
        """
        payload = self._compose(lines, cut)
        deadline_s = self.config.timeout_s + len(lines) * PRINT_S_PER_LINE + CUT_S
        with self._io_lock:
            assessment = self.refresh_status()
            if DeviceState(assessment.state) not in (DeviceState.ONLINE,
                                                     DeviceState.DEVICE_BUSY):
                self._count("errors")
                raise DeviceOperationError(self.name, f"cannot print: {assessment.fault}",
                                           fault=assessment.fault)
            link = self._require_link()
            self._discard_input(link)
            self._write(payload + PAPER_SENSOR_IN_ORDER)
            confirmation = self._await_in_order(link, time.monotonic() + deadline_s)
            if confirmation is None:
                self._count("errors")
                after = self.refresh_status()
                log.warning("%s: receipt not confirmed (%s)", self.name, after.fault or "timeout")
                if after.fault is not None:
                    raise DeviceOperationError(
                        self.name, f"receipt not finished: {after.fault}", fault=after.fault)
                self._count("timeouts")
                raise DeviceTimeout(self.name, "receipt not confirmed before the deadline")
        self._count("receipts")
        if cut:
            self._count("cuts")
        self.refresh_status()

    @staticmethod
    def _compose(lines: Sequence[str], cut: bool) -> bytes:
        builder = _Builder()
        builder.hw("INIT")
        builder.append(SELECT_KOREA)
        for line in lines:
            builder.append(encode_text(line + "\n"))
        if cut:
            builder.cut()
        return bytes(builder.output)

    def _await_in_order(self, link: serial.SerialBase, deadline: float) -> StatusByte | None:
        """Wait for the ``GS r 1`` byte; meanwhile ask ``DLE EOT 1`` now and then, so a
        printer that stopped (offline bit) ends the wait early. The two replies differ in
        bit 4, so they cannot be mistaken for each other."""
        decoder = StatusDecoder()
        next_check = time.monotonic() + STOP_CHECK_S
        checks_unanswered = 0
        confirmation: StatusByte | None = None
        while (now := time.monotonic()) < deadline:
            if confirmation is None and now >= next_check:
                self._write(status_request(StatusKind.PRINTER))
                checks_unanswered += 1
                next_check = now + STOP_CHECK_S
            decoder.feed(self._read(link, 1))
            while True:
                try:
                    reply = decoder.next_message()
                except ProtocolError:
                    self._count("protocol_errors")
                    continue
                if reply is None:
                    break
                if reply.in_order:
                    confirmation = reply
                    # Collect the answers to checks still in flight, so that none is
                    # taken for the reply to the next exchange.
                    deadline = min(deadline, time.monotonic() + self.status_timeout_s)
                    continue
                checks_unanswered -= 1
                if reply.value & OFFLINE_BIT and confirmation is None:
                    return None
            if confirmation is not None and checks_unanswered <= 0:
                return confirmation
        return confirmation

    # ------------------------------------------------------------------- I/O

    def _read(self, link: serial.SerialBase, size: int) -> bytes:
        try:
            return bytes(link.read(size))
        except (serial.SerialException, OSError) as exc:
            self._link_lost(exc)
            raise DeviceUnavailable(self.name, "port lost") from exc

    def _in_waiting(self, link: serial.SerialBase) -> int:
        try:
            return int(link.in_waiting)
        except (serial.SerialException, OSError) as exc:
            self._link_lost(exc)
            raise DeviceUnavailable(self.name, "port lost") from exc

    def _discard_input(self, link: serial.SerialBase) -> None:
        waiting = self._in_waiting(link)
        if waiting:
            self._read(link, waiting)
