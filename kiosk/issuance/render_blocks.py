"""Lays out and draws the body blocks of a document page (headings, paragraphs, fields, tables).

The block vocabulary is the document contract's (:mod:`kiosk.issuance.document`). Layout is a
pure measuring pass that returns placed items with their heights, so the renderer can shrink the
type until a page's blocks fit (the backend decides the page breaks; the kiosk never adds or drops
a page). Korean text wraps at spaces and, for runs longer than a line (addresses, numbers), at
any character, as Korean typesetting allows (KLREQ, W3C Note "Requirements for Hangul Text
Layout" §3.1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from kiosk.issuance.render_styles import RGB, CategoryStyle

LINE_SPACING = 1.42  # line height / font size
CELL_PADDING = 3.5  # points inside table and field cells
BLOCK_GAP = 0.7  # space between blocks, in font sizes
GRID_WIDTH = 0.5
GRID_GREY = (0.45, 0.47, 0.50)
MAX_LABEL_SHARE = 0.3  # a field label column takes at most this share of the width
TWO_UP_SHARE = 0.5  # fields go two pairs per row when every pair fits half the width

Draw = Callable[[Canvas, float, float], None]  # (canvas, x, top y)


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str


@dataclass(frozen=True)
class Placed:
    """One laid-out block: its height in points and how to draw it at (x, top)."""

    height: float
    draw: Draw


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (at spaces, else at any character)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if stringWidth(candidate, font, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:
                if line and stringWidth(line + char, font, size) > width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


def _tint(colour: RGB, strength: float) -> RGB:
    return tuple(1 - strength * (1 - channel) for channel in colour)  # type: ignore[return-value]


def _draw_lines(canvas: Canvas, lines: Sequence[str], font: str, size: float, x: float,
                top: float) -> None:
    canvas.setFont(font, size)
    baseline = top - size * 1.05
    for line in lines:
        canvas.drawString(x, baseline, line)
        baseline -= size * LINE_SPACING


@dataclass(frozen=True)
class _Cell:
    width: float
    lines: tuple[str, ...]
    font: str
    fill: RGB | None


def _cell(text: str, width: float, font: str, size: float, fill: RGB | None) -> _Cell:
    return _Cell(width, tuple(wrap(text, font, size, width - 2 * CELL_PADDING)), font, fill)


def _grid(rows: list[list[_Cell]], size: float) -> Placed:
    heights = [max(len(cell.lines) for cell in row) * size * LINE_SPACING + 2 * CELL_PADDING
               for row in rows]

    def draw(canvas: Canvas, x: float, top: float) -> None:
        canvas.setLineWidth(GRID_WIDTH)
        canvas.setStrokeColorRGB(*GRID_GREY)
        row_top = top
        for row, height in zip(rows, heights, strict=True):
            cell_x = x
            for cell in row:
                if cell.fill is not None:
                    canvas.setFillColorRGB(*cell.fill)
                    canvas.rect(cell_x, row_top - height, cell.width, height, stroke=1, fill=1)
                else:
                    canvas.rect(cell_x, row_top - height, cell.width, height, stroke=1, fill=0)
                canvas.setFillColorRGB(0, 0, 0)
                _draw_lines(canvas, cell.lines, cell.font, size, cell_x + CELL_PADDING,
                            row_top - CELL_PADDING)
                cell_x += cell.width
            row_top -= height

    return Placed(sum(heights), draw)


def _fields(rows: Sequence[Sequence[str]], width: float, size: float, fonts: Fonts,
            style: CategoryStyle) -> Placed:
    label_fill = _tint(style.accent, 0.12)
    label_width = min(max(stringWidth(label, fonts.bold, size) for label, _ in rows)
                      + 2 * CELL_PADDING + 2, width * MAX_LABEL_SHARE)
    half = width / 2
    two_up = len(rows) > 1 and all(
        stringWidth(value, fonts.regular, size) + 2 * CELL_PADDING <= half - label_width
        for _, value in rows)
    per_row = 2 if two_up else 1
    value_width = width / per_row - label_width
    grid: list[list[_Cell]] = []
    for start in range(0, len(rows), per_row):
        line: list[_Cell] = []
        for label, value in rows[start:start + per_row]:
            line.append(_cell(label, label_width, fonts.bold, size, label_fill))
            line.append(_cell(value, value_width, fonts.regular, size, None))
        if len(line) < 2 * per_row:
            line.append(_cell("", label_width, fonts.bold, size, label_fill))
            line.append(_cell("", value_width, fonts.regular, size, None))
        grid.append(line)
    return _grid(grid, size)


def _column_widths(columns: Sequence[str], rows: Sequence[Sequence[str]], width: float,
                   size: float, fonts: Fonts) -> list[float]:
    natural = []
    for index, column in enumerate(columns):
        widest = max([stringWidth(column, fonts.bold, size)]
                     + [stringWidth(row[index], fonts.regular, size) for row in rows])
        natural.append(widest + 2 * CELL_PADDING + 1)
    total = sum(natural)
    if total <= width:
        spare = (width - total) / len(natural)
        return [share + spare for share in natural]
    # Max-min fair share ("water filling"): narrow columns keep their natural width, so dates
    # and numbers stay on one line; the wide ones (addresses) share what is left and wrap.
    widths: list[float | None] = [None] * len(natural)
    left = width
    while True:
        open_columns = [index for index, value in enumerate(widths) if value is None]
        fair = left / len(open_columns)
        satisfied = [index for index in open_columns if natural[index] <= fair]
        if not satisfied:
            for index in open_columns:
                widths[index] = fair
            return [value or 0.0 for value in widths]
        for index in satisfied:
            widths[index] = natural[index]
            left -= natural[index]


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]], width: float, size: float,
           fonts: Fonts, style: CategoryStyle) -> Placed:
    widths = _column_widths(columns, rows, width, size, fonts)
    head_fill = _tint(style.accent, 0.18)
    grid = [[_cell(text, cell_width, fonts.bold, size, head_fill)
             for text, cell_width in zip(columns, widths, strict=True)]]
    grid.extend([_cell(text, cell_width, fonts.regular, size, None)
                 for text, cell_width in zip(row, widths, strict=True)] for row in rows)
    return _grid(grid, size)


def _heading(text: str, width: float, size: float, fonts: Fonts,
             style: CategoryStyle) -> Placed:
    heading_size = size * 1.2
    lines = wrap(text, fonts.bold, heading_size, width - 8)
    height = len(lines) * heading_size * LINE_SPACING

    def draw(canvas: Canvas, x: float, top: float) -> None:
        canvas.setFillColorRGB(*style.accent)
        canvas.rect(x, top - height + 2, 2.5, height - 3, stroke=0, fill=1)
        canvas.setFillColorRGB(0, 0, 0)
        _draw_lines(canvas, lines, fonts.bold, heading_size, x + 8, top)

    return Placed(height, draw)


def _paragraph(text: str, width: float, size: float, fonts: Fonts) -> Placed:
    lines = wrap(text, fonts.regular, size, width)

    def draw(canvas: Canvas, x: float, top: float) -> None:
        canvas.setFillColorRGB(0, 0, 0)
        _draw_lines(canvas, lines, fonts.regular, size, x, top)

    return Placed(len(lines) * size * LINE_SPACING, draw)


def layout_blocks(blocks: Sequence[Mapping[str, Any]], width: float, size: float,
                  fonts: Fonts, style: CategoryStyle) -> tuple[float, list[Placed]]:
    """Place ``blocks`` in a column ``width`` wide at font ``size``: (total height, items)."""
    placed: list[Placed] = []
    for block in blocks:
        kind = block["type"]
        if kind == "heading":
            placed.append(_heading(block["text"], width, size, fonts, style))
        elif kind == "paragraph":
            placed.append(_paragraph(block["text"], width, size, fonts))
        elif kind == "fields":
            placed.append(_fields(block["rows"], width, size, fonts, style))
        else:
            placed.append(_table(block["columns"], block["rows"], width, size, fonts, style))
    gaps = BLOCK_GAP * size * max(len(placed) - 1, 0)
    return sum(item.height for item in placed) + gaps, placed


def draw_blocks(canvas: Canvas, placed: Sequence[Placed], x: float, top: float,
                size: float) -> None:
    """Draw laid-out blocks from ``top`` downwards."""
    for item in placed:
        item.draw(canvas, x, top)
        top -= item.height + BLOCK_GAP * size
