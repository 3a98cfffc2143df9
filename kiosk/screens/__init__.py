"""The citizen touchscreen UI (pygame-ce): renders ``kiosk.view.Snapshot`` objects and sends
``kiosk.view.Intent`` objects; it imports nothing of the core (DESIGN.md dependency rules).

Entry points: :class:`kiosk.screens.runtime.KioskUI` (the UI loop on the main thread) and
:func:`kiosk.screens.screenshot.render_screenshot` (``kiosk screenshot``). Importing this package
does not import pygame.
"""
