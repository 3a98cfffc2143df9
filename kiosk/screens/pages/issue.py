"""Issuing (fetching, printing page x of y, binding, handing out), the reminder to take the
card, document and receipt, and the thanks screen with its optional one-tap rating.

reference/kiosk-domain.md §6.9: show progress with page n of m, end on 'take your document'
with a chime; the rating is anonymous and skippable.
"""

from __future__ import annotations

from kiosk import view
from kiosk.screens.frame import BODY_PX, HEADING_PX, SMALL_PX, BuildContext, Style
from kiosk.screens.layout import Role, Widget
from kiosk.screens.pages.base import ScreenView

STEPS = (view.IssuingStep.FETCHING, view.IssuingStep.PRINTING, view.IssuingStep.BINDING,
         view.IssuingStep.PRESENTING)
#: Satisfaction scores, worst to best, as view.RateSatisfaction carries them.
SCORES = (1, 2, 3, 4, 5)
FACE_ICON_PX = 88


def step_label(ctx: BuildContext, step: view.IssuingStep) -> str:
    _ = ctx.tr
    return {
        view.IssuingStep.FETCHING: _("Getting the document from the city's server"),
        view.IssuingStep.PRINTING: _("Printing"),
        view.IssuingStep.BINDING: _("Binding the pages"),
        view.IssuingStep.PRESENTING: _("Handing out the document"),
    }[step]


def progress_text(ctx: BuildContext, progress: view.Progress) -> str:
    """One sentence saying where issuing stands (spoken every 15 s as well)."""
    if progress.step is view.IssuingStep.PRINTING and progress.total:
        return ctx.tr.fmt("Printing page {done} of {total}.", done=min(progress.done + 1,
                                                                       progress.total),
                          total=progress.total)
    return step_label(ctx, progress.step) + "…"


class IssuingView(ScreenView):
    screen = view.Screen.ISSUING
    nav = ("help",)

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("Issuing your document")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        progress = ctx.snapshot.progress or view.Progress(view.IssuingStep.FETCHING)
        x, width = ctx.margin, ctx.content_width
        y = ctx.add_text("wait", _("Please wait and do not leave the kiosk."), x,
                         top + ctx.px(16), width, size=HEADING_PX, bold=True, role=Role.HEADING)
        y += 3 * ctx.gap
        steps = [s for s in STEPS if s is not view.IssuingStep.BINDING
                 or progress.total > 1 or progress.step is view.IssuingStep.BINDING]
        current = steps.index(progress.step) if progress.step in steps else 0
        icon_size = ctx.px(48 if ctx.compact else 64)
        space = ctx.gap if ctx.compact else 2 * ctx.gap
        for index, step in enumerate(steps):
            state = "done" if index < current else "current" if index == current else "pending"
            color = {"done": ctx.pal.selected_bg, "current": ctx.pal.primary_bg,
                     "pending": ctx.pal.progress_track}[state]
            ctx.widgets.append(Widget(f"step.{step.value}.icon", Role.PANEL,
                                      (x, y, icon_size, icon_size), color, ctx.pal.background,
                                      icon=f"step_{state}"))
            label_x = x + icon_size + ctx.gap
            fg = ctx.pal.text if state != "pending" else ctx.pal.muted_text
            bottom_y = ctx.add_text(f"step.{step.value}", step_label(ctx, step), label_x,
                                    y + ctx.px(6), width - icon_size - ctx.gap,
                                    bold=state == "current", fg=fg, speak=False)
            y = max(y + icon_size, bottom_y) + space
        y += ctx.gap
        fraction = None
        if progress.step is view.IssuingStep.PRINTING and progress.total:
            fraction = min(1.0, progress.done / progress.total)
        bar_h = ctx.px(40)
        ctx.widgets.append(Widget("progress", Role.PROGRESS, (x, y, width, bar_h),
                                  ctx.pal.progress_fill, ctx.pal.progress_track,
                                  value=fraction if fraction is not None else 0.0))
        text = progress_text(ctx, progress)
        ctx.add_text("progress.text", text, x, y + bar_h + space, width,
                     size=BODY_PX if ctx.compact else HEADING_PX, bold=True, align="center")


class CollectView(ScreenView):
    screen = view.Screen.COLLECT
    nav = ("help",)

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("Take your items")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        snap = ctx.snapshot
        x, width = ctx.margin, ctx.content_width
        y = top + ctx.px(24)
        icon_size = ctx.px(64 if ctx.compact else 96)
        size = BODY_PX if ctx.compact else HEADING_PX
        for item in snap.collect_items or ("collect.document",):
            key = item if item.startswith("collect.") else f"collect.{item}"
            text = ctx.tr.key(key, snap.message_params)
            pad = ctx.px(16 if ctx.compact else 24)
            lines, line_px, _face = ctx.measure(text, size, True, width - icon_size - 3 * pad)
            height = max(icon_size, len(lines) * line_px) + 2 * pad
            ctx.add_panel(f"item.{key}.box", (x, y, width, height), ctx.pal.surface,
                          border=ctx.pal.secondary_border)
            ctx.widgets.append(Widget(f"item.{key}.icon", Role.PANEL,
                                      (x + pad, y + (height - icon_size) // 2, icon_size,
                                       icon_size), ctx.pal.primary_bg, ctx.pal.surface,
                                      icon=key.replace(".", "_")))
            ctx.add_text(f"item.{key}", text, x + icon_size + 2 * pad,
                         y + (height - len(lines) * line_px) // 2,
                         width - icon_size - 3 * pad, size=size, bold=True,
                         bg=ctx.pal.surface)
            y += height + (ctx.gap if ctx.compact else 2 * ctx.gap)
        y = ctx.add_text("kept", _("A document that is not taken is kept safely inside the "
                                   "kiosk."), x, y + ctx.gap, width, size=SMALL_PX,
                         fg=ctx.pal.muted_text)
        done_h = ctx.button_height(_("Done"), width, size=HEADING_PX)
        y = ctx.controls_top(done_h, y + 2 * ctx.gap, bottom)
        ctx.add_button("confirm", _("Done"), (x, y, width, done_h), view.Confirm(),
                       style=Style.PRIMARY, size=HEADING_PX,
                       speech=_("Done: I have taken everything"))


class ThanksView(ScreenView):
    screen = view.Screen.THANKS
    nav = ("help",)

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("Thank you")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        x, width = ctx.margin, ctx.content_width
        y = ctx.add_text("done", _("Your document has been issued. Please check it before you "
                                   "leave."), x, top + ctx.px(24), width, size=HEADING_PX,
                         bold=True, role=Role.HEADING)
        labels = (_("Very poor"), _("Poor"), _("Fair"), _("Good"), _("Very good"))
        each = (width - 4 * ctx.gap) // 5
        face_h = max(ctx.button_height(label, each, size=SMALL_PX, icon=FACE_ICON_PX,
                                       min_height=200, inset=8) for label in labels)
        finish_h = ctx.button_height(_("Finish"), width, size=HEADING_PX)
        skip_h = ctx.button_height(_("Skip"), width)
        question = _("How was the kiosk today? One touch, anonymous.")
        q_lines, q_px, _face = ctx.measure(question, BODY_PX, True, width)
        offered = ctx.snapshot.rating_offered
        y += 4 * ctx.gap
        if offered and ctx.state.low_reach:
            y = ctx.add_text("rating.question", question, x, y, width, bold=True) + 2 * ctx.gap
        block = finish_h
        if offered:
            block += face_h + ctx.gap + skip_h + 3 * ctx.gap
            if not ctx.state.low_reach:
                block += len(q_lines) * q_px + 2 * ctx.gap
        y = ctx.controls_top(block, y, bottom)
        if offered and not ctx.state.low_reach:
            y = ctx.add_text("rating.question", question, x, y, width, bold=True) + 2 * ctx.gap
        if offered:
            for score, label, rect in zip(SCORES, labels, ctx.row(y, face_h, 5), strict=True):
                ctx.add_button(f"rating.{score}", label, rect, view.RateSatisfaction(score),
                               role=Role.FACE, size=SMALL_PX, icon=f"face{score}",
                               icon_size=FACE_ICON_PX, inset=8,
                               speech=ctx.tr.fmt("{label}, {score} of 5", label=label,
                                                 score=score))
            y += face_h + ctx.gap
            ctx.add_button("rating.skip", _("Skip"), (x, y, width, skip_h), view.SkipRating())
            y += skip_h + 3 * ctx.gap
        ctx.add_button("confirm", _("Finish"), (x, y, width, finish_h), view.Confirm(),
                       style=Style.PRIMARY, size=HEADING_PX)
