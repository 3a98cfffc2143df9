"""The city issuance-backend simulator: mutual-TLS JSON API, test citizens and their records.

See :class:`sim.backend.simulator.BackendSim` and docs/protocols/backend-api.md.
"""

from __future__ import annotations

from sim.backend.simulator import BackendSim

__all__ = ["BackendSim"]
