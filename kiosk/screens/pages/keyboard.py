"""The on-screen keyboard for a document's free-text option (a parcel's lot address, a
building unit, a vehicle plate): digits, the two-set Hangul jamo (composed by
:mod:`kiosk.screens.hangul`), a dash and a space, as a dialog at the bottom of the screen,
within a wheelchair user's reach whatever the layout.

Every key is at least 88 px wide at 1080 px: ten keys a row over nearly the full width.
"""

from __future__ import annotations

from kiosk import view
from kiosk.screens.frame import BODY_PX, BUTTON_PX, HEADING_PX, SMALL_PX, BuildContext, Style
from kiosk.screens.layout import Role, TypeKey, Widget

#: Digits, the two-set layout's three letter rows (plus a dash), then the double consonants
#: and the two vowels that need Shift on a PC keyboard.
ROWS = ("1234567890",
        "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔ",
        "ㅁㄴㅇㄹㅎㅗㅓㅏㅣ-",
        "ㅋㅌㅊㅍㅠㅜㅡㄲㄸㅃ",
        "ㅆㅉㅒㅖ")
KEY_H = 96
KEY_GAP = 8
EDGE = 16


def editing_option(ctx: BuildContext) -> view.OptionChoice | None:
    key = ctx.state.editing
    if key is None or ctx.snapshot.screen is not view.Screen.OPTIONS:
        return None
    return next((o for o in ctx.snapshot.options if o.key == key and o.kind == "text"), None)


def text_editor(ctx: BuildContext) -> bool:
    """The keyboard dialog, if a text option is being edited; returns True if shown."""
    option = editing_option(ctx)
    if option is None:
        return False
    _ = ctx.tr
    ctx.layer = max((w.layer for w in ctx.widgets), default=0) + 1
    ctx.widgets.append(Widget("editor.scrim", Role.SCRIM, (0, 0, ctx.width, ctx.height),
                              ctx.pal.text, ctx.pal.background, layer=ctx.layer))
    edge, gap = ctx.px(EDGE), ctx.px(KEY_GAP)
    inner = ctx.width - 4 * edge
    key_w = (inner - 9 * gap) // 10
    key_h = ctx.px(KEY_H)
    label = option.labels.get(ctx.language) or option.labels.get("ko") or option.key
    label_lines, label_px, _face = ctx.measure(label, BODY_PX, True, inner)
    field_h = ctx.measure("Ag", HEADING_PX, True, inner)[1] + ctx.px(24)
    done_h = ctx.button_height(_("Done"), inner // 3)
    height = 2 * edge + len(label_lines) * label_px + gap + field_h + 2 * gap \
        + 5 * (key_h + gap) + gap + done_h + 2 * edge
    top = ctx.height - height - edge
    ctx.add_panel("editor", (edge, top, ctx.width - 2 * edge, height), ctx.pal.surface,
                  border=ctx.pal.secondary_border)
    x = 2 * edge
    y = ctx.add_text("editor.label", label, x, top + 2 * edge, inner, bold=True,
                     bg=ctx.pal.surface) + gap
    counter = f"{len(ctx.state.edit_text)}/{option.max_length}" if option.max_length else ""
    text = ctx.state.edit_text
    shown = text + "|"
    lines, line_px, face = ctx.measure(shown, HEADING_PX, True, inner - 2 * edge)
    spoken = ctx.tr.fmt("{label}: {text}", label=label, text=text) if text else label
    ctx.widgets.append(Widget(
        "editor.field", Role.BANNER, (x, y, inner, field_h),
        ctx.pal.field_text, ctx.pal.field_bg, border=ctx.pal.secondary_border,
        layer=ctx.layer))
    ctx.widgets.append(Widget(
        "editor.text", Role.TEXT, (x + edge, y + ctx.px(12), inner - 2 * edge, line_px),
        ctx.pal.field_text, ctx.pal.field_bg, text=shown, lines=lines[-1:],
        font_px=ctx.text_px(HEADING_PX), line_px=line_px, bold=True, face=face,
        align="left", speech=spoken, layer=ctx.layer))
    if counter:
        count_lines, count_px, count_face = ctx.measure(counter, SMALL_PX, False, ctx.px(160))
        ctx.widgets.append(Widget(
            "editor.counter", Role.TEXT, (x + inner - ctx.px(160) - edge,
                                          y + (field_h - count_px) // 2, ctx.px(160), count_px),
            ctx.pal.muted_text, ctx.pal.field_bg, text=counter, lines=count_lines,
            font_px=ctx.text_px(SMALL_PX), line_px=count_px, face=count_face, align="right",
            layer=ctx.layer))
    y += field_h + 2 * gap
    for row_index, row in enumerate(ROWS):
        for column, char in enumerate(row):
            rect = (x + column * (key_w + gap), y, key_w, key_h)
            ctx.add_button(f"editor.key.{row_index}.{column}", char, rect, TypeKey(char),
                           role=Role.KEY, size=BUTTON_PX, inset=4)
        if row_index == len(ROWS) - 1:
            wide = 2 * key_w + gap
            specials = ((_("Space"), TypeKey(" "), "space"),
                        (_("Delete"), TypeKey(command="backspace"), "backspace"),
                        (_("Clear"), TypeKey(command="clear"), "clear"))
            for index, (text_label, action, name) in enumerate(specials):
                left = x + (len(row) + 2 * index) * (key_w + gap)
                ctx.add_button(f"editor.{name}", text_label, (left, y, wide, key_h), action,
                               role=Role.KEY, size=SMALL_PX, inset=6)
        y += key_h + gap
    ctx.add_button("editor.done", _("Done"), (x + inner - inner // 3, y + gap, inner // 3,
                                               done_h), TypeKey(command="done"),
                   style=Style.PRIMARY)
    ctx.layer = 0
    return True
