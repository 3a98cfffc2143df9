"""Opening the screen: fullscreen at the panel's own size on the board, a window on a desk.

reference/kiosk-domain.md §6.2-6.3: works on SDL's kmsdrm, x11 and wayland drivers (and dummy
for tests); request exactly the desktop size, since some KMSDRM set-ups change mode on any other
request; hide the cursor without grabbing input (a grab switches SDL to relative mouse mode and
breaks absolute touch positions); no text input (the kiosk has no IME).
"""

from __future__ import annotations

import logging

import pygame

from kiosk.config import UiConfig

LOG = logging.getLogger(__name__)

#: Drivers without a real screen: always a plain surface of the configured size.
HEADLESS_DRIVERS = frozenset({"dummy", "offscreen"})


def open_display(config: UiConfig, *, windowed: bool) -> pygame.Surface:
    """Initialise SDL video and return the display surface (pygame.display.init first)."""
    pygame.display.init()
    size = (config.width_px, config.height_px)
    flags = 0
    driver = pygame.display.get_driver()
    if config.fullscreen and not windowed and driver not in HEADLESS_DRIVERS:
        desktop = pygame.display.get_desktop_sizes()
        if desktop and tuple(desktop[0]) != size:
            LOG.warning("display is %sx%s, config says %sx%s: using the display's size",
                        desktop[0][0], desktop[0][1], size[0], size[1])
            size = (desktop[0][0], desktop[0][1])
        flags = pygame.FULLSCREEN
    surface = pygame.display.set_mode(size, flags)
    pygame.display.set_caption("kiosk")
    pygame.mouse.set_visible(False)
    pygame.event.set_grab(False)
    pygame.key.stop_text_input()
    LOG.info("display open: driver %s, %sx%s%s", driver, size[0], size[1],
             " fullscreen" if flags else "")
    return surface
