"""The one base class every device driver builds on (Moonraker's device contract, R4).

A ``Device`` owns its port (opened by URL with ``serial.serial_for_url``, so a pty from the
simulator, ``spy://`` and real hardware all work unchanged), one lock so that a single command
is in flight, deadlines on every exchange, a supervisor thread that reconnects with clamped
exponential backoff after an unplug, and its ``DeviceStatus``, replaced on every change and
pushed to listeners. A device going down is logged once, and once again when it comes back.

Two reading styles:

- request/response (``unsolicited = False``): the caller's thread writes a request and reads
  until the codec yields the reply; the supervisor polls status every ``poll_interval_s``.
- unsolicited (``unsolicited = True``): the supervisor thread is the only reader; replies go
  to the waiting request (``_is_reply``), everything else to ``_on_event``.

Subclasses fill in the hooks ``_new_decoder``, ``_on_connect`` and ``_poll`` (and ``_is_reply``
and ``_on_event`` for the unsolicited style). ``status`` never does I/O.
"""

from __future__ import annotations

import abc
import logging
import queue
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import serial

from kiosk.config import DeviceConfig
from kiosk.devices.codec_api import IncrementalDecoder, drain
from kiosk.errors import DeviceError, DeviceTimeout, DeviceUnavailable, ProtocolError
from kiosk.status import USABLE_STATES, DetailValue, DeviceState, DeviceStatus

log = logging.getLogger(__name__)

#: How long one low-level read waits; deadlines are enforced above it.
READ_SLICE_S = 0.02
#: First reconnect delay; doubled per failure up to the config's ``reconnect_max_s``.
BACKOFF_INITIAL_S = 0.05

StatusListener = Callable[[DeviceStatus], None]


class Backoff:
    """Clamped exponential backoff with +-10 % jitter."""

    def __init__(self, initial_s: float, max_s: float) -> None:
        self.initial_s = initial_s
        self.max_s = max_s
        self._next_s = initial_s

    def next_delay(self) -> float:
        delay = min(self._next_s, self.max_s)
        self._next_s = min(self._next_s * 2, self.max_s)
        return delay * random.uniform(0.9, 1.1)

    def reset(self) -> None:
        self._next_s = self.initial_s


class Device(abc.ABC):
    """Base of every driver: port, lock, deadlines, reconnect, status and counters."""

    #: The device class: fingerprint, printer, receipt, binder, card_reader, panel.
    kind: ClassVar[str] = "device"
    #: True if the device sends messages nobody asked for (events, unsolicited status).
    unsolicited: ClassVar[bool] = False

    def __init__(self, config: DeviceConfig, *, name: str | None = None,
                 poll_interval_s: float = 1.0) -> None:
        self.config = config
        self.name = name or self.kind
        self.poll_interval_s = poll_interval_s
        self._link: serial.SerialBase | None = None
        self._io_lock = threading.RLock()
        self._state_lock = threading.Lock()
        self._status = DeviceStatus(self.name, DeviceState.STARTING)
        self._detail: dict[str, DetailValue] = {}
        self._counters: dict[str, int] = {"reconnects": 0, "timeouts": 0,
                                          "protocol_errors": 0, "comm_errors": 0}
        self._listeners: list[StatusListener] = []
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None
        self._backoff = Backoff(BACKOFF_INITIAL_S, config.reconnect_max_s)
        self._decoder: IncrementalDecoder[Any] = self._new_decoder()
        self._replies: queue.Queue[Any] = queue.Queue()
        self._was_usable = False

    # ----------------------------------------------------------------- hooks

    @abc.abstractmethod
    def _new_decoder(self) -> IncrementalDecoder[Any]:
        """A fresh incremental decoder of this device's codec."""

    @abc.abstractmethod
    def _on_connect(self) -> None:
        """First exchange after the port opens: identify the device and read its status.

        Raises:
            DeviceError: it is not the expected device or does not answer.
        """

    def _poll(self) -> None:
        """Periodic status query (request/response style); default: nothing."""

    def _is_reply(self, message: Any) -> bool:
        """Unsolicited style: is ``message`` the reply to the request in flight?"""
        del message
        return True

    def _on_event(self, message: Any) -> None:
        """Unsolicited style: handle a message nobody asked for."""
        del message

    # ------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Start the supervisor thread: it connects, polls and reconnects until ``stop``."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._supervise, name=f"device-{self.name}",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop supervising and close the port."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None
        self._close_link()

    def wait_ready(self, timeout_s: float) -> bool:
        """Block until the device is connected (True) or ``timeout_s`` passes (False)."""
        return self._connected.wait(timeout_s)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def connect(self) -> None:
        """Open the port and run ``_on_connect``; raises ``DeviceError`` on failure."""
        with self._io_lock:
            self._close_link()
            try:
                self._link = serial.serial_for_url(
                    self.config.port, baudrate=self.config.baudrate, timeout=READ_SLICE_S,
                    write_timeout=self.config.timeout_s)
            except (serial.SerialException, OSError, ValueError) as exc:
                raise DeviceUnavailable(self.name, f"cannot open port: {exc}") from exc
            self._decoder = self._new_decoder()
            self._drop_replies()
            self._connected.set()
            try:
                self._on_connect()
            except BaseException:
                self._close_link()
                raise
        self._backoff.reset()

    # ------------------------------------------------------------ supervisor

    def _supervise(self) -> None:
        next_poll = 0.0
        while not self._stop.is_set():
            if self._link is None:
                if not self._try_connect():
                    self._stop.wait(self._backoff.next_delay())
                    continue
                next_poll = time.monotonic() + self.poll_interval_s
            try:
                if self.unsolicited:
                    self._read_available()
                now = time.monotonic()
                if now >= next_poll:
                    next_poll = now + self.poll_interval_s
                    self._poll()
                elif not self.unsolicited:
                    self._stop.wait(min(self.poll_interval_s, next_poll - now))
            except DeviceUnavailable:
                continue
            except DeviceError as exc:
                log.debug("%s: poll failed: %s", self.name, exc.code)
            except Exception:
                log.exception("%s: unexpected error in supervisor", self.name)
                self._stop.wait(self.poll_interval_s)

    def _try_connect(self) -> bool:
        try:
            self.connect()
        except DeviceError as exc:
            state = (DeviceState.NO_DEVICE if isinstance(exc, DeviceUnavailable)
                     else DeviceState.OFFLINE)
            self._set_state(state, {"reason": exc.code})
            return False
        self._count("reconnects")
        return True

    def _read_available(self) -> None:
        link = self._require_link()
        try:
            data = link.read(max(1, link.in_waiting))
        except (serial.SerialException, OSError) as exc:
            self._link_lost(exc)
            raise DeviceUnavailable(self.name, "port lost") from exc
        if not data:
            return
        self._decoder.feed(data)
        for message in drain(self._decoder, self._on_protocol_error):
            if self._is_reply(message):
                self._replies.put(message)
            else:
                self._on_event(message)

    # ------------------------------------------------------------ exchanges

    def _request(self, frame: bytes, *, timeout_s: float | None = None,
                 expect: Callable[[Any], bool] | None = None, retries: int = 0) -> Any:
        """Send ``frame`` and return the first decoded reply that ``expect`` accepts.

        Retries (for idempotent requests only) after a timeout or a corrupted reply.

        Raises:
            DeviceUnavailable: the port is closed or was lost.
            DeviceTimeout: no acceptable reply before the deadline (after the retries).
        """
        attempts = retries + 1
        for attempt in range(attempts):
            try:
                return self._request_once(frame, timeout_s or self.config.timeout_s, expect)
            except (DeviceTimeout, ProtocolError):
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _request_once(self, frame: bytes, timeout_s: float,
                      expect: Callable[[Any], bool] | None) -> Any:
        deadline = time.monotonic() + timeout_s
        with self._io_lock:
            if self.unsolicited:
                self._drop_replies()
                self._write(frame)
                return self._await_reply(deadline, expect)
            link = self._require_link()
            try:
                stale = link.read(link.in_waiting) if link.in_waiting else b""
            except (serial.SerialException, OSError) as exc:
                self._link_lost(exc)
                raise DeviceUnavailable(self.name, "port lost") from exc
            if stale:
                self._decoder = self._new_decoder()
            self._write(frame)
            return self._read_reply(deadline, expect)

    def _read_reply(self, deadline: float, expect: Callable[[Any], bool] | None) -> Any:
        link = self._require_link()
        while True:
            for message in drain(self._decoder, self._on_protocol_error):
                if expect is None or expect(message):
                    return message
            if time.monotonic() >= deadline:
                self._count("timeouts")
                raise DeviceTimeout(self.name, "no reply before the deadline")
            try:
                data = link.read(max(1, link.in_waiting))
            except (serial.SerialException, OSError) as exc:
                self._link_lost(exc)
                raise DeviceUnavailable(self.name, "port lost") from exc
            if data:
                self._decoder.feed(data)

    def _await_reply(self, deadline: float, expect: Callable[[Any], bool] | None) -> Any:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._count("timeouts")
                raise DeviceTimeout(self.name, "no reply before the deadline")
            if self._link is None:
                raise DeviceUnavailable(self.name, "port lost")
            try:
                message = self._replies.get(timeout=min(remaining, 0.1))
            except queue.Empty:
                continue
            if expect is None or expect(message):
                return message

    def _write(self, data: bytes) -> None:
        link = self._require_link()
        try:
            link.write(data)
            link.flush()
        except serial.SerialTimeoutException as exc:
            self._count("timeouts")
            raise DeviceTimeout(self.name, "write timed out") from exc
        except (serial.SerialException, OSError) as exc:
            self._link_lost(exc)
            raise DeviceUnavailable(self.name, "port lost") from exc

    def _require_link(self) -> serial.SerialBase:
        link = self._link
        if link is None:
            raise DeviceUnavailable(self.name, "not connected")
        return link

    def _drop_replies(self) -> None:
        while True:
            try:
                self._replies.get_nowait()
            except queue.Empty:
                return

    def _link_lost(self, exc: BaseException) -> None:
        log.debug("%s: port lost: %s", self.name, exc)
        self._count("comm_errors")
        self._close_link()
        self._set_state(DeviceState.NO_DEVICE, {"reason": "port_lost"})

    def _close_link(self) -> None:
        link, self._link = self._link, None
        self._connected.clear()
        if link is not None:
            try:
                link.close()
            except (serial.SerialException, OSError):
                pass

    def _on_protocol_error(self, exc: ProtocolError) -> None:
        del exc
        self._count("protocol_errors")

    # ---------------------------------------------------------------- status

    @property
    def status(self) -> DeviceStatus:
        """The current status; never does I/O."""
        return self._status

    def add_listener(self, listener: StatusListener) -> None:
        """Call ``listener(status)`` (from a device thread) on every status change."""
        self._listeners.append(listener)

    def _count(self, name: str, amount: int = 1) -> None:
        """Add to a counter; counters only grow."""
        if amount < 0:
            raise ValueError("counters only grow")
        with self._state_lock:
            self._counters[name] = self._counters.get(name, 0) + amount
        self._publish()

    def _set_counter_floor(self, name: str, value: int) -> None:
        """Raise a counter to a value the device reports (never lowers it)."""
        with self._state_lock:
            if value > self._counters.get(name, 0):
                self._counters[name] = value
        self._publish()

    def _set_state(self, state: DeviceState,
                   detail: Mapping[str, DetailValue] | None = None) -> None:
        """Enter ``state`` and merge ``detail`` into the per-class detail."""
        with self._state_lock:
            if detail is not None:
                self._detail.update(detail)
            if state in USABLE_STATES:
                self._detail.pop("reason", None)
        self._publish(state)

    def _publish(self, state: DeviceState | None = None) -> None:
        with self._state_lock:
            new = self._status.evolve(state=state or self._status.state,
                                      detail=dict(self._detail),
                                      counters=dict(self._counters))
            if new.same_as(self._status):
                return
            old, self._status = self._status, new
        usable = new.state in USABLE_STATES
        if usable != self._was_usable and old.state != new.state:
            if usable:
                log.info("%s: device available (%s)", self.name, new.state.value)
            elif self._was_usable or old.state == DeviceState.STARTING:
                log.warning("%s: device unavailable (%s)", self.name, new.state.value,
                            extra={"device": self.name, "state": new.state.value,
                                   "reason": self._detail.get("reason")})
            self._was_usable = usable
        for listener in list(self._listeners):
            try:
                listener(new)
            except Exception:
                log.exception("%s: status listener failed", self.name)
