"""The UI's own state: accessibility switches, focus, paging and volume, reset per citizen.

The core owns the session; the UI owns how it is presented. Everything here is reset when a
session ends (reference/kiosk-domain.md §6.9 'End of session': reset magnification, contrast,
rate and volume; EN 301 549 5.1.3.13: volume reset after every use).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Volume steps 0..10; 3 dB per step gives a 30 dB range (EN 301 549 8.2.1 asks >= 18 dB).
VOLUME_MIN = 0
VOLUME_MAX = 10
#: The level every citizen starts at; matches ``view.Snapshot.volume``'s default. The
#: installer calibrates the amplifier so that this level is at most 65 dBA (EN 5.1.3.13).
DEFAULT_VOLUME = 5


@dataclass
class UiState:
    """Mutable, UI-thread only."""

    speech_on: bool = False
    high_contrast: bool = False
    large_text: bool = False
    magnified: bool = False
    low_reach: bool = False
    volume: int = DEFAULT_VOLUME
    keypad_mode: bool = False
    focus_id: str | None = None
    focus_by_keys: bool = False
    pressed_id: str | None = None
    pan: tuple[int, int] = (0, 0)
    page: int = 0
    caption: str | None = None
    caption_until: float = 0.0
    countdown_origin: tuple[float, float] | None = field(default=None)
    editing: str | None = None
    edit_text: str = ""
    edit_open: bool = False

    def reset(self) -> None:
        """Forget the last citizen: every switch back to its default."""
        self.speech_on = False
        self.high_contrast = False
        self.large_text = False
        self.magnified = False
        self.low_reach = False
        self.volume = DEFAULT_VOLUME
        self.keypad_mode = False
        self.focus_id = None
        self.focus_by_keys = False
        self.pressed_id = None
        self.pan = (0, 0)
        self.page = 0
        self.caption = None
        self.caption_until = 0.0
        self.countdown_origin = None
        self.stop_editing()

    def stop_editing(self) -> None:
        """Close the on-screen keyboard and forget what was typed in it."""
        self.editing = None
        self.edit_text = ""
        self.edit_open = False

    def change_volume(self, delta: int) -> int:
        self.volume = max(VOLUME_MIN, min(VOLUME_MAX, self.volume + delta))
        return self.volume
