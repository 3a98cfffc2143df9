"""The device's side of framing.md (§4-§8), as the emulators implement it for firmware writers:
BOOTED, duplicate suppression, NAK, stop-and-wait events with retransmission and dropping.

The emulators are attached to a list instead of a pty, so every byte they send is checked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from kiosk.devices.binder.codec import Bind, BinderCmd
from kiosk.devices.framing import (
    ACK,
    NAK,
    Frame,
    FrameDecoder,
    NakReason,
    encode_ack,
    encode_frame,
    encode_nak,
)
from kiosk.devices.framing_messages import CommonCmd, Hello, ResultCode, encode_message
from kiosk.devices.panel.codec import PanelEventCmd
from sim.devices.binder import BinderEmulator
from sim.devices.framed_link import EVENT_ACK_TIMEOUT_S, EVENT_QUEUE_LIMIT, FramedEmulator
from sim.devices.panel import PanelEmulator


class Wire:
    """Collects what an emulator sends and decodes it."""

    def __init__(self, emulator: FramedEmulator) -> None:
        self.emulator = emulator
        self._lock = threading.Lock()
        self._decoder = FrameDecoder()
        self.frames: list[Frame] = []
        self.raw: list[bytes] = []
        emulator.attach(self._receive)

    def _receive(self, data: bytes, delay_s: float) -> None:
        del delay_s
        with self._lock:
            self.raw.append(data)
            self._decoder.feed(data)
            while (frame := self._decoder.next_message()) is not None:
                self.frames.append(frame)

    def send(self, data: bytes) -> None:
        self.emulator.receive(data)

    def take(self) -> list[Frame]:
        with self._lock:
            frames, self.frames = self.frames, []
            return frames


def wait_for(predicate: Callable[[], bool], timeout_s: float = 3.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@pytest.fixture
def panel_wire() -> Wire:
    wire = Wire(PanelEmulator())
    wire.send(encode_message(0, Hello()))
    wire.take()
    return wire


def test_booted_on_power_up_is_retransmitted_then_dropped_by_hello() -> None:
    wire = Wire(PanelEmulator())
    assert wire.take() == [Frame(0, CommonCmd.BOOTED, b"\x01")]
    wait_for(lambda: len(wire.frames) >= 1)  # not acknowledged: sent again after 250 ms
    assert wire.take() == [Frame(0, CommonCmd.BOOTED, b"\x01")]
    wire.send(encode_message(0, Hello()))
    hello = wire.take()
    assert [frame.cmd for frame in hello] == [0xA0]
    time.sleep(3 * EVENT_ACK_TIMEOUT_S)
    assert wire.take() == []  # HELLO made BOOTED unnecessary
    assert wire.emulator.link["events_dropped"] == 0


def test_a_retransmitted_request_is_answered_again_but_runs_once() -> None:
    wire = Wire(BinderEmulator())
    wire.send(encode_message(0, Hello()))
    wire.take()
    request = encode_message(7, Bind(3, 42))
    wire.send(request)
    first = wire.take()
    assert [frame.cmd for frame in first] == [0xB0, 0xE8]  # response, then BIND_DONE
    wire.send(encode_ack(first[1].seq))
    wire.send(request)  # the host did not get the response and resends it
    again = wire.take()
    assert again == [first[0]]
    emulator = wire.emulator
    assert isinstance(emulator, BinderEmulator)
    assert emulator.counters["cycles"] == 1
    assert emulator.staples_left == 5000 - 2
    assert emulator.link["duplicates"] == 1
    wire.send(encode_message(8, Bind(3, 42)))  # a new SEQ is a new request
    assert [frame.cmd for frame in wire.take()] == [0xB0, 0xE8]
    assert emulator.counters["cycles"] == 2


def test_a_corrupt_request_is_naked_and_not_executed(panel_wire: Wire) -> None:
    frame = bytearray(encode_frame(1, CommonCmd.PING, b"hello"))
    frame[5] ^= 0x40
    panel_wire.send(bytes(frame))
    assert panel_wire.take() == [Frame(0, NAK, bytes((NakReason.CRC,)))]
    panel_wire.send(bytes.fromhex("02 05 01 23 41") + encode_frame(2, CommonCmd.PING, b"ok"))
    assert panel_wire.take() == [Frame(0, NAK, bytes((NakReason.FRAMING,))),
                                 Frame(2, 0xA3, b"\x00ok")]
    assert panel_wire.emulator.link["requests"] == 2  # HELLO and the intact PING


def test_a_nak_from_the_host_resends_the_last_response(panel_wire: Wire) -> None:
    panel_wire.send(encode_frame(1, CommonCmd.PING, b"x"))
    response = panel_wire.take()
    panel_wire.send(encode_nak(NakReason.CRC))
    assert panel_wire.take() == response


def test_events_are_stop_and_wait_and_acked_by_seq(panel_wire: Wire) -> None:
    emulator = panel_wire.emulator
    emulator.act("key", {"key": "1"})
    emulator.act("key", {"key": "2"})
    first = panel_wire.take()
    assert first == [Frame(1, PanelEventCmd.KEY, b"1")]  # the second waits for the ACK
    panel_wire.send(encode_ack(99))  # an ACK for another SEQ changes nothing
    assert panel_wire.take() == []
    panel_wire.send(encode_ack(1))
    assert panel_wire.take() == [Frame(2, PanelEventCmd.KEY, b"2")]
    panel_wire.send(encode_nak(NakReason.CRC))  # the host lost it: sent again at once
    assert panel_wire.take() == [Frame(2, PanelEventCmd.KEY, b"2")]
    panel_wire.send(encode_ack(2))
    time.sleep(2 * EVENT_ACK_TIMEOUT_S)
    assert panel_wire.take() == []


def test_an_unacknowledged_event_is_retried_three_times_then_dropped(panel_wire: Wire) -> None:
    emulator = panel_wire.emulator
    emulator.act("key", {"key": "enter"})
    emulator.act("key", {"key": "cancel"})
    wait_for(lambda: emulator.link["events_dropped"] == 1, timeout_s=3)
    sent = panel_wire.take()
    assert sent[:4] == [Frame(1, PanelEventCmd.KEY, b"\x0d")] * 4
    assert sent[4:] == [Frame(2, PanelEventCmd.KEY, b"\x18")]
    assert emulator.link["retransmits"] == 3
    status = encode_frame(1, CommonCmd.STATUS)
    panel_wire.send(status)
    reply = panel_wire.take()[-1]
    assert reply.data[-4:] == (1).to_bytes(4, "big")  # events_dropped in the status block


def test_the_event_queue_keeps_the_newest_sixteen(panel_wire: Wire) -> None:
    emulator = panel_wire.emulator
    for _ in range(EVENT_QUEUE_LIMIT + 3):
        emulator.act("key", {"key": "9"})
    assert emulator.link["events_dropped"] == 2  # one is on the line, 16 queue, 2 dropped


def test_unknown_and_malformed_requests(panel_wire: Wire) -> None:
    panel_wire.send(encode_frame(1, BinderCmd.BIND, b"\x03\x00\x00\x00\x2a"))
    assert panel_wire.take() == [Frame(1, 0xB0, bytes((ResultCode.UNKNOWN_COMMAND,)))]
    panel_wire.send(encode_frame(2, CommonCmd.HELLO, b""))
    assert panel_wire.take() == [Frame(2, 0xA0, bytes((ResultCode.BAD_PARAMETER,)))]
    panel_wire.send(encode_frame(3, 0x99, b""))  # a response code from the host
    assert panel_wire.take() == [Frame(0, NAK, bytes((NakReason.UNKNOWN_CMD,)))]
    panel_wire.send(encode_frame(4, ACK, b""))  # a stray ACK is ignored
    assert panel_wire.take() == []
