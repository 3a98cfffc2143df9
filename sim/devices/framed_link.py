"""The device side of our framed serial protocol, shared by the binder, card reader and panel
emulators (docs/protocols/framing.md, what real firmware must do).

``FramedEmulator`` decodes the host's bytes with the production codec
(``kiosk.devices.framing``), NAKs corrupt frames, answers HELLO, STATUS and PING itself and
every other request through ``handle_request``. A retransmitted request (same SEQ, CMD and DATA)
gets the remembered response and is never executed twice. Events go out stop-and-wait: one
unacknowledged event at a time, retransmitted after 250 ms, dropped (and counted) after 3
retries; at most 16 wait in the queue. Events a request causes go out after its response.
``schedule`` runs the device's mechanical steps later (delays already scaled by ``timing``).
On attach (power-up or replug) the device sends BOOTED with SEQ 0.
"""

from __future__ import annotations

import abc
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar

from kiosk.devices.framing import (
    ACK,
    MAX_DATA,
    NAK,
    NAK_REASON_FOR_FAULT,
    Frame,
    FrameDecoder,
    NakReason,
    SequenceCounter,
    encode_nak,
    is_request,
)
from kiosk.devices.framing_messages import (
    FAULT_UNKNOWN_COMMAND,
    Booted,
    CommonCmd,
    DeviceKind,
    FixedMessage,
    Hello,
    HelloReply,
    Ping,
    ResetCause,
    ResultCode,
    StatusRequest,
    encode_message,
    encode_response,
)
from kiosk.devices.framing_messages import PROTOCOL_VERSION as SUPPORTED_VERSION
from kiosk.errors import ProtocolError
from sim.emulator import Emulator, Sender

EVENT_ACK_TIMEOUT_S = 0.25  # framing.md §8 T_EVENT_ACK
MAX_EVENT_RETRIES = 3  # framing.md §8 N_EVENT_RETRY
MAX_NAK_RESENDS = 3  # framing.md §6
EVENT_QUEUE_LIMIT = 16  # framing.md §8 N_EVENT_QUEUE
RESPONSE_DELAY_S = 0.002  # typical firmware turnaround (limit 100 ms), scaled by timing
FIRMWARE = "sim-1.0"

Action = Callable[[], None]


class FramedEmulator(Emulator):
    """An emulated device on our framed protocol; subclasses add the device's messages."""

    KIND: ClassVar[DeviceKind]
    SERIAL_PREFIX: ClassVar[str] = "SIM"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.serial_number = f"{self.SERIAL_PREFIX}{self.random.randrange(100_000):05d}"
        self.link: dict[str, int] = {"naks_sent": 0, "naks_received": 0, "duplicates": 0,
                                     "retransmits": 0, "events_dropped": 0, "requests": 0}
        self._decoder = FrameDecoder()
        self._event_seq = SequenceCounter()
        self._events: deque[FixedMessage] = deque()
        self._pending: tuple[int, bytes, FixedMessage] | None = None
        self._pending_tries = 0
        self._pending_naks = 0
        self._pending_generation = 0
        self._last_request: Frame | None = None
        self._last_response: bytes | None = None
        self._response_naks = 0
        self._in_request = False
        self._deferred: deque[Action] = deque()

    # ------------------------------------------------------------ subclass hooks

    @abc.abstractmethod
    def parse_request(self, frame: Frame) -> FixedMessage:
        """The device codec's request parser (raises ProtocolError)."""

    @abc.abstractmethod
    def status_block(self) -> bytes:
        """The device's status block (STATUS's result)."""

    def handle_request(self, request: FixedMessage) -> tuple[int, bytes]:
        """Execute a device-specific request; return (response code, result bytes)."""
        del request
        return ResultCode.UNKNOWN_COMMAND, b""

    # ------------------------------------------------------------ transport

    def attach(self, send: Sender | None) -> None:
        with self.lock:
            super().attach(send)
            self._decoder = FrameDecoder()
            self._events.clear()
            self._clear_pending()
            self._last_request = self._last_response = None
            self._event_seq.reset()
            if send is not None:
                self.send_event(Booted(ResetCause.POWER_ON))

    def receive(self, data: bytes) -> None:
        with self.lock:
            self._decoder.feed(data)
            while True:
                try:
                    frame = self._decoder.next_message()
                except ProtocolError as exc:
                    reason = NAK_REASON_FOR_FAULT.get(str(exc.fault))
                    if reason is not None:
                        self._nak(reason)
                    continue
                if frame is None:
                    return
                self._on_frame(frame)

    def _on_frame(self, frame: Frame) -> None:
        if frame.cmd == ACK:
            if self._pending is not None and self._pending[0] == frame.seq:
                self._clear_pending()
                self._pump_events()
        elif frame.cmd == NAK:
            self._on_nak()
        elif is_request(frame.cmd):
            self._on_request(frame)
        else:
            self._nak(NakReason.UNKNOWN_CMD)

    def _nak(self, reason: NakReason) -> None:
        self.link["naks_sent"] += 1
        self.reply(encode_nak(reason))

    def _on_nak(self) -> None:
        self.link["naks_received"] += 1
        if self._pending is not None:
            if self._pending_naks < MAX_NAK_RESENDS:
                self._pending_naks += 1
                self.link["retransmits"] += 1
                self.reply(self._pending[1])
        elif self._last_response is not None and self._response_naks < MAX_NAK_RESENDS:
            self._response_naks += 1
            self.link["retransmits"] += 1
            self.reply(self._last_response)

    # ------------------------------------------------------------ requests

    def _on_request(self, frame: Frame) -> None:
        if frame.seq == 0:
            self._last_request = None
        elif frame == self._last_request and self._last_response is not None:
            self.link["duplicates"] += 1
            self.reply(self._last_response, RESPONSE_DELAY_S)
            return
        self.link["requests"] += 1
        self._in_request = True
        try:
            code, body = self._execute(frame)
            response = encode_response(frame.seq, frame.cmd, code, body)
            self._last_request, self._last_response = frame, response
            self._response_naks = 0
            self.reply(response, RESPONSE_DELAY_S)
            while self._deferred:
                self._deferred.popleft()()
        finally:
            self._in_request = False
        self._pump_events()

    def _execute(self, frame: Frame) -> tuple[int, bytes]:
        try:
            request = self.parse_request(frame)
        except ProtocolError as exc:
            if exc.fault == FAULT_UNKNOWN_COMMAND:
                return ResultCode.UNKNOWN_COMMAND, b""
            return ResultCode.BAD_PARAMETER, b""
        if isinstance(request, Hello):
            self._on_hello()
            hello = HelloReply(SUPPORTED_VERSION, self.KIND, FIRMWARE, self.serial_number)
            return ResultCode.OK, hello.payload()
        if isinstance(request, StatusRequest):
            return ResultCode.OK, self.status_block()
        if isinstance(request, Ping):
            if len(request.data) > MAX_DATA - 1:
                return ResultCode.BAD_PARAMETER, b""
            return ResultCode.OK, request.data
        return self.handle_request(request)

    def _on_hello(self) -> None:
        """framing.md §9.1: restart the event sequence; HELLO makes BOOTED unnecessary, and
        the STATUS the host reads next supersedes any STATUS_CHANGED not yet acknowledged
        (delivered later, such a snapshot would show the host a state that no longer is)."""
        self._event_seq.reset()
        if self._pending is not None and _superseded_by_hello(self._pending[2]):
            self._clear_pending()
        self._events = deque(event for event in self._events
                             if not _superseded_by_hello(event))

    # ------------------------------------------------------------ events

    def send_event(self, message: FixedMessage) -> None:
        """Queue an event; it goes out after any response in progress, in order."""
        if len(self._events) >= EVENT_QUEUE_LIMIT:
            self._events.popleft()
            self.link["events_dropped"] += 1
        self._events.append(message)
        if not self._in_request:
            self._pump_events()

    def _pump_events(self) -> None:
        if self._pending is not None or not self._events:
            return
        message = self._events.popleft()
        seq = 0 if isinstance(message, Booted) else self._event_seq.next()
        self._pending = (seq, encode_message(seq, message), message)
        self._pending_tries = self._pending_naks = 0
        self._transmit_pending()

    def _transmit_pending(self) -> None:
        assert self._pending is not None
        self.reply(self._pending[1])
        self._pending_generation += 1
        timer = threading.Timer(EVENT_ACK_TIMEOUT_S, self._on_ack_timeout,
                                args=(self._pending_generation,))
        timer.daemon = True
        timer.start()

    def _on_ack_timeout(self, generation: int) -> None:
        with self.lock:
            if self._pending is None or generation != self._pending_generation:
                return
            if self._pending_tries >= MAX_EVENT_RETRIES:
                self.link["events_dropped"] += 1
                self._clear_pending()
                self._pump_events()
                return
            self._pending_tries += 1
            self.link["retransmits"] += 1
            self._transmit_pending()

    def _clear_pending(self) -> None:
        self._pending = None
        self._pending_generation += 1  # outstanding timers become no-ops

    # ------------------------------------------------------------ timing

    def schedule(self, delay_s: float, action: Action) -> None:
        """Run ``action`` under the lock after ``delay_s`` (already scaled by ``timing``).

        With no delay it runs after the response in progress, or at once outside a request.
        """
        if delay_s <= 0:
            if self._in_request:
                self._deferred.append(action)
            else:
                action()
            return
        timer = threading.Timer(delay_s, self._run_scheduled, args=(action,))
        timer.daemon = True
        timer.start()

    def _run_scheduled(self, action: Action) -> None:
        with self.lock:
            action()

    def scaled(self, seconds: float) -> float:
        """A mechanical delay scaled by ``timing`` (0 in tests)."""
        return seconds * self.timing

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {**super().state(), "serial_number": self.serial_number,
                    "link": dict(self.link)}


def _superseded_by_hello(event: FixedMessage) -> bool:
    return isinstance(event, Booted) or getattr(event, "CMD", None) == CommonCmd.STATUS_CHANGED
