"""Whether the kiosk can take citizens: in service, degraded or out of service, and why.

The kiosk cannot work at all without the A4 printer or the city backend: then it is out of
service ('점검 중', kiosk-domain.md §1.6), and also when no document at all can be issued (for
instance the card reader and the fingerprint sensor both down while every document needs one
of them). Any other device down makes it degraded: some documents become unavailable, each with
its reason (the catalogue decides which). A visit in progress is never ended by such a change.

Reasons are message keys: the core's own (``printer.paper_out``), ``device.<name>`` for a
device that is down without one, and ``backend.unreachable``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.config import DEVICE_NAMES
from kiosk.issuance.catalogue import BACKEND
from kiosk.view import ServiceState

#: Devices without which the kiosk issues nothing (with the backend).
ESSENTIAL_DEVICES = frozenset({"printer"})
BACKEND_REASON = "backend.unreachable"


@dataclass(frozen=True)
class KioskCondition:
    """The devices, backend and service key as the core last reported them.

    Until the core reports devices, none is usable: the kiosk starts out of service.
    """

    usable: frozenset[str] = field(default_factory=frozenset)
    device_reasons: tuple[str, ...] = ()
    backend_reachable: bool = True
    service_mode: bool = False

    @property
    def usable_for_catalogue(self) -> frozenset[str]:
        """Usable devices plus the backend pseudo-device, as ``Catalogue`` expects them."""
        return (self.usable | {BACKEND}) if self.backend_reachable else self.usable

    @property
    def essentials_up(self) -> bool:
        return self.backend_reachable and self.usable >= ESSENTIAL_DEVICES

    def state(self, any_document_available: bool) -> ServiceState:
        if self.service_mode:
            return ServiceState.SERVICE_MODE
        if not self.essentials_up or not any_document_available:
            return ServiceState.OUT_OF_SERVICE
        if any(name not in self.usable for name in DEVICE_NAMES):
            return ServiceState.DEGRADED
        return ServiceState.IN_SERVICE

    def reasons(self) -> tuple[str, ...]:
        reasons = list(self.device_reasons)
        for name in DEVICE_NAMES:
            explained = any(reason.startswith(f"{name}.") for reason in self.device_reasons)
            if name not in self.usable and not explained:
                reasons.append(f"device.{name}")
        if not self.backend_reachable:
            reasons.append(BACKEND_REASON)
        return tuple(reasons)
