"""Choosing what to issue: the document catalogue (paged, each with its fee or why it is not
available now) and the document's options (e.g. include the address history).
"""

from __future__ import annotations

from collections.abc import Mapping

from kiosk import view
from kiosk.screens.chrome import problem_box
from kiosk.screens.frame import BODY_PX, HEADING_PX, MIN_TEXT_PX, BuildContext, Style
from kiosk.screens.layout import EditOption, LocalAction, Role
from kiosk.screens.pages.base import ScreenView

#: Pager buttons keep to one row height (design px); their labels shrink to fit.
PAGER_H = 112


def localized(names: Mapping[str, str], language: str, default: str) -> str:
    return names.get(language) or names.get("ko") or default


def paginate(heights: list[int], available: int, gap: int, pager: int) -> list[list[int]]:
    """Indices per page: everything on one page if it fits, else pages with a pager row."""
    if sum(heights) + gap * max(0, len(heights) - 1) <= available:
        return [list(range(len(heights)))]
    room = available - pager - gap
    pages: list[list[int]] = [[]]
    used = 0
    for index, height in enumerate(heights):
        need = height + (gap if pages[-1] else 0)
        if pages[-1] and used + need > room:
            pages.append([])
            used, need = 0, height
        pages[-1].append(index)
        used += need
    return pages


def pager(ctx: BuildContext, y: int, height: int, page: int, pages: int) -> int:
    """Previous / 'page x of y' / next, for lists longer than the screen; returns the y
    below it."""
    _ = ctx.tr
    previous, counter, following = ctx.row(y, height, 3)
    ctx.add_button("page.previous", _("Previous page"), previous, LocalAction.PAGE_PREVIOUS,
                   enabled=page > 0, max_height=PAGER_H)
    text = ctx.tr.fmt("Page {page} of {pages}", page=page + 1, pages=pages)
    size = BODY_PX
    lines, line_px, _face = ctx.measure(text, size, False, counter[2])
    while len(lines) * line_px > height and size > MIN_TEXT_PX:
        size -= 2
        lines, line_px, _face = ctx.measure(text, size, False, counter[2])
    ctx.add_text("page.counter", text, counter[0], y + (height - line_px * len(lines)) // 2,
                 counter[2], size=size, align="center")
    ctx.add_button("page.next", _("Next page"), following, LocalAction.PAGE_NEXT,
                   enabled=page < pages - 1, max_height=PAGER_H)
    return y + height


class CatalogueView(ScreenView):
    screen = view.Screen.CATALOGUE

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("Choose a document")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        x, width = ctx.margin, ctx.content_width
        y = ctx.add_text("instruction", _("Touch the document you need. Each button shows "
                                          "its fee."), x, top + ctx.px(16), width)
        items = []
        for doc in ctx.snapshot.documents:
            name = doc.name(ctx.language)
            if doc.available:
                label, detail = name, ctx.tr.fee(doc.fee_won)
                spoken = f"{name}, {detail}"
            else:
                reason = ctx.tr.key(doc.unavailable_reason or "unavailable.document",
                                    ctx.snapshot.message_params)
                label, detail = f"{name}\n{reason}", ""
                spoken = f"{name}, {_('not available')}: {reason}"
            height = ctx.button_height(label, width, detail=detail)
            items.append((doc, label, detail, spoken, height))
        pager_h = ctx.button_height(_("Previous page"), width // 3, max_height=PAGER_H)
        list_top = y + 2 * ctx.gap
        if ctx.state.low_reach:
            list_top = max(list_top, ctx.low_reach_top)
        pages = paginate([item[4] for item in items], bottom - list_top, ctx.gap, pager_h)
        page = min(ctx.state.page, len(pages) - 1)
        shown = [items[i] for i in pages[page]]
        block = sum(item[4] + ctx.gap for item in shown) - ctx.gap
        if len(pages) > 1:
            block += ctx.gap + pager_h
        y = ctx.controls_top(block, list_top, bottom)
        for doc, label, detail, spoken, height in shown:
            ctx.add_button(f"doc.{doc.code}", label, (x, y, width, height),
                           view.ChooseDocument(doc.code), enabled=doc.available,
                           speech=spoken, align="left", detail=detail)
            y += height + ctx.gap
        if len(pages) > 1:
            pager(ctx, y, pager_h, page, len(pages))


class OptionsView(ScreenView):
    screen = view.Screen.OPTIONS

    def title(self, ctx: BuildContext) -> str:
        return ctx.tr("Choose options")

    def body(self, ctx: BuildContext, top: int, bottom: int) -> None:
        _ = ctx.tr
        snap = ctx.snapshot
        x, width = ctx.margin, ctx.content_width
        doc = next((d for d in snap.documents if d.code == snap.selected_document), None)
        y = top + ctx.px(16)
        if doc is not None:
            y = ctx.add_text("document", doc.name(ctx.language), x, y, width, size=HEADING_PX,
                             bold=True, role=Role.HEADING)
        y = ctx.add_text("instruction", _("Choose what the document should include, then "
                                          "touch Next."), x, y + ctx.gap, width)
        if snap.option_hint:
            names = {o.key: localized(o.labels, ctx.language, o.key) for o in snap.options}
            params = dict(snap.message_params)
            params["option"] = names.get(params.get("option", ""), params.get("option", ""))
            y = problem_box(ctx, "hint", ctx.tr.key(snap.option_hint, params), y) + ctx.gap
        plan = []
        for option in snap.options:
            label = localized(option.labels, ctx.language, option.key)
            if option.kind == "text":
                label += " " + (_("(required)") if option.required else _("(optional)"))
                values = [("", option.selected or _("Touch here to type"))]
                per_row = 1
            else:
                values = [(value, localized(option.value_labels.get(value, {}), ctx.language,
                                            value)) for value in option.values]
                per_row = 2 if len(values) != 3 else 3
            each = (width - (per_row - 1) * ctx.gap) // per_row
            value_h = max(ctx.button_height(text, each) for _v, text in values)
            rows = -(-len(values) // per_row)
            label_lines, label_px, _face = ctx.measure(label, BODY_PX, True, width)
            height = 2 * ctx.gap + len(label_lines) * label_px + ctx.gap + \
                rows * (value_h + ctx.gap)
            plan.append((option, label, values, per_row, value_h, rows, height))
        next_h = ctx.button_height(_("Next"), width, size=HEADING_PX)
        pager_h = ctx.button_height(_("Previous page"), width // 3, max_height=PAGER_H)
        list_top = max(y, ctx.low_reach_top) if ctx.state.low_reach else y
        pages = paginate([item[6] for item in plan], bottom - list_top - next_h - ctx.gap,
                         0, pager_h)
        page = min(ctx.state.page, len(pages) - 1)
        shown = [plan[i] for i in pages[page]]
        block = sum(item[6] for item in shown) + next_h
        if len(pages) > 1:
            block += pager_h + ctx.gap
        y = ctx.controls_top(block, y, bottom)
        for option, label, values, per_row, value_h, rows, _height in shown:
            y = ctx.add_text(f"option.{option.key}", label, x, y + 2 * ctx.gap, width, bold=True)
            y += ctx.gap
            for row in range(rows):
                chunk = values[row * per_row:(row + 1) * per_row]
                rects = ctx.row(y, value_h, per_row)
                for (value, text), rect in zip(chunk, rects, strict=False):
                    if option.kind == "text":
                        ctx.add_button(f"option.{option.key}.text", text, rect,
                                       EditOption(option.key), align="left",
                                       speech=f"{label}: {option.selected}")
                        continue
                    chosen = value == option.selected
                    ctx.add_button(f"option.{option.key}.{value}", text, rect,
                                   view.SetOption(option.key, value), selected=chosen,
                                   speech=f"{label}: {text}")
                y += value_h + ctx.gap
        if len(pages) > 1:
            y = pager(ctx, y, pager_h, page, len(pages)) + ctx.gap
        ctx.add_button("confirm", _("Next"), (x, y, width, next_h), view.Confirm(),
                       style=Style.PRIMARY, size=HEADING_PX)
