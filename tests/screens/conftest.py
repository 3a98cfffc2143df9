"""Headless pygame for every screen test: SDL's dummy video and audio drivers (set before
pygame is imported anywhere), and shared fixtures."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"

import pytest

from kiosk.screens.fonts import FontBook


@pytest.fixture(scope="session")
def fonts() -> FontBook:
    return FontBook()
