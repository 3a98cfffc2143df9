"""The host's side of our framed serial protocol, on top of ``kiosk.devices.base.Device``.

Follows docs/protocols/framing.md: HELLO with SEQ 0 on connect (protocol version and device
kind checked), one request at a time with its SEQ matched to the response, retransmission of
the same bytes after a timeout (``config.retries``, at most 3) or a NAK (at most 3), an ACK for
every event with duplicate suppression, a NAK for every corrupt frame, completion events awaited
against the request's deadline (``config.timeout_s``), and event listeners. The binder, card
reader and I/O panel drivers subclass it and add their messages and status mapping.

Threads: while the supervisor runs it is the only reader; callers wait on a queue or an event.
A thread that must read for itself (the supervisor in ``_on_connect``/``_poll``, or any caller
when ``start()`` was not called) pumps the port directly. Event listeners run on the reading
thread: they must return quickly and must not call the driver (doing so raises RuntimeError);
hand the event to your own loop instead (e.g. ``loop.call_soon_threadsafe``).
"""

from __future__ import annotations

import abc
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from enum import IntEnum
from typing import Any, ClassVar

import serial

from kiosk.config import DeviceConfig
from kiosk.devices.base import Device
from kiosk.devices.framing import (
    ACK,
    MAX_WIRE_FRAME,
    NAK,
    NAK_REASON_FOR_FAULT,
    DuplicateFilter,
    Frame,
    FrameDecoder,
    SequenceCounter,
    encode_ack,
    encode_frame,
    encode_nak,
    is_event,
    is_response,
    response_cmd,
)
from kiosk.devices.framing_messages import (
    PROTOCOL_VERSION,
    Booted,
    CommonCmd,
    DeviceKind,
    Hello,
    HelloReply,
    Ping,
    Reply,
    ResultCode,
    parse_reply,
)
from kiosk.errors import (
    DeviceError,
    DeviceOperationError,
    DeviceTimeout,
    DeviceUnavailable,
    ProtocolError,
)
from kiosk.status import DetailValue, DeviceState

log = logging.getLogger(__name__)

RESPONSE_TIMEOUT_S = 0.5  # framing.md §8 T_RESPONSE_HOST, plus wire time
MAX_RETRANSMISSIONS = 3  # framing.md §8 N_RETRANSMIT
MAX_NAK_RESENDS = 3  # framing.md §8 N_NAK
BITS_PER_BYTE = 10  # 8N1: start, 8 data, stop
WAIT_SLICE_S = 0.05  # how often a waiting caller re-checks the link

EventListener = Callable[[Any], None]


class _Waiter:
    """One caller waiting for the event that ``match`` accepts."""

    __slots__ = ("done", "event", "match")

    def __init__(self, match: Callable[[Any], bool]) -> None:
        self.match = match
        self.done = threading.Event()
        self.event: Any = None


class FramedDevice(Device):
    """A device on our framed protocol; subclasses add messages and the status mapping."""

    unsolicited: ClassVar[bool] = True
    #: The HELLO device_kind this driver accepts.
    device_kind: ClassVar[DeviceKind]
    #: The device's response-code enum (names become ``DeviceOperationError.fault``).
    code_enum: ClassVar[type[IntEnum]] = ResultCode

    def __init__(self, config: DeviceConfig, *, name: str | None = None,
                 poll_interval_s: float = 1.0) -> None:
        super().__init__(config, name=name, poll_interval_s=poll_interval_s)
        self._write_lock = threading.Lock()
        self._tx_seq = SequenceCounter()
        self._rx_filter = DuplicateFilter()
        self._waiters: list[_Waiter] = []
        self._waiters_lock = threading.Lock()
        self._event_listeners: list[EventListener] = []
        self._listener_thread: int | None = None
        self._resync_needed = False
        self.identity: HelloReply | None = None
        for counter in ("retransmits", "naks_received", "naks_sent", "duplicates", "events"):
            self._counters[counter] = 0

    # ------------------------------------------------------------ subclass hooks

    @abc.abstractmethod
    def _parse_event(self, frame: Frame) -> Any:
        """The device codec's event parser (raises ProtocolError)."""

    @abc.abstractmethod
    def _parse_status(self, body: bytes) -> Any:
        """The device codec's status-block parser (raises ProtocolError)."""

    @abc.abstractmethod
    def _apply_status(self, status: Any) -> None:
        """Map a status block to state, detail and counters (call ``_update``)."""

    def _handle_event(self, event: Any) -> None:
        """Update the driver's view for an event, before waiters and listeners see it."""
        del event

    # ------------------------------------------------------------ public API

    def add_event_listener(self, listener: EventListener) -> None:
        """Call ``listener(event)`` for every new event (on the reading thread; see module)."""
        self._event_listeners.append(listener)

    def remove_event_listener(self, listener: EventListener) -> None:
        self._event_listeners.remove(listener)

    def refresh_status(self) -> Any:
        """Ask STATUS, update ``status`` and return the parsed block."""
        reply = self._exchange(CommonCmd.STATUS)
        self._check(reply, "STATUS")
        status = self._parse_status(reply.body)
        self._apply_status(status)
        return status

    def ping(self, data: bytes = b"") -> bytes:
        """PING: the device echoes ``data`` (at most 239 bytes)."""
        reply = self._exchange(CommonCmd.PING, Ping(data).payload())
        self._check(reply, "PING")
        return reply.body

    # ------------------------------------------------------------ Device hooks

    def _new_decoder(self) -> FrameDecoder:
        return FrameDecoder()

    def _on_connect(self) -> None:
        link = self._require_link()
        try:
            link.reset_input_buffer()
        except (serial.SerialException, OSError):
            pass
        self._handshake()

    def _poll(self) -> None:
        if not self._io_lock.acquire(blocking=False):
            return  # a caller's exchange is in flight: it keeps the link checked
        try:
            if self._resync_needed:
                self._handshake()
            else:
                self.refresh_status()
        except (DeviceTimeout, ProtocolError) as exc:
            self._set_state(DeviceState.OFFLINE, {"reason": exc.code})
        finally:
            self._io_lock.release()

    def _is_reply(self, message: Any) -> bool:
        return bool(is_response(message.cmd) or message.cmd == NAK)

    def _on_event(self, message: Any) -> None:
        frame: Frame = message
        if frame.cmd == ACK:
            return  # the host never awaits ACKs: responses acknowledge requests
        if not is_event(frame.cmd):
            self._count("protocol_errors")
            return
        self._write(encode_ack(frame.seq))
        if self._rx_filter.is_duplicate(frame):
            self._count("duplicates")
            return
        try:
            event = self._parse_event(frame)
        except ProtocolError as exc:
            log.warning("%s: unreadable event 0x%02X: %s", self.name, frame.cmd, exc.detail)
            self._on_protocol_error(exc)
            return
        self._count("events")
        if isinstance(event, Booted):
            self._resync_needed = True
        self._handle_event(event)
        self._resolve_waiters(event)
        self._notify(event)

    def _on_protocol_error(self, exc: ProtocolError) -> None:
        super()._on_protocol_error(exc)
        reason = NAK_REASON_FOR_FAULT.get(str(exc.fault))
        if reason is None or self._link is None:
            return
        try:
            self._write(encode_nak(reason))
        except DeviceError:
            return
        self._count("naks_sent")

    def _write(self, data: bytes) -> None:
        with self._write_lock:
            super()._write(data)

    # ------------------------------------------------------------ exchanges

    def _handshake(self) -> None:
        self._resync_needed = False
        reply = self._exchange(CommonCmd.HELLO, Hello().payload(), seq=0)
        self._check(reply, "HELLO")
        hello = HelloReply.from_payload(reply.body)
        if hello.protocol_version != PROTOCOL_VERSION:
            raise ProtocolError(self.name, f"device speaks protocol version "
                                f"{hello.protocol_version}, expected {PROTOCOL_VERSION}",
                                fault="version")
        if hello.kind != self.device_kind:
            raise ProtocolError(self.name, f"device kind 0x{hello.kind:02X} answered, expected "
                                f"{self.device_kind.name}", fault="kind")
        self._tx_seq.reset()
        self._rx_filter.reset()
        self.identity = hello
        with self._state_lock:
            self._detail.update(firmware=hello.firmware, serial_number=hello.serial_number)
        self.refresh_status()

    def _exchange(self, cmd: int, payload: bytes = b"", *, seq: int | None = None) -> Reply:
        """Send one request and return its response, retransmitting per framing.md §8.

        Raises:
            DeviceTimeout: no response after the retransmissions or by ``config.timeout_s``.
            DeviceUnavailable: the port is closed or was lost.
            ProtocolError: the device NAKed the request more than 3 times.
            RuntimeError: called from an event listener.
        """
        if self._listener_thread == threading.get_ident():
            raise RuntimeError(f"{self.name}: event listeners must not call the driver")
        with self._io_lock:
            sequence = self._tx_seq.next() if seq is None else seq
            frame = encode_frame(sequence, cmd, payload)
            expected = response_cmd(cmd)
            now = time.monotonic()
            deadline = now + self.config.timeout_s
            per_attempt = RESPONSE_TIMEOUT_S + self._wire_time_s(len(frame) + MAX_WIRE_FRAME)
            timeouts_left = min(self.config.retries, MAX_RETRANSMISSIONS)
            naks_left = MAX_NAK_RESENDS
            self._drop_replies()
            self._write(frame)
            attempt_ends = min(deadline, now + per_attempt)
            while True:
                incoming: Frame | None = self._next_reply(attempt_ends)
                if incoming is None:
                    if timeouts_left == 0 or time.monotonic() >= deadline:
                        self._count("timeouts")
                        raise DeviceTimeout(self.name, f"no response to request 0x{cmd:02X}")
                    timeouts_left -= 1
                elif incoming.cmd == NAK:
                    self._count("naks_received")
                    if naks_left == 0:
                        raise ProtocolError(self.name, f"request 0x{cmd:02X} NAKed "
                                            f"{MAX_NAK_RESENDS + 1} times", fault="nak")
                    naks_left -= 1
                elif incoming.cmd == expected and incoming.seq == sequence:
                    return parse_reply(incoming, self.name)
                else:
                    continue  # a stale response to an earlier request
                self._count("retransmits")
                self._write(frame)
                attempt_ends = min(deadline, time.monotonic() + per_attempt)

    def _next_reply(self, until: float) -> Frame | None:
        while True:
            try:
                frame: Frame = self._replies.get_nowait()
                return frame
            except queue.Empty:
                pass
            remaining = until - time.monotonic()
            if remaining <= 0:
                return None
            if self._link is None:
                raise DeviceUnavailable(self.name, "port lost")
            if self._must_pump():
                self._read_available()
                continue
            try:
                frame = self._replies.get(timeout=min(remaining, WAIT_SLICE_S))
                return frame
            except queue.Empty:
                continue

    def _must_pump(self) -> bool:
        """True if no supervisor reads for us (not started, or we are the supervisor)."""
        thread = self._thread
        return thread is None or thread is threading.current_thread() or not thread.is_alive()

    def _wire_time_s(self, byte_count: int) -> float:
        return BITS_PER_BYTE * byte_count / self.config.baudrate

    def _check(self, reply: Reply, what: str) -> None:
        """Raise ``DeviceOperationError`` (fault = the code's name) unless the code is OK."""
        if reply.code == ResultCode.OK:
            return
        raise DeviceOperationError(self.name, f"{what} refused: {self.code_name(reply.code)}",
                                   fault=self.code_name(reply.code))

    def code_name(self, code: int) -> str:
        try:
            return self.code_enum(code).name.lower()
        except ValueError:
            return f"code_0x{code:02x}"

    # ------------------------------------------------------------ events

    def _expect(self, match: Callable[[Any], bool]) -> _Waiter:
        """Register interest in an event before sending the request that causes it."""
        waiter = _Waiter(match)
        with self._waiters_lock:
            self._waiters.append(waiter)
        return waiter

    def _forget(self, waiter: _Waiter) -> None:
        with self._waiters_lock:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _await_event(self, waiter: _Waiter, deadline: float, what: str) -> Any:
        """The event ``waiter`` matched, waiting until ``deadline`` (monotonic).

        Raises:
            DeviceTimeout: the deadline passed first.
            DeviceUnavailable: the port was lost.
        """
        try:
            while not waiter.done.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._count("timeouts")
                    raise DeviceTimeout(self.name, f"no {what} before the deadline")
                if self._link is None:
                    raise DeviceUnavailable(self.name, "port lost")
                if self._must_pump():
                    with self._io_lock:
                        self._read_available()
                else:
                    waiter.done.wait(min(remaining, WAIT_SLICE_S))
            return waiter.event
        finally:
            self._forget(waiter)

    def _resolve_waiters(self, event: Any) -> None:
        with self._waiters_lock:
            for waiter in self._waiters:
                if not waiter.done.is_set() and waiter.match(event):
                    waiter.event = event
                    waiter.done.set()

    def _notify(self, event: Any) -> None:
        self._listener_thread = threading.get_ident()
        try:
            for listener in list(self._event_listeners):
                try:
                    listener(event)
                except Exception:
                    log.exception("%s: event listener failed", self.name)
        finally:
            self._listener_thread = None

    # ------------------------------------------------------------ status

    def _update(self, state: DeviceState, detail: Mapping[str, DetailValue],
                counters: Mapping[str, int]) -> None:
        """Publish one status change: ``state``, merged ``detail``, counters raised (never
        lowered) to the device's values."""
        with self._state_lock:
            for name, value in counters.items():
                if name not in self._counters or value > self._counters[name]:
                    self._counters[name] = value
        self._set_state(state, detail)
