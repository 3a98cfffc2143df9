"""Identifying the citizen: the resident registration number on a large keypad, then the
right thumb on the fingerprint sensor (reference/kiosk-domain.md §1.3).

The RRN is shown only masked: the snapshot carries ``rrn_masked`` (``900101-*******``) and this
screen masks again whatever it is given, so a core bug can never put the last seven digits on
the glass. It is never read out: speech says how many digits are entered (EN 301 549 5.1.3.8).
"""

from __future__ import annotations

from kiosk import view
from kiosk.screens.chrome import problem_box
from kiosk.screens.frame import BODY_PX, HEADING_PX, SMALL_PX, BuildContext, Style
from kiosk.screens.layout import Role, Widget
from kiosk.screens.pages.base import ScreenView

FIELD_PX = 76
KEY_PX = 60
#: Keypad rows stay this short (design px) even with large text, so that the keypad fits.
KEY_ROW_MAX = 128
#: Hints that are guidance rather than a problem (drawn in the normal colours).
NEUTRAL_HINTS = frozenset({"fingerprint.hint.place_finger"})


def fingerprint_hint_key(hint: str) -> str:
    """``view.FingerprintHint`` values come bare (``wet``); device outcomes come as keys."""
    return hint if "." in hint else f"fingerprint.hint.{hint}"


def displayed_rrn(masked: str) -> str:
    """The RRN field's text: visible birth date, stars after it, underscores still to type.

    >>> displayed_rrn("900101-**")
    '900101-**_____'
    >>> displayed_rrn("9001011234567")
    '900101-*******'
    """
    typed = [c for c in masked if c != "-"][:view.RRN_DIGITS]
    shown = [c if i < view.RRN_VISIBLE_DIGITS else "*" for i, c in enumerate(typed)]
    shown += ["_"] * (view.RRN_DIGITS - len(shown))
    return "".join(shown[:view.RRN_VISIBLE_DIGITS]) + "-" + \
        "".join(shown[view.RRN_VISIBLE_DIGITS:])


def digits_entered(masked: str) -> int:
    return min(view.RRN_DIGITS, sum(1 for c in masked if c != "-"))


class IdentityView(ScreenView):
    screen = view.Screen.IDENTITY

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("Resident registration number")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        snap = ctx.snapshot
        x, width = ctx.margin, ctx.content_width
        y = ctx.add_text("instruction", _("Enter your 13-digit resident registration number. "
                                          "Only the first six digits are shown."),
                         x, top + ctx.px(16), width)
        if snap.rrn_hint:
            y = problem_box(ctx, "hint", ctx.tr.key(snap.rrn_hint, snap.message_params), y)
        if snap.identity_attempts_left < 3:
            y = ctx.add_text("attempts", ctx.tr.ngettext(
                "{n} attempt left.", "{n} attempts left.",
                snap.identity_attempts_left).format(n=snap.identity_attempts_left),
                x, y + ctx.gap, width, fg=ctx.pal.error_text)
        count = digits_entered(snap.rrn_masked)
        shown = displayed_rrn(snap.rrn_masked)
        field_h = max(ctx.px(130), ctx.measure(shown, FIELD_PX, True, width)[1] + ctx.px(24))
        spoken = ctx.tr.ngettext("{n} of 13 digits entered.", "{n} of 13 digits entered.",
                                 count).format(n=count)
        keys_width = (width - ctx.gap) * 3 // 4
        key_w = (keys_width - 2 * ctx.gap) // 3
        key_h = ctx.button_height("0", key_w, size=KEY_PX, min_height=112,
                                  max_height=KEY_ROW_MAX)
        block = 4 * (key_h + ctx.gap) - ctx.gap
        if ctx.state.low_reach:
            keys_top = ctx.controls_top(block, y + 3 * ctx.gap + field_h, bottom)
            y = max(y + ctx.gap, keys_top - 2 * ctx.gap - field_h)
        else:
            y += 2 * ctx.gap
        lines, line_px, face = ctx.measure(shown, FIELD_PX, True, width)
        ctx.widgets.append(Widget(
            "rrn", Role.FIELD, (x, y, width, field_h), ctx.pal.field_text, ctx.pal.field_bg,
            text=shown, lines=lines, font_px=ctx.text_px(FIELD_PX), line_px=line_px, bold=True,
            face=face, border=ctx.pal.secondary_border, inset=ctx.px(20), speech=spoken))
        y += field_h + 2 * ctx.gap
        # the keypad (3 x 4) with the Next key as a tall column on its right, like an ATM
        keys = [("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5"), ("6", "6"),
                ("7", "7"), ("8", "8"), ("9", "9"), ("clear", _("Clear")), ("0", "0"),
                ("backspace", _("Delete"))]
        actions: dict[str, view.Intent] = {"clear": view.RrnClear(),
                                           "backspace": view.RrnBackspace()}
        spoken_keys = {"clear": _("Clear all digits"), "backspace": _("Delete the last digit")}
        for row in range(4):
            rects = ctx.row(y + row * (key_h + ctx.gap), key_h, 3, width=keys_width)
            for (name, label), rect in zip(keys[row * 3:row * 3 + 3], rects, strict=True):
                action = actions.get(name) or view.RrnDigit(name)
                size = KEY_PX if name.isdigit() else BODY_PX
                ctx.add_button(f"key.{name}", label, rect, action, role=Role.KEY, size=size,
                               speech=spoken_keys.get(name, _("digit key")),
                               max_height=KEY_ROW_MAX,
                               enabled=not name.isdigit() or count < view.RRN_DIGITS)
        ctx.add_button("confirm", _("Next"), (x + keys_width + ctx.gap, y,
                                              width - keys_width - ctx.gap, block),
                       view.Confirm(), style=Style.PRIMARY, size=HEADING_PX,
                       enabled=snap.rrn_complete)


class FingerprintView(ScreenView):
    screen = view.Screen.FINGERPRINT

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("Fingerprint")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        snap = ctx.snapshot
        x, width = ctx.margin, ctx.content_width
        y = ctx.add_text("instruction", _("Place your right thumb flat on the fingerprint "
                                          "sensor below the screen."), x, top + ctx.px(16),
                         width, size=HEADING_PX, bold=True, role=Role.HEADING)
        size = ctx.px(140 if ctx.compact else 300)
        space = ctx.gap if ctx.compact else 2 * ctx.gap
        ctx.widgets.append(Widget("fingerprint.icon", Role.PANEL,
                                  ((ctx.width - size) // 2, y + space, size, size),
                                  ctx.pal.primary_bg, ctx.pal.background, icon="fingerprint"))
        y += size + 2 * space
        hint = fingerprint_hint_key(snap.fingerprint_hint) if snap.fingerprint_hint else None
        if hint in NEUTRAL_HINTS:
            y = ctx.add_text("hint", ctx.tr.key(hint), x, y, width, bold=True) + 2 * ctx.gap
        elif hint:
            y = problem_box(ctx, "hint", ctx.tr.key(hint, snap.message_params), y - ctx.gap) \
                + 2 * ctx.gap
        attempts = snap.identity_attempts_left
        y = ctx.add_text("attempts", ctx.tr.ngettext(
            "{n} attempt left.", "{n} attempts left.", attempts).format(n=attempts),
            x, y, width, fg=ctx.pal.error_text if attempts < 3 else ctx.pal.text)
        ctx.add_text("alternative", _("If your fingerprint cannot be read, please visit a "
                                       "counter with your ID card."), x, y + 2 * ctx.gap,
                     width, size=SMALL_PX, fg=ctx.pal.muted_text)
