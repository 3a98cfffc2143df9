"""Fixtures of the end-to-end tests: the city-backend simulator and simulated kiosks, in
process, started once per test module (see ``tests.e2e.harness``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sim.backend.simulator import BackendSim
from tests.e2e.harness import SimKiosk


@pytest.fixture(scope="module")
def backend() -> Iterator[BackendSim]:
    """The city backend, serving every kiosk of examples/pki over mutual TLS."""
    with BackendSim() as simulator:
        yield simulator


@pytest.fixture(scope="module")
def kiosk(backend: BackendSim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimKiosk]:
    """One kiosk's device simulator (timing 0) and its config, for the whole module."""
    simulated = SimKiosk.start(tmp_path_factory.mktemp("kiosk") / "sim", backend.url)
    yield simulated
    simulated.stop()
