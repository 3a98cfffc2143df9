"""A card reader emulator on a real pty with the production driver on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.devices.card_reader.driver import CardReader
from sim.devices.card_reader import CardReaderEmulator
from tests.devices.framing.harness import Rig, running

ReaderRig = Rig[CardReaderEmulator, CardReader]
DEADLINE_S = 2.0  # the driver's timeout_s: the reader waits 1 s for a card (75 %)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[ReaderRig]:
    with running(CardReaderEmulator(seed=3), CardReader, tmp_path,
                 timeout_s=DEADLINE_S) as rig:
        yield rig
