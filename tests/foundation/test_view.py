"""The UI/core channels: masked RRN, snapshot wake-ups, bounded intent queue."""

from __future__ import annotations

import threading

import pytest

from kiosk.view import (
    Cancel,
    IntentQueue,
    RrnDigit,
    Screen,
    Snapshot,
    SnapshotChannel,
    mask_rrn,
)


@pytest.mark.parametrize(("digits", "shown"), [
    ("", ""), ("9", "9"), ("900101", "900101"), ("9001011", "900101-*"),
    ("9001011234567", "900101-*******")])
def test_mask_rrn(digits: str, shown: str) -> None:
    assert mask_rrn(digits) == shown


def test_channel_wakes_the_ui_and_keeps_the_latest() -> None:
    woken = threading.Event()
    channel = SnapshotChannel(Snapshot(seq=0, screen=Screen.ATTRACT))
    channel.set_wake(woken.set)
    thread = threading.Thread(target=channel.publish,
                              args=(Snapshot(seq=1, screen=Screen.LANGUAGE),))
    thread.start()
    thread.join()
    assert woken.is_set()
    assert channel.latest().screen is Screen.LANGUAGE


def test_intent_queue_is_bounded_and_ordered() -> None:
    intents = IntentQueue(maxsize=2)
    assert intents.put(RrnDigit("1")) and intents.put(RrnDigit("2"))
    assert not intents.put(Cancel())
    assert intents.drain() == [RrnDigit("1"), RrnDigit("2")]
    assert intents.get(timeout_s=0.01) is None
