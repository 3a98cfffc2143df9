"""The ``kiosk screenshot`` command: render one citizen screen headless to a PNG.

Lives outside ``kiosk.screens`` because screens may not import ``kiosk.cli`` (import-linter);
it registers itself with :func:`kiosk.cli.command` and imports pygame only when run.
"""

from __future__ import annotations

import argparse
import os
import sys

from kiosk.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, command
from kiosk.config import LANGUAGES, THEMES, UiConfig, load_config
from kiosk.errors import ConfigError
from kiosk.screens.samples import STATES


def _screenshot_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state", required=True, choices=STATES, help="screen to render")
    parser.add_argument("--lang", default="ko", choices=LANGUAGES, help="language (ko)")
    parser.add_argument("--theme", default="default", choices=THEMES, help="theme (default)")
    parser.add_argument("--out", required=True, help="PNG file to write")
    parser.add_argument("--config", help="kiosk config whose [ui] resolution to use")
    parser.add_argument("--magnify", action="store_true", help="200 %% magnification")
    parser.add_argument("--low-reach", action="store_true",
                        help="controls in the lower part of the screen")
    parser.add_argument("--focus", help="widget id to draw the keypad focus ring on")


@command("screenshot", "render a citizen screen with sample content to a PNG (headless)",
         _screenshot_args)
def screenshot(args: argparse.Namespace) -> int:
    ui = UiConfig()
    if args.config:
        try:
            ui = load_config(args.config).ui
        except ConfigError as exc:
            for problem in exc.problems:
                print(f"{args.config}: {problem}", file=sys.stderr)
            return EXIT_CONFIG
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from kiosk.screens.screenshot import save_screenshot

    try:
        path = save_screenshot(args.out, args.state, args.lang, args.theme, ui_config=ui,
                               magnified=args.magnify, low_reach=args.low_reach,
                               focus_id=args.focus)
    except (OSError, ValueError) as exc:
        print(f"screenshot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{path}: {args.state} in {args.lang}, theme {args.theme}, "
          f"{ui.width_px}x{ui.height_px}")
    return EXIT_OK
