"""A panel emulator on a real pty with the production driver on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.devices.panel.driver import Panel
from sim.devices.panel import PanelEmulator
from tests.devices.framing.harness import Rig, running

PanelRig = Rig[PanelEmulator, Panel]


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[PanelRig]:
    with running(PanelEmulator(seed=5), Panel, tmp_path) as rig:
        yield rig
