"""`kiosk run`: the kiosk as it runs in public, the UI on the main thread and the core beside
it, with the systemd watchdog fed only while both are alive.

``--window`` opens a desktop window instead of the full screen; ``--headless`` runs without a
screen (the core only, e.g. with a scripted citizen from ``kiosk demo`` or tests driving intents).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from kiosk.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, command, load_config_or_report


def _run_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, help="kiosk config (TOML)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--window", action="store_true", help="a desktop window, not fullscreen")
    mode.add_argument("--headless", action="store_true", help="no screen: the core only")


@command("run", "run the kiosk: the touchscreen UI and the core", _run_args)
def run_command(args: argparse.Namespace) -> int:
    from kiosk.app import KioskApp
    from kiosk.errors import KioskError
    from kiosk.logsetup import configure_logging
    from kiosk.watchdog import Watchdog

    config = load_config_or_report(args.config)
    if config is None:
        return EXIT_CONFIG
    configure_logging(config.logging.level)
    try:
        app = KioskApp(config)
    except KioskError as exc:
        print(f"kiosk run: {exc}", file=sys.stderr)
        return EXIT_FAILED
    app.start()
    stop = threading.Event()
    try:
        if args.headless:
            watchdog = Watchdog({"core": lambda: app.core.heartbeat})
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
            watchdog.start()
            stop.wait()
        else:
            from kiosk.screens.runtime import KioskUI

            ui = KioskUI(config.ui, app.channel, app.intents, windowed=args.window)
            app.key_listeners.append(ui.press_key)
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: ui.stop())
            watchdog = Watchdog({"core": lambda: app.core.heartbeat,
                                 "ui": lambda: ui.heartbeat})
            watchdog.start()
            ui.run()
        watchdog.stop()
    finally:
        app.stop()
    return EXIT_OK
