"""The fee (copies and total; 0 won is a normal fee, reference/kiosk-domain.md §1.4) and the card
payment, with why the last attempt failed if it did. ``Snapshot.fee_won`` is the total for all
copies (the session multiplies)."""

from __future__ import annotations

from kiosk import view
from kiosk.screens.chrome import problem_box
from kiosk.screens.frame import BODY_PX, HEADING_PX, SMALL_PX, BuildContext, Style
from kiosk.screens.layout import Role, Widget
from kiosk.screens.pages.base import ScreenView

AMOUNT_PX = 72


def selected_name(ctx: BuildContext) -> str:
    snap = ctx.snapshot
    doc = next((d for d in snap.documents if d.code == snap.selected_document), None)
    return doc.name(ctx.language) if doc else ""


class FeeView(ScreenView):
    screen = view.Screen.FEE

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("Fee")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        snap = ctx.snapshot
        x, width = ctx.margin, ctx.content_width
        y = ctx.add_text("document", selected_name(ctx), x, top + ctx.px(16), width,
                         size=HEADING_PX, bold=True, role=Role.HEADING)
        total_won = snap.fee_won
        per_copy = ctx.tr.fmt("Fee per copy: {fee}",
                              fee=ctx.tr.fee(total_won // max(1, snap.copies)))
        y = ctx.add_text("per_copy", per_copy, x, y + 2 * ctx.gap, width)
        copies_text = ctx.tr.ngettext("{n} copy", "{n} copies", snap.copies).format(
            n=snap.copies)
        step_h = ctx.button_height("+", width // 4, size=HEADING_PX)
        total = ctx.tr.fmt("Total: {total}", total=ctx.tr.fee(total_won))
        total_lines, total_px, _face = ctx.measure(total, AMOUNT_PX, True, width)
        confirm = _("Issue for free") if total_won == 0 else \
            ctx.tr.fmt("Pay {total}", total=ctx.tr.money(total_won))
        confirm_h = ctx.button_height(confirm, width, size=HEADING_PX, min_height=140)
        block = step_h + 3 * ctx.gap + len(total_lines) * total_px + 3 * ctx.gap + confirm_h
        y = ctx.controls_top(block, y + 3 * ctx.gap, bottom)
        fewer, count, more = ctx.row(y, step_h, 3)
        ctx.add_button("copies.fewer", "-", fewer, view.SetCopies(snap.copies - 1),
                       size=HEADING_PX, enabled=snap.copies > 1, speech=_("One copy fewer"))
        lines, line_px, face = ctx.measure(copies_text, HEADING_PX, True, count[2])
        ctx.widgets.append(Widget(
            "copies", Role.TEXT, (count[0], count[1] + (step_h - line_px * len(lines)) // 2,
                                  count[2], line_px * len(lines)),
            ctx.pal.text, ctx.pal.background, text=copies_text, lines=lines,
            font_px=ctx.text_px(HEADING_PX), line_px=line_px, bold=True, face=face))
        ctx.say(copies_text)
        ctx.add_button("copies.more", "+", more, view.SetCopies(snap.copies + 1),
                       size=HEADING_PX, enabled=snap.copies < snap.max_copies,
                       speech=_("One copy more"))
        y += step_h + 3 * ctx.gap
        y = ctx.add_text("total", total, x, y, width, size=AMOUNT_PX, bold=True,
                         align="center") + 3 * ctx.gap
        ctx.add_button("confirm", confirm, (x, y, width, confirm_h), view.Confirm(),
                       style=Style.PRIMARY, size=HEADING_PX)


class PaymentView(ScreenView):
    screen = view.Screen.PAYMENT
    nav = ("help", "cancel")

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("Card payment")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        snap = ctx.snapshot
        x, width = ctx.margin, ctx.content_width
        amount = snap.fee_won
        y = ctx.add_text("document", selected_name(ctx), x, top + ctx.px(16), width,
                         size=BODY_PX, fg=ctx.pal.muted_text)
        y = ctx.add_text("amount", ctx.tr.fmt("Amount: {total}", total=ctx.tr.money(amount)),
                         x, y + ctx.gap, width, size=AMOUNT_PX, bold=True, align="center")
        size = ctx.px(260)
        ctx.widgets.append(Widget("card.icon", Role.PANEL,
                                  ((ctx.width - size) // 2, y + 3 * ctx.gap, size, size),
                                  ctx.pal.primary_bg, ctx.pal.background, icon="card"))
        y += size + 6 * ctx.gap
        if snap.payment_hint:
            y = problem_box(ctx, "problem", ctx.tr.key(snap.payment_hint, snap.message_params),
                            y - 3 * ctx.gap) + 3 * ctx.gap
        y = ctx.add_text("hint", _("Insert your card into the reader, or tap it on the "
                                   "reader."), x, y, width, size=HEADING_PX, bold=True,
                         role=Role.HEADING, align="center")
        ctx.add_text("note", _("The payment is cancelled automatically if the document cannot "
                               "be issued."), x, y + 2 * ctx.gap, width, size=SMALL_PX,
                     fg=ctx.pal.muted_text)
