"""When things go wrong: a failure with what happened and what to do next (and whether the
money went back), out of service ('점검 중', with what still works), and the placeholder shown
while a technician has the kiosk in service mode.

reference/kiosk-domain.md §6.9: a refundable failure (with a reference) is distinct from
out of service; §1.6: a 'service unavailable' screen.
"""

from __future__ import annotations

from kiosk import view
from kiosk.screens.frame import BODY_PX, HEADING_PX, SMALL_PX, BuildContext, Style
from kiosk.screens.i18n import translator
from kiosk.screens.layout import Role, Widget
from kiosk.screens.pages.base import ScreenView


class FailureView(ScreenView):
    screen = view.Screen.FAILURE
    nav = ("help", "cancel")

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("We are sorry")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        snap = ctx.snapshot
        failure = snap.failure or view.Failure("error.generic", "next.ask_staff")
        x, width = ctx.margin, ctx.content_width
        pad = ctx.px(28)
        message = ctx.tr.key(failure.message_key, snap.message_params)
        lines, line_px, _face = ctx.measure(message, HEADING_PX, True, width - 2 * pad)
        height = len(lines) * line_px + 2 * pad
        y = top + ctx.px(24)
        ctx.widgets.append(Widget("failure.box", Role.BANNER, (x, y, width, height),
                                  ctx.pal.error_text, ctx.pal.error_bg, border=ctx.pal.error_text))
        ctx.add_text("failure.message", message, x + pad, y + pad, width - 2 * pad,
                     size=HEADING_PX, bold=True, role=Role.HEADING, fg=ctx.pal.error_text,
                     bg=ctx.pal.error_bg)
        y += height + 3 * ctx.gap
        if failure.refunded and failure.next_step_key != "next.refunded":
            y = ctx.add_text("failure.refund", ctx.tr.key("next.refunded"), x, y, width,
                             bold=True) + 2 * ctx.gap
        next_step = ctx.tr.key(failure.next_step_key, snap.message_params)
        if next_step:
            y = ctx.add_text("failure.next", next_step, x, y, width, size=BODY_PX) + 2 * ctx.gap
        if failure.code:
            y = ctx.add_text("failure.code", ctx.tr.fmt("Reference: {code}", code=failure.code),
                             x, y, width, size=SMALL_PX, fg=ctx.pal.muted_text, speak=False)
        ok_h = ctx.button_height(_("OK"), width, size=HEADING_PX)
        y = ctx.controls_top(ok_h, y + 3 * ctx.gap, bottom)
        ctx.add_button("confirm", _("OK"), (x, y, width, ok_h), view.Confirm(),
                       style=Style.PRIMARY, size=HEADING_PX)


class OutOfServiceView(ScreenView):
    screen = view.Screen.OUT_OF_SERVICE
    nav = ("help",)

    def title(self, ctx: BuildContext) -> str:
        title = ctx.tr("Under maintenance")
        if ctx.language != "en":
            title += " · " + translator("en")("Under maintenance")
        return title

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        snap = ctx.snapshot
        x, width = ctx.margin, ctx.content_width
        y = ctx.add_text("sorry", _("This kiosk is temporarily out of service. We are sorry "
                                    "for the inconvenience."), x, top + ctx.px(24), width,
                         size=HEADING_PX, bold=True, role=Role.HEADING)
        if snap.unavailable_reasons:
            y = ctx.add_text("reasons.title", _("Not working now:"), x, y + 3 * ctx.gap, width,
                             bold=True)
            for index, reason in enumerate(snap.unavailable_reasons):
                y = ctx.add_text(f"reasons.{index}", "• " + ctx.tr.key(reason,
                                                                        snap.message_params),
                                 x + ctx.px(16), y + ctx.gap, width - ctx.px(16))
        available = [d for d in snap.documents if d.available]
        y += 3 * ctx.gap
        if available:
            y = ctx.add_text("works.title", _("Still available here:"), x, y, width, bold=True)
            for doc in available:
                y = ctx.add_text(f"works.{doc.code}", "• " + doc.name(ctx.language),
                                 x + ctx.px(16), y + ctx.gap, width - ctx.px(16))
            y += 3 * ctx.gap
        ctx.add_text("elsewhere", _("Please visit the civil service counter or issue it online "
                                    "at Gov24 (www.gov.kr)."), x, y, width, size=BODY_PX)


class ServiceView(ScreenView):
    screen = view.Screen.SERVICE
    nav = ()
    access_bar = False

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("Service mode")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        ctx.add_text("service", _("A technician is servicing this kiosk. Please use another "
                                  "kiosk or the counter."), ctx.margin, top + ctx.px(40),
                     ctx.content_width, size=HEADING_PX, bold=True, role=Role.HEADING)
