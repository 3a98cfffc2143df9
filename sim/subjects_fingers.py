"""Deterministic fingerprint templates of the simulator's test subjects.

The fingerprint emulator hands out ``template_for(subject, finger)`` when that subject's finger
is placed on the sensor, and the issuance-backend simulator enrols the same bytes, so a
simulated citizen is recognised end to end without any real biometric data. Pure: standard
library only, no state.

A template is ``TEMPLATE_SIZE`` bytes (a ZFM / R30x character file, reference/devices.md
section 1.6) derived with SHAKE-256 from a domain tag, the subject's name and the finger index;
different subjects or fingers give unrelated bytes.
"""

from __future__ import annotations

import hashlib

TEMPLATE_SIZE = 512  # reference/devices.md 1.6: a template is 512 bytes
FINGERS = range(10)  # 0 = right thumb ... 9 = left little finger (ISO/IEC 19794-2 order 1..10)
DOMAIN = b"kiosk-sim/fingerprint-template/v1"
#: Fictional test subjects the simulators know by name (romanised Korean names).
TEST_SUBJECTS = ("hong-gildong", "kim-minji", "lee-seojun", "park-jiwoo", "choi-yuna")


def template_for(subject: str, finger: int = 0) -> bytes:
    """The template the sensor produces for ``subject``'s ``finger`` (0..9).

    Raises:
        ValueError: empty subject or a finger outside 0..9.
    """
    if not isinstance(subject, str) or not subject.strip():
        raise ValueError("subject must be a non-empty name")
    if isinstance(finger, bool) or finger not in FINGERS:
        raise ValueError(f"finger must be 0..9, got {finger!r}")
    material = DOMAIN + b"\0" + subject.encode("utf-8") + b"\0" + bytes([finger])
    return hashlib.shake_256(material).digest(TEMPLATE_SIZE)
