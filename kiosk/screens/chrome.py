"""The chrome around every screen: header, banners, navigation and accessibility bars, the
caption strip (text for every sound, MOIS standard item 3) and the 'need more time?' dialog
(WCAG 2.2.1: warn, and let the citizen extend with one simple action).
"""

from __future__ import annotations

import math

from kiosk import view
from kiosk.screens.frame import (
    ACCESS_ITEMS,
    BODY_PX,
    BUTTON_PX,
    HEADING_PX,
    MIN_TEXT_PX,
    NAV_ITEMS,
    SMALL_PX,
    TITLE_PX,
    BuildContext,
    Style,
)
from kiosk.screens.layout import Role, Widget
from kiosk.screens.state import VOLUME_MAX, UiState


def header(ctx: BuildContext, title: str) -> int:
    """The title bar; returns the y below it."""
    pad = ctx.px(30)
    lines, line_px, _ = ctx.measure(title, TITLE_PX, True, ctx.content_width)
    height = len(lines) * line_px + 2 * pad
    ctx.add_panel("header", (0, 0, ctx.width, height), ctx.pal.header_bg)
    ctx.add_text("title", title, ctx.margin, pad, ctx.content_width, size=TITLE_PX, bold=True,
                 role=Role.HEADING, fg=ctx.pal.header_text, bg=ctx.pal.header_bg)
    return height


def banners(ctx: BuildContext, y: int) -> int:
    """Degraded-service and voice-language notices under the header; returns the y below."""
    _ = ctx.tr
    snap = ctx.snapshot
    notices: list[tuple[str, str]] = []
    if snap.service_state is view.ServiceState.DEGRADED and snap.unavailable_reasons:
        reasons = " ".join(ctx.tr.key(r, snap.message_params) for r in snap.unavailable_reasons)
        notices.append(("banner.degraded", _("Some services are limited:") + " " + reasons))
    if ctx.state.speech_on and not ctx.voice_native:
        notices.append(("banner.voice", _("Voice guidance is not available in this language; "
                                          "it speaks English instead.")))
    for widget_id, text in notices:
        pad = ctx.px(18)
        width = ctx.content_width - 2 * pad
        lines, line_px, _face = ctx.measure(text, SMALL_PX, False, width)
        height = len(lines) * line_px + 2 * pad
        y += ctx.gap
        ctx.widgets.append(Widget(
            widget_id, Role.BANNER, (ctx.margin, y, ctx.content_width, height),
            ctx.pal.banner_text, ctx.pal.banner_bg, border=ctx.pal.banner_text))
        ctx.add_text(widget_id + ".text", text, ctx.margin + pad, y + pad, width,
                     size=SMALL_PX, fg=ctx.pal.banner_text, bg=ctx.pal.banner_bg)
        y += height
    return y + ctx.gap


def problem_box(ctx: BuildContext, widget_id: str, text: str, y: int, *,
                size: int = BODY_PX) -> int:
    """A boxed message in the error colours (a hint about what went wrong); returns the y
    below it. The text widget is ``widget_id`` (the guide reads it), the box ``.box``."""
    pad = ctx.px(20)
    width = ctx.content_width - 2 * pad
    lines, line_px, _face = ctx.measure(text, size, True, width)
    height = len(lines) * line_px + 2 * pad
    y += ctx.gap
    ctx.widgets.append(Widget(f"{widget_id}.box", Role.BANNER,
                              (ctx.margin, y, ctx.content_width, height), ctx.pal.error_text,
                              ctx.pal.error_bg, border=ctx.pal.error_text, layer=ctx.layer))
    ctx.add_text(widget_id, text, ctx.margin + pad, y + pad, width, size=size, bold=True,
                 fg=ctx.pal.error_text, bg=ctx.pal.error_bg)
    return y + height


def _access_labels(ctx: BuildContext) -> dict[str, tuple[str, str, bool | None]]:
    """Label, spoken text and on/off state of each accessibility switch."""
    _ = ctx.tr
    state = ctx.state
    level = ctx.tr.fmt("Volume {level} of {max}", level=state.volume, max=VOLUME_MAX)
    return {
        "speech": (_("Voice"), _("Voice guidance"), state.speech_on),
        "contrast": (_("Contrast"), _("High contrast"), state.high_contrast),
        "large_text": (_("Large text"), _("Large text"), state.large_text),
        "magnify": (_("Zoom"), _("Zoom the screen to 200 percent"), state.magnified),
        "low_reach": (_("Lower"), _("Move the buttons to the lower part of the screen"),
                      state.low_reach),
        "volume_down": (_("Vol -"), _("Volume down") + ". " + level, None),
        "volume_up": (_("Vol +"), _("Volume up") + ". " + level, None),
    }


def bottom_bars(ctx: BuildContext, nav: tuple[str, ...], *, access: bool = True,
                caption: bool = True) -> int:
    """Navigation bar above the accessibility bar at the bottom, within everyone's reach;
    returns the lowest y the body may use."""
    _ = ctx.tr
    y = ctx.height - ctx.px(24)
    if access:
        labels = _access_labels(ctx)
        count = len(ACCESS_ITEMS)
        each = (ctx.content_width - (count - 1) * ctx.px(10)) // count
        height = max(ctx.button_height(labels[key][0], each, size=MIN_TEXT_PX, icon=52,
                                       min_height=132, bold=False, inset=6)
                     for key, _a in ACCESS_ITEMS)
        y -= height
        x = ctx.margin
        for key, action in ACCESS_ITEMS:
            label, spoken, on = labels[key]
            if on is not None:
                onoff = _("on") if on else _("off")
                spoken = f"{spoken}, {onoff}"
            ctx.add_button(f"access.{key}", label, (x, y, each, height), action,
                           role=Role.TOGGLE if on is not None else Role.BUTTON,
                           size=MIN_TEXT_PX, selected=on, icon=key, speech=spoken, bold=False,
                           inset=6)
            x += each + ctx.px(10)
        y -= ctx.gap
    if nav:
        labels_nav = {"back": _("Back"), "help": _("Help"), "cancel": _("Cancel")}
        spoken_nav = {"help": _("Help: repeat the guidance")}
        each = ctx.row(0, 0, len(nav))[0][2]
        height = max(ctx.button_height(labels_nav[n], each) for n in nav)
        y -= height
        for name, (x, _y, w, _h) in zip(nav, ctx.row(y, height, len(nav)), strict=True):
            style = Style.DANGER if name == "cancel" else Style.SECONDARY
            ctx.add_button(f"nav.{name}", labels_nav[name], (x, y, w, height), NAV_ITEMS[name],
                           style=style, size=BUTTON_PX, speech=spoken_nav.get(name, ""))
        y -= ctx.gap
    if caption and not ctx.state.low_reach:
        y = caption_strip(ctx, y, from_bottom=True) - ctx.gap
    return y


def caption_strip(ctx: BuildContext, y: int, *, from_bottom: bool = False) -> int:
    """Reserve two lines for the caption of the sound just played (text for every sound) and
    show it while it lasts; returns the y on the far side of the strip. The low-reach layout
    floats it over the text at the top instead, where it covers no control."""
    line_px = ctx.measure("Ag", SMALL_PX, False, ctx.content_width)[1]
    height = 2 * line_px + 2 * ctx.px(12)
    top = y - height if from_bottom else y
    if ctx.state.caption and ctx.now < ctx.state.caption_until:
        pad = ctx.px(12)
        ctx.widgets.append(Widget(
            "caption", Role.CAPTION, (ctx.margin, top, ctx.content_width, height),
            ctx.pal.banner_text, ctx.pal.banner_bg, border=ctx.pal.banner_text))
        lines, line_px, face = ctx.measure(ctx.state.caption, SMALL_PX, False,
                                           ctx.content_width - 2 * pad)
        ctx.widgets.append(Widget(
            "caption.text", Role.TEXT, (ctx.margin + pad, top + pad,
                                        ctx.content_width - 2 * pad, 2 * line_px),
            ctx.pal.banner_text, ctx.pal.banner_bg, text=ctx.state.caption, lines=lines[:2],
            font_px=ctx.text_px(SMALL_PX), line_px=line_px, face=face))
    return top if from_bottom else top + height + ctx.gap


def seconds_left(snapshot: view.Snapshot, state: UiState, now: float) -> int | None:
    """The idle countdown, counted down locally from the snapshot's value."""
    left = snapshot.idle_seconds_left
    if left is None:
        return None
    origin = state.countdown_origin
    elapsed = now - origin[0] if origin else 0.0
    base = origin[1] if origin else left
    return max(0, math.ceil(base - elapsed))


def idle_dialog(ctx: BuildContext) -> bool:
    """The modal 'need more time?' dialog; returns True if it is showing."""
    left = seconds_left(ctx.snapshot, ctx.state, ctx.now)
    if left is None:
        return False
    _ = ctx.tr
    ctx.layer = max((w.layer for w in ctx.widgets), default=0) + 1
    ctx.widgets.append(Widget("dialog.scrim", Role.SCRIM, (0, 0, ctx.width, ctx.height),
                              ctx.pal.text, ctx.pal.background, layer=ctx.layer))
    pad = ctx.px(36)
    width = ctx.content_width - 2 * pad
    title = _("Do you need more time?")
    count = ctx.tr.ngettext("The screen will close in {n} second.",
                            "The screen will close in {n} seconds.", left).format(n=left)
    yes, no = _("Yes, more time"), _("No, finish")
    title_lines, title_px, _face = ctx.measure(title, HEADING_PX, True, width)
    title_h = len(title_lines) * title_px
    count_lines, count_px, _face = ctx.measure(count, BODY_PX, False, width)
    yes_h = ctx.button_height(yes, width, min_height=140)
    no_h = ctx.button_height(no, width)
    height = 2 * pad + title_h + ctx.gap + len(count_lines) * count_px + 2 * ctx.gap \
        + yes_h + ctx.gap + no_h
    top = (ctx.height - height) // 2
    if ctx.state.low_reach:
        top = max(ctx.low_reach_top - pad - title_h - ctx.gap, ctx.height - height - ctx.px(60))
    ctx.add_panel("dialog", (ctx.margin, top, ctx.content_width, height), ctx.pal.surface,
                  border=ctx.pal.secondary_border)
    ctx.dialog_speech = f"{title} {count}"
    y = ctx.add_text("dialog.title", title, ctx.margin + pad, top + pad, width,
                     size=HEADING_PX, bold=True, role=Role.HEADING, bg=ctx.pal.surface,
                     speak=False)
    y = ctx.add_text("dialog.countdown", count, ctx.margin + pad, y + ctx.gap, width,
                     bg=ctx.pal.surface, speak=False) + 2 * ctx.gap
    ctx.add_button("dialog.extend", yes, (ctx.margin + pad, y, width, yes_h), view.ExtendTime(),
                   style=Style.PRIMARY, size=HEADING_PX)
    y += yes_h + ctx.gap
    ctx.add_button("dialog.finish", no, (ctx.margin + pad, y, width, no_h), view.Cancel(),
                   style=Style.SECONDARY)
    ctx.layer = 0
    return True
