"""The attract screen and the language screen.

reference/kiosk-domain.md §6.9: the first screen offers the language choice and the way into
accessibility; a touch, a key or plugging in earphones starts; no looping audio. §3: the
language is chosen from a banner on the first screen, each language named in itself.
"""

from __future__ import annotations

from kiosk import view
from kiosk.config import LANGUAGES
from kiosk.screens.frame import BODY_PX, HEADING_PX, SMALL_PX, BuildContext, Style
from kiosk.screens.i18n import ENDONYMS
from kiosk.screens.layout import Role
from kiosk.screens.pages.base import ScreenView


def language_buttons(ctx: BuildContext, y: int, *, per_row: int, height: int,
                     size: int = BODY_PX) -> int:
    """One button per language, in its own name; returns the y below them."""
    for first in range(0, len(LANGUAGES), per_row):
        codes = LANGUAGES[first:first + per_row]
        for code, rect in zip(codes, ctx.row(y, height, len(codes)), strict=True):
            ctx.add_button(f"lang.{code}", ENDONYMS[code], rect, view.ChooseLanguage(code),
                           size=size, selected=code == ctx.snapshot.language)
        y += height + ctx.gap
    return y - ctx.gap


class AttractView(ScreenView):
    screen = view.Screen.ATTRACT
    nav = ()

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("Certificate Issuing Kiosk")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        x, width = ctx.margin, ctx.content_width
        y = ctx.add_text("welcome", _("Issue resident registration, family relation and land "
                                      "certificates here."), x, top + ctx.px(24), width,
                         size=HEADING_PX, bold=True, role=Role.HEADING)
        y = ctx.add_text("how", _("Touch the screen to start."), x,
                         y + ctx.gap, width, size=BODY_PX)
        start_h = ctx.button_height(_("Start"), width, size=HEADING_PX, min_height=180)
        lang_h = ctx.button_height("Tiếng Việt", width // 3, min_height=104)
        hint = _("For voice guidance, plug in earphones or press any key on the keypad.")
        hint_lines, hint_px, _face = ctx.measure(hint, SMALL_PX, False, width)
        block = start_h + 3 * ctx.gap + 2 * lang_h + ctx.gap + len(hint_lines) * hint_px \
            + 2 * ctx.gap
        y = ctx.controls_top(block, y + 3 * ctx.gap, bottom)
        if not ctx.state.low_reach:
            y = max(y, (top + bottom - block) // 2)
        ctx.add_button("start", _("Start"), (x, y, width, start_h), view.Start(),
                       style=Style.PRIMARY, size=HEADING_PX)
        y += start_h + 3 * ctx.gap
        y = language_buttons(ctx, y, per_row=3, height=lang_h) + 2 * ctx.gap
        ctx.add_text("voice_hint", hint, x, y, width, size=SMALL_PX, fg=ctx.pal.muted_text)
        ctx.background_action = view.Start()


class LanguageView(ScreenView):
    screen = view.Screen.LANGUAGE
    nav = ("help", "cancel")

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("Language")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        x, width = ctx.margin, ctx.content_width
        y = ctx.add_text("instruction", _("Choose your language."), x, top + ctx.px(24), width,
                         size=HEADING_PX, bold=True, role=Role.HEADING)
        per_row = 2 if ctx.state.low_reach else 1
        height = ctx.button_height("Tiếng Việt", width // per_row, size=HEADING_PX,
                                   min_height=130)
        rows = -(-len(LANGUAGES) // per_row)
        y = ctx.controls_top(rows * (height + ctx.gap), y + 2 * ctx.gap, bottom)
        language_buttons(ctx, y, per_row=per_row, height=height, size=HEADING_PX)
