"""Lays document blocks out on A4 pages, the way the city's forms break.

Produces the body of :class:`kiosk.issuance.document.DocumentContent`: ``{"pages": [[block,
...], ...]}`` with heading, paragraph, fields and table blocks. A page holds
``LINES_PER_PAGE`` lines of the kiosk's form layout; each block costs an estimate of the lines
it prints on. A form can force a break where the paper form has one (건축물대장 갑 and 을 sheets,
the 자동차등록원부's second sheet); tables and field lists that do not fit are split, repeating
the table header on the next page with a "(계속)" heading, as the printed forms do.
"""

from __future__ import annotations

import datetime
from typing import Any

LINES_PER_PAGE = 40  # A4 body at 10 pt with the form's header and footer (kiosk render layout)
CHARS_PER_LINE = 48  # full-width Hangul characters across the body
CHARS_PER_CELL_LINE = 18  # a table cell wraps at about this many characters
MIN_LINES_AFTER_HEADING = 3  # a heading is never the last thing on a page

Block = dict[str, Any]


def heading(text: str) -> Block:
    return {"type": "heading", "text": text}


def paragraph(text: str) -> Block:
    return {"type": "paragraph", "text": text}


def fields(rows: list[tuple[str, str]]) -> Block:
    return {"type": "fields", "rows": [[label, value] for label, value in rows]}


def table(columns: list[str], rows: list[list[str]]) -> Block:
    return {"type": "table", "columns": columns, "rows": rows}


def korean_date(day: datetime.date | None) -> str:
    """``2025-03-04`` -> ``2025-03-04``; None -> ``-`` (the registers print ISO dates)."""
    return day.isoformat() if day is not None else "-"


def won(amount: int) -> str:
    return f"{amount:,}원"


def square_metres(area: float) -> str:
    return f"{area:,.2f}㎡"


def masked_rrn(rrn: str, *, show_back: bool = False) -> str:
    """``780412-1034529`` -> ``780412-1******`` unless the back half is to be shown."""
    return rrn if show_back else rrn[:8] + "*" * 6


def _row_lines(cells: list[str], chars: int) -> int:
    return max([1, *(-(-len(cell) // chars) for cell in cells)])


def block_lines(block: Block) -> int:
    """How many lines ``block`` prints on (an estimate of the render layout)."""
    kind = block["type"]
    if kind == "heading":
        return 2
    if kind == "paragraph":
        return 1 + sum(-(-max(1, len(line)) // CHARS_PER_LINE)
                       for line in block["text"].split("\n"))
    if kind == "fields":
        return sum(_row_lines([value], CHARS_PER_LINE - 12) for _, value in block["rows"])
    return 2 + sum(_row_lines(row, CHARS_PER_CELL_LINE) for row in block["rows"])


class Pager:
    """Collects blocks into pages; :meth:`body` returns the document body."""

    def __init__(self, lines_per_page: int = LINES_PER_PAGE) -> None:
        self.lines_per_page = lines_per_page
        self._pages: list[list[Block]] = [[]]
        self._used = 0
        self._last_heading = ""

    def page_break(self) -> None:
        """Start a new page unless the current one is still empty."""
        if self._pages[-1]:
            self._pages.append([])
            self._used = 0

    def add(self, *blocks: Block) -> None:
        for block in blocks:
            self._add(block)

    def _room(self) -> int:
        return self.lines_per_page - self._used

    def _place(self, block: Block) -> None:
        self._pages[-1].append(block)
        self._used += block_lines(block)
        if block["type"] == "heading":
            self._last_heading = block["text"]

    def _add(self, block: Block) -> None:
        cost = block_lines(block)
        if block["type"] == "heading" and cost + MIN_LINES_AFTER_HEADING > self._room():
            self.page_break()
        if cost <= self._room():
            self._place(block)
            return
        if block["type"] in ("fields", "table") and len(block["rows"]) > 1:
            self._split(block)
            return
        self.page_break()
        self._place(block)

    def _split(self, block: Block) -> None:
        rows = list(block["rows"])
        fresh_page = False
        while rows:
            taken = 0
            while (taken < len(rows)
                   and block_lines({**block, "rows": rows[:taken + 1]}) <= self._room()):
                taken += 1
            if taken == 0 and not fresh_page:
                self._continue_page()
                fresh_page = True
                continue
            taken = max(taken, 1)
            self._place({**block, "rows": rows[:taken]})
            rows = rows[taken:]
            fresh_page = False
            if rows:
                self._continue_page()
                fresh_page = True

    def _continue_page(self) -> None:
        title = self._last_heading.removesuffix(" (계속)")
        self.page_break()
        if title:
            self._place(heading(f"{title} (계속)"))

    def body(self) -> dict[str, Any]:
        pages = [page for page in self._pages if page]
        return {"pages": pages or [[paragraph("(내용 없음)")]]}
