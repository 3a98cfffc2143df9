"""Settings and limits of the citizen session: what comes from the kiosk config, and the fixed
numbers (each with where it comes from).

``SessionSettings.from_config`` takes ``ui.*`` timeouts and languages, ``kiosk.site`` and the
``[fees]`` overrides from ``kiosk.config.KioskConfig``. Timeouts follow
``shared/reference/kiosk-domain.md`` §2.5 and §6.9: warn at least 20 s before ending a visit,
let the citizen extend as often as needed, and do not time out while a device with its own
deadline is working (fingerprint verification, payment, printing): those waits have a guard
instead, which ends the visit only if the core never answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from kiosk.config import LANGUAGES, KioskConfig
from kiosk.errors import ConfigError

#: 'Need more time?' shows at least this long before a visit ends (§2.5: >= 20 s to extend).
MIN_IDLE_WARNING_S = 20.0
#: Failed fingerprint matches before the visit ends politely (issue 4; Japan locks after 3, §1.3).
IDENTITY_ATTEMPTS = 3
#: Unreadable captures (wet, dry, smudged) tolerated in one visit: our bound, so a sensor
#: that never reads a finger cannot hold the kiosk; the idle timeout covers an absent finger.
CAPTURE_FAILURES_MAX = 10
#: Payment attempts (cards) in one visit before it ends; our bound.
PAYMENT_ATTEMPTS = 3
#: Volume steps (0 = silent); the default is restored after every visit (§6.9).
VOLUME_MAX = 10
VOLUME_DEFAULT = 5
#: Reminder to take the document, card and receipt (§6.9: spoken status every 15-20 s).
REMINDER_INTERVAL_S = 15.0
#: The thanks and failure screens go back to attract on their own after this long.
THANKS_TIMEOUT_S = 15.0
FAILURE_TIMEOUT_S = 30.0
#: Guards on waits for the core (our margins over the device and backend deadlines of
#: examples/kiosk.toml: backend 10 s, card reader 35 s, printer 10 s a page).
VERIFY_GUARD_S = 90.0
PAYMENT_GUARD_S = 180.0
ISSUING_STEP_GUARD_S = 300.0
RETRACT_GUARD_S = 60.0
ABORT_GUARD_S = 120.0


@dataclass(frozen=True)
class SessionSettings:
    """What the session takes from the kiosk config."""

    site: str = "default"
    languages: tuple[str, ...] = LANGUAGES
    default_language: str = "ko"
    idle_timeout_s: float = 60.0
    idle_warning_s: float = 20.0
    collect_timeout_s: float = 60.0
    fee_overrides: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        problems = []
        if not self.languages or any(lang not in LANGUAGES for lang in self.languages):
            problems.append(f"ui.languages: must be a non-empty subset of {LANGUAGES}")
        if self.default_language not in self.languages:
            problems.append("ui.default_language: must be one of ui.languages")
        if self.idle_warning_s < MIN_IDLE_WARNING_S:
            problems.append(f"ui.idle_warning_s: must be >= {MIN_IDLE_WARNING_S:g}")
        if self.idle_warning_s >= self.idle_timeout_s:
            problems.append("ui.idle_warning_s: must be shorter than ui.idle_timeout_s")
        if self.collect_timeout_s <= 0:
            problems.append("ui.collect_timeout_s: must be > 0")
        if problems:
            raise ConfigError(problems)
        object.__setattr__(self, "fee_overrides", MappingProxyType(dict(self.fee_overrides)))

    @classmethod
    def from_config(cls, config: KioskConfig) -> SessionSettings:
        ui = config.ui
        return cls(site=config.kiosk.site, languages=tuple(ui.languages),
                   default_language=ui.default_language, idle_timeout_s=ui.idle_timeout_s,
                   idle_warning_s=ui.idle_warning_s, collect_timeout_s=ui.collect_timeout_s,
                   fee_overrides=config.fees)
