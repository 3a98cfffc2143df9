"""Fixtures of the whole-session UI tests: SDL's dummy video and audio drivers (set before
pygame is imported anywhere), the city-backend simulator, a fresh device simulator per test,
and a kiosk (``KioskApp`` + ``KioskUI``) built from the config the simulator writes."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.app import KioskApp
from kiosk.config import KioskConfig, load_config
from kiosk.screens.runtime import KioskUI
from kiosk.view import Screen
from sim.backend.simulator import BackendSim
from sim.host import SimHost
from tests.ui_e2e.driver import KioskAtHand

#: How long the kiosk may take from start to the attract screen (devices on fresh ptys).
IN_SERVICE_S = 15.0


@pytest.fixture(scope="session")
def backend() -> Iterator[BackendSim]:
    """The city backend over mutual TLS, serving the test PKI's kiosks."""
    with BackendSim(port=0) as simulator:
        yield simulator


@pytest.fixture
def host(tmp_path: Path, backend: BackendSim) -> Iterator[SimHost]:
    """This test's device emulators on ptys (timing 0: devices answer at once). The binder's
    simulated citizen does not reach for the document by themselves (``not_taken``): the
    test takes it, as the person at the machine."""
    with SimHost(tmp_path / "sim", timing=0, backend_url=backend.url) as simulator:
        simulator.fault("binder", "not_taken")
        yield simulator


def kiosk_config(host: SimHost, **ui: Any) -> KioskConfig:
    """The simulator's kiosk config, without telemetry, with these ``ui`` settings."""
    config = load_config(host.run_dir / "kiosk.toml")
    return dataclasses.replace(
        config, telemetry=dataclasses.replace(config.telemetry, enabled=False),
        ui=dataclasses.replace(config.ui, **ui))


@pytest.fixture
def open_kiosk(host: SimHost, tmp_path: Path) -> Iterator[Callable[..., KioskAtHand]]:
    """``open_kiosk(sinks=None, **ui)``: start the real kiosk and its UI on the attract
    screen; both are stopped after the test."""
    opened: list[KioskAtHand] = []

    def start(*, sinks: Any = None, **ui: Any) -> KioskAtHand:
        config = kiosk_config(host, **ui)
        app = KioskApp(config, telemetry=False)
        app.start()
        kiosk_ui = KioskUI(config.ui, app.channel, app.intents, windowed=False, sinks=sinks)
        shots = tmp_path / "screens"
        shots.mkdir(exist_ok=True)
        kiosk = KioskAtHand(app, kiosk_ui, host, shots)
        opened.append(kiosk)
        kiosk_ui.open()
        kiosk.wait_screen(Screen.ATTRACT, IN_SERVICE_S)
        kiosk.restart_record()
        return kiosk

    yield start
    for kiosk in opened:
        kiosk.ui.close()
        kiosk.app.stop()
