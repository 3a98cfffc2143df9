"""Properties of the frame codec: round trip, frames split anywhere, resynchronisation after
garbage, and a fuzz run in which arbitrary bytes raise nothing but ProtocolError and end."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.devices.framing import (
    ETX,
    MAX_DATA,
    STX,
    Frame,
    FrameDecoder,
    encode_frame,
)
from kiosk.errors import ProtocolError

frames = st.builds(Frame, seq=st.integers(0, 255), cmd=st.integers(0, 255),
                   data=st.binary(max_size=MAX_DATA))
noise = st.binary(max_size=40).map(lambda raw: raw.replace(bytes((STX,)), b""))


def feed_in_chunks(decoder: FrameDecoder, data: bytes, cuts: list[int]) -> list[object]:
    """Feed ``data`` cut at ``cuts``; collect frames and errors in order, bounded."""
    out: list[object] = []
    points = sorted({cut % (len(data) + 1) for cut in cuts} | {0, len(data)})
    for start, end in itertools.pairwise(points):
        decoder.feed(data[start:end])
        for _ in range(len(data) + 2):  # every call consumes bytes or returns None
            try:
                frame = decoder.next_message()
            except ProtocolError as exc:
                out.append(exc)
                continue
            if frame is None:
                break
            out.append(frame)
        else:
            raise AssertionError("decoder did not settle")
    return out


@settings(max_examples=300, deadline=None)
@given(frames)
def test_round_trip(frame: Frame) -> None:
    decoder = FrameDecoder()
    decoder.feed(encode_frame(frame.seq, frame.cmd, frame.data))
    assert decoder.next_message() == frame
    assert decoder.next_message() is None


@settings(max_examples=300, deadline=None)
@given(st.lists(frames, min_size=1, max_size=5), st.lists(st.integers(0, 5000), max_size=12))
def test_frames_split_anywhere_decode_in_order(sent: list[Frame], cuts: list[int]) -> None:
    wire = b"".join(encode_frame(f.seq, f.cmd, f.data) for f in sent)
    assert feed_in_chunks(FrameDecoder(), wire, cuts) == sent


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(noise, frames), min_size=1, max_size=5),
       st.lists(st.integers(0, 5000), max_size=8))
def test_noise_between_frames_is_skipped(pieces: list[tuple[bytes, Frame]],
                                         cuts: list[int]) -> None:
    wire = b"".join(junk + encode_frame(f.seq, f.cmd, f.data) for junk, f in pieces)
    out = feed_in_chunks(FrameDecoder(), wire, cuts)
    assert [item for item in out if isinstance(item, Frame)] == [f for _, f in pieces]
    assert all(isinstance(item, (Frame, ProtocolError)) for item in out)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.binary(max_size=40), frames), min_size=1, max_size=4),
       st.lists(st.integers(0, 5000), max_size=8))
def test_any_garbage_before_a_frame_never_hides_it(pieces: list[tuple[bytes, Frame]],
                                                  cuts: list[int]) -> None:
    """Garbage may even hold STX, ETX or DLE: a real STX always restarts decoding."""
    wire = b"".join(junk + encode_frame(f.seq, f.cmd, f.data) for junk, f in pieces)
    decoded = iter(item for item in feed_in_chunks(FrameDecoder(), wire, cuts)
                   if isinstance(item, Frame))
    for _, frame in pieces:  # the real frames appear in order among the decoded ones
        assert frame in decoded


@settings(max_examples=1500, deadline=None)
@given(st.binary(max_size=600), st.lists(st.integers(0, 5000), max_size=10))
def test_fuzz_only_protocol_errors_and_always_settles(data: bytes, cuts: list[int]) -> None:
    for item in feed_in_chunks(FrameDecoder(), data, cuts):
        assert isinstance(item, (Frame, ProtocolError))


@settings(max_examples=300, deadline=None)
@given(frames, st.integers(0, 1000), st.integers(0, 255))
def test_any_single_corrupted_byte_is_detected_or_harmless(frame: Frame, where: int,
                                                           xor: int) -> None:
    wire = bytearray(encode_frame(frame.seq, frame.cmd, frame.data))
    position = where % len(wire)
    original = wire[position]
    wire[position] ^= xor or 1
    out = feed_in_chunks(FrameDecoder(), bytes(wire), [])
    # CRC-16 detects every error burst up to 16 bits; a damaged delimiter loses the frame.
    assert [item for item in out if isinstance(item, Frame)] == []
    delimiter = STX in (original, wire[position]) or ETX in (original, wire[position])
    assert delimiter or any(isinstance(item, ProtocolError) for item in out)
