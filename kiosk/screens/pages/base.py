"""The screen base class and the function that turns a snapshot into a layout.

Each screen (one per ``view.Screen``) is a small class with a title, the navigation buttons it
offers and a ``body`` that places its own widgets between the header and the bottom bars;
:func:`compose` adds the shared chrome, orders widgets for the focus ring (body, then
navigation, then accessibility bar) and adds the modal idle dialog when it is due.
"""

from __future__ import annotations

from typing import ClassVar

from kiosk import view
from kiosk.config import LANGUAGES
from kiosk.screens.chrome import banners, bottom_bars, caption_strip, header, idle_dialog
from kiosk.screens.fonts import FontBook
from kiosk.screens.frame import DESIGN_HEIGHT, DESIGN_WIDTH, BuildContext
from kiosk.screens.i18n import translator
from kiosk.screens.layout import Layout
from kiosk.screens.pages.keyboard import text_editor
from kiosk.screens.state import UiState
from kiosk.screens.theme import Theme

#: Canvas scale of the magnified view (MSIT draft: 200 % of all content).
MAGNIFICATION = 2


class ScreenView:
    """One screen. Subclasses set ``screen`` and ``nav`` and implement ``title``/``body``."""

    screen: ClassVar[view.Screen]
    nav: ClassVar[tuple[str, ...]] = ("back", "help", "cancel")
    access_bar: ClassVar[bool] = True

    def title(self, ctx: BuildContext) -> str:
        raise NotImplementedError

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        """Place the screen's own widgets between ``top`` and ``bottom``. If they do not fit,
        it is called again with ``ctx.compact`` set: smaller pictures and spacing."""
        raise NotImplementedError


def canvas_size(size: tuple[int, int], magnified: bool) -> tuple[int, int]:
    factor = MAGNIFICATION if magnified else 1
    return size[0] * factor, size[1] * factor


def compose(screen_view: ScreenView, snapshot: view.Snapshot, state: UiState, *,
            theme: Theme, fonts: FontBook, size: tuple[int, int], now: float,
            voice_native: bool = True) -> Layout:
    """Build the layout of ``snapshot`` as ``screen_view`` shows it, at ``size`` pixels."""
    width, height = canvas_size(size, state.magnified)
    factor = MAGNIFICATION if state.magnified else 1
    unit = min(size[0] / DESIGN_WIDTH, size[1] / DESIGN_HEIGHT) * factor
    language = snapshot.language if snapshot.language in LANGUAGES else "ko"
    ctx = BuildContext(snapshot, state, theme, translator(language), fonts, width, height,
                       unit, now, voice_native)
    header_bottom = header(ctx, screen_view.title(ctx))
    top = banners(ctx, header_bottom)
    head = len(ctx.widgets)
    bottom = bottom_bars(ctx, screen_view.nav, access=screen_view.access_bar,
                         caption=screen_view.access_bar)
    bars = ctx.widgets[head:]
    del ctx.widgets[head:]
    spoken = len(ctx.speech)
    screen_view.body(ctx, top, bottom)
    if any(w.rect[1] + w.rect[3] > bottom for w in ctx.widgets[head:]):
        # too tall (large text, a long language): lay the body out again, compactly
        del ctx.widgets[head:], ctx.speech[spoken:]
        ctx.compact = True
        screen_view.body(ctx, top, bottom)
    ctx.widgets.extend(bars)
    if state.low_reach and screen_view.access_bar:
        # the low-reach layout needs the bottom for controls: the caption floats at the top
        caption_strip(ctx, header_bottom + ctx.gap)
    if ctx.state.keypad_mode and ctx.layer == 0:
        ctx.say(ctx.tr("Use the star and hash keys to move, and the enter key to choose."))
    editing = text_editor(ctx)
    modal = idle_dialog(ctx) or editing
    return Layout(
        screen=snapshot.screen.value, size=(width, height), background=ctx.pal.background,
        widgets=tuple(ctx.widgets), speech=" ".join(ctx.speech), language=language,
        modal=modal, background_action=None if modal else ctx.background_action,
        dialog_speech=ctx.dialog_speech)
