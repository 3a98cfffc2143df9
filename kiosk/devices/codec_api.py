"""The shape every device codec's incremental decoder has (pure: standard library only).

A decoder is fed bytes as they arrive, split anywhere, and hands out whole messages::

    decoder.feed(chunk)
    for message in drain(decoder, on_error=count_error):
        handle(message)

``next_message()`` returns ``None`` when it needs more bytes. On a bad frame (checksum,
header, length, field) it consumes the offending bytes, so that the next call resynchronises,
and raises ``ProtocolError``. It never raises anything else and never waits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

from kiosk.errors import ProtocolError

MessageT_co = TypeVar("MessageT_co", covariant=True)
MessageT = TypeVar("MessageT")

#: A decoder holds at most this much undecoded input; beyond it the oldest bytes are dropped.
MAX_BUFFERED_BYTES = 1 << 20


class IncrementalDecoder(Protocol[MessageT_co]):
    """Bytes in, messages out; split frames and garbage tolerated."""

    def feed(self, data: bytes) -> None:
        """Append received bytes."""

    def next_message(self) -> MessageT_co | None:
        """The next whole message, or ``None`` if more bytes are needed.

        Raises:
            ProtocolError: a bad frame was found and skipped.
        """


def drain(decoder: IncrementalDecoder[MessageT],
          on_error: Callable[[ProtocolError], None] | None = None) -> Iterator[MessageT]:
    """Yield every whole message buffered in ``decoder``; report bad frames to ``on_error``."""
    while True:
        try:
            message = decoder.next_message()
        except ProtocolError as exc:
            if on_error is not None:
                on_error(exc)
            continue
        if message is None:
            return
        yield message
