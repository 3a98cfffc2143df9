"""The binder emulator's wear model: cycle time, jam rate and motor current against wear.

``wear`` is the stapler unit's cycles over its rated life (1.0 = rated life reached). Figures
are the typical ones of docs/protocols/binder.md §4: electric staplers cycle in under a second
(devices.md §6), a worn unit slows down and jams more often (the "cycle time rising with wear"
and "life counter crossing almost-over then over" faults to emulate). Motor current has no
public source (devices.md §10) and is a plausible trend only.
"""

from __future__ import annotations

import random

RATED_CYCLES = 100_000  # binds; Ricoh PM tables: 100-200 k staples per stapler unit
RETRACT_BIN_CAPACITY = 50  # documents
STAPLES_LOW_AT = 20  # devices.md §6: low at about 20 staples left
BASE_CYCLE_MS = 800  # a new unit, binder.md §4
PER_SHEET_MS = 10
WEAR_SLOWDOWN = 0.6  # cycle time x (1 + 0.6 w^2): +60 % at rated life
CYCLE_JITTER = 0.03  # +-3 % cycle-to-cycle
BASE_JAM_RATE = 1 / 5000  # per cycle on a new unit
END_OF_LIFE_JAM_RATE = 1 / 20  # per cycle at rated life
JAM_KNEE = 0.8  # jams start rising above 80 % of rated life
MAX_WEAR_FACTOR = 2.0  # beyond rated life the rise goes on, up to twice the end-of-life rise
BASE_MOTOR_MA = 850
PER_SHEET_MA = 10
WEAR_MOTOR_MA = 300  # extra peak current at rated life (friction)


def cycle_ms(sheets: int, wear: float, rng: random.Random) -> int:
    """Duration of one bind cycle of ``sheets`` sheets at ``wear``."""
    nominal = (BASE_CYCLE_MS + PER_SHEET_MS * sheets) * (1 + WEAR_SLOWDOWN * wear ** 2)
    return int(nominal * rng.uniform(1 - CYCLE_JITTER, 1 + CYCLE_JITTER))


def jam_probability(wear: float) -> float:
    """Chance that one cycle ends in a staple jam at ``wear``."""
    if wear <= JAM_KNEE:
        return BASE_JAM_RATE
    rise = min((wear - JAM_KNEE) / (1 - JAM_KNEE), MAX_WEAR_FACTOR)
    return BASE_JAM_RATE + (END_OF_LIFE_JAM_RATE - BASE_JAM_RATE) * rise


def motor_peak_ma(sheets: int, wear: float, rng: random.Random) -> int:
    """Peak motor current of one cycle."""
    nominal = BASE_MOTOR_MA + PER_SHEET_MA * sheets + WEAR_MOTOR_MA * min(wear, MAX_WEAR_FACTOR)
    return int(nominal * rng.uniform(1 - CYCLE_JITTER, 1 + CYCLE_JITTER))
