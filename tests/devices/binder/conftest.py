"""A binder emulator on a real pty with the production driver on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.devices.binder.driver import Binder
from sim.devices.binder import BinderEmulator
from tests.devices.framing.harness import Rig, running

BinderRig = Rig[BinderEmulator, Binder]


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[BinderRig]:
    with running(BinderEmulator(seed=7), Binder, tmp_path) as rig:
        yield rig
