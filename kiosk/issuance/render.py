"""Renders a signed document to A4 PDF pages: form header, body, certification, 2D code.

Input is a :class:`~kiosk.issuance.document.SignedDocument` (the backend's signed content); output
is the PDF bytes the kiosk then signs as a whole (:mod:`kiosk.issuance.pades`) and prints. Exactly
``content.pages`` pages come out: page *i* holds ``body["pages"][i]``, with the type shrunk until it
fits (never split or dropped; an overfull page is an error).

Every page carries what a verifier compares with the paper: the issuing authority, issue date and
time, kiosk id, the 12-digit 문서확인번호 in groups of four (1234-5678-9012), page x / y, and a QR
code (ISO/IEC 18004, via segno, level M) holding :func:`~kiosk.issuance.document.encode_code` of
the signed fields and their signature, on a white quiet zone of four modules. The sheet has the
copy-evident security background of :mod:`kiosk.issuance.render_background`, tinted and headed per
document category (:mod:`kiosk.issuance.render_styles`). The last page ends with the certification
sentence and the authority's name under a red seal mark, as Korean certificates do.

Output is deterministic (reportlab ``invariant`` mode): the same signed document renders to the
same bytes, so a re-print is identical.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from io import BytesIO
from typing import Any

import segno
from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from kiosk.errors import IssuanceError
from kiosk.issuance.document import SignedDocument, encode_code, format_document_number
from kiosk.issuance.render_background import MM, PAGE_HEIGHT, PAGE_WIDTH, define_background
from kiosk.issuance.render_blocks import Fonts, Placed, draw_blocks, layout_blocks
from kiosk.issuance.render_fonts import register_fonts
from kiosk.issuance.render_styles import CategoryStyle, style_for

MARGIN = 20 * MM  # content margin; the guilloche band lies outside it
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
TOP = PAGE_HEIGHT - 17 * MM  # baseline of the top line (number and page)
BAND_HEIGHT_FIRST = 15 * MM
BAND_HEIGHT_NEXT = 9 * MM
FOOTER_TOP = 44 * MM  # body ends above this; footer and 2D code below
CERTIFICATION_HEIGHT = 42 * MM  # space the last page keeps for the certification and seal
QR_SIZE = 25 * MM  # printed side of the 2D code incl. quiet zone: ~0.38 mm modules at v10
QR_QUIET_MODULES = 4  # ISO/IEC 18004 §6.3.8 quiet zone
QR_ERROR_LEVEL = "m"  # ~15 % recovery: survives toner streaks, keeps the code small
BODY_SIZES = (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0)  # tried in order until a page fits
SEAL_RED = (0.80, 0.10, 0.12)
SEAL_SIZE = 21 * MM
SEAL_ALPHA = 0.85  # stamped ink lets the name beneath show through
CERTIFICATION = "위 증명서는 전산 기록의 내용과 틀림없음을 증명합니다."
VERIFY_HINT = "위·변조 확인: 2D 코드를 스캔하거나 'kiosk verify'로 PDF 전자서명을 확인하십시오."
ISSUED_BY_KIOSK = "이 문서는 무인민원발급기에서 발급되었습니다."

# Binary (Flate only) streams instead of reportlab's default ASCII85 + Flate: a third smaller and
# several times faster to write. ASCII85 only matters for 7-bit transports, which PDFs no longer
# cross. Process-wide by reportlab's design; any PDF reader accepts either.
rl_config.useA85 = 0


def _issued_at_display(issued_at: str) -> tuple[str, str]:
    """('2026년 11월 23일', '02:14:05 (UTC+09:00)') from the contract's ISO 8601 text."""
    moment = datetime.fromisoformat(issued_at)
    return (f"{moment.year}년 {moment.month}월 {moment.day}일",
            f"{moment:%H:%M:%S} (UTC{issued_at[-6:]})")


def _define_code(canvas: Canvas, text: str) -> str:
    """Draw the 2D code once as a form XObject and return its name."""
    qr = segno.make(text, error=QR_ERROR_LEVEL, micro=False, boost_error=False)
    matrix = qr.matrix
    modules = len(matrix) + 2 * QR_QUIET_MODULES
    module = QR_SIZE / modules
    canvas.beginForm("KioskCode", lowerx=0, lowery=0, upperx=QR_SIZE, uppery=QR_SIZE)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(0, 0, QR_SIZE, QR_SIZE, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    ops = []
    for row_index, row in enumerate(matrix):
        y = QR_SIZE - (row_index + QR_QUIET_MODULES + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            ops.append(f"{(start + QR_QUIET_MODULES) * module:.3f} {y:.3f} "
                       f"{(column - start) * module:.3f} {module:.3f} re")
    ops.append("f")
    canvas.addLiteral("\n".join(ops))
    canvas.endForm()
    return "KioskCode"


def _header(canvas: Canvas, signed: SignedDocument, style: CategoryStyle, fonts: Fonts,
            page: int) -> float:
    """Draw the top line and title band; return the y where the body starts."""
    content = signed.content
    canvas.setFillColorRGB(0.15, 0.15, 0.15)
    canvas.setFont(fonts.bold, 8.5)
    canvas.drawString(MARGIN, TOP, f"문서확인번호  {format_document_number(content.number)}")
    canvas.setFont(fonts.regular, 8.5)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, TOP, f"{page} / {content.pages} 쪽")
    band = BAND_HEIGHT_FIRST if page == 1 else BAND_HEIGHT_NEXT
    band_top = TOP - 3 * MM
    canvas.setFillColorRGB(*style.accent)
    canvas.rect(MARGIN, band_top - band, CONTENT_WIDTH, band, stroke=0, fill=1)
    canvas.setFillColorRGB(*style.band_text)
    title = content.title if page == 1 else f"{content.title} (계속)"
    title_size = 19 if page == 1 else 12
    canvas.setFont(fonts.bold, title_size)
    canvas.drawCentredString(PAGE_WIDTH / 2, band_top - band / 2 - title_size * 0.36, title)
    canvas.setFont(fonts.bold, 8)
    canvas.drawString(MARGIN + 3 * MM, band_top - band / 2 - 3, style.label)
    y = band_top - band - 1.2 * MM
    canvas.setStrokeColorRGB(*style.accent)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)
    if page == 1:
        canvas.setFillColorRGB(0.35, 0.35, 0.35)
        canvas.setFont(fonts.regular, 7.5)
        canvas.drawString(MARGIN, y - 3.6 * MM, style.basis)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, y - 3.6 * MM, ISSUED_BY_KIOSK)
        y -= 4.6 * MM
    return y - 4 * MM


def _seal(canvas: Canvas, authority: str, fonts: Fonts, x: float, y: float) -> None:
    """A red square seal mark (관인 style) with the authority's name, lower-left at (x, y)."""
    chars = [char for char in authority if not char.isspace()] + ["인"]
    rows = math.ceil(math.sqrt(len(chars)))
    columns = math.ceil(len(chars) / rows)
    inner = SEAL_SIZE - 2.6 * MM
    cell = inner / max(columns, rows)
    canvas.saveState()
    canvas.setStrokeColorRGB(*SEAL_RED, alpha=SEAL_ALPHA)
    canvas.setFillColorRGB(*SEAL_RED, alpha=SEAL_ALPHA)
    canvas.setLineWidth(1.6)
    canvas.rect(x, y, SEAL_SIZE, SEAL_SIZE, stroke=1, fill=0)
    canvas.setLineWidth(0.5)
    canvas.rect(x + 0.9 * MM, y + 0.9 * MM, SEAL_SIZE - 1.8 * MM, SEAL_SIZE - 1.8 * MM,
                stroke=1, fill=0)
    canvas.setFont(fonts.bold, cell * 0.82)
    origin_x = x + (SEAL_SIZE - columns * cell) / 2
    origin_y = y + SEAL_SIZE - (SEAL_SIZE - rows * cell) / 2
    for index, char in enumerate(chars):
        # Seals read in columns from right to left, top to bottom.
        column, row = divmod(index, rows)
        cx = origin_x + (columns - 1 - column + 0.5) * cell
        cy = origin_y - (row + 0.5) * cell
        canvas.drawCentredString(cx, cy - cell * 0.3, char)
    canvas.restoreState()


def _certification(canvas: Canvas, signed: SignedDocument, fonts: Fonts) -> None:
    content = signed.content
    date_text, _ = _issued_at_display(content.issued_at)
    top = FOOTER_TOP + CERTIFICATION_HEIGHT
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(fonts.regular, 10.5)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 8 * MM, CERTIFICATION)
    canvas.setFont(fonts.regular, 10.5)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 16 * MM, date_text)
    canvas.setFont(fonts.bold, 17)
    name_y = top - 30 * MM
    canvas.drawCentredString(PAGE_WIDTH / 2, name_y, content.authority)
    name_width = canvas.stringWidth(content.authority, fonts.bold, 17)
    _seal(canvas, content.authority, fonts, PAGE_WIDTH / 2 + name_width / 2 - 3 * MM,
          name_y - SEAL_SIZE / 2 + 2 * MM)


def _footer(canvas: Canvas, signed: SignedDocument, fonts: Fonts, code_form: str,
            page: int) -> None:
    content = signed.content
    date_text, time_text = _issued_at_display(content.issued_at)
    canvas.setStrokeColorRGB(0.3, 0.3, 0.3)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, FOOTER_TOP - 2 * MM, PAGE_WIDTH - MARGIN, FOOTER_TOP - 2 * MM)
    code_x = PAGE_WIDTH - MARGIN - QR_SIZE
    code_y = FOOTER_TOP - 3 * MM - QR_SIZE
    canvas.saveState()
    canvas.translate(code_x, code_y)
    canvas.doForm(code_form)
    canvas.restoreState()
    rows = (("발급기관", content.authority), ("발급일시", f"{date_text} {time_text}"),
            ("문서확인번호", format_document_number(content.number)),
            ("무인민원발급기", content.kiosk_id), ("거래번호", content.transaction_id))
    y = FOOTER_TOP - 7.5 * MM
    for label, value in rows:
        canvas.setFillColorRGB(0.3, 0.3, 0.3)
        canvas.setFont(fonts.bold, 8)
        canvas.drawString(MARGIN, y, label)
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(fonts.regular, 8.5)
        canvas.drawString(MARGIN + 24 * MM, y, value)
        y -= 4.0 * MM
    canvas.setFillColorRGB(0.35, 0.35, 0.35)
    canvas.setFont(fonts.regular, 6.5)
    canvas.drawString(MARGIN, y, VERIFY_HINT)
    canvas.drawCentredString(code_x + QR_SIZE / 2, code_y - 3 * MM, "위·변조 확인 2D 코드")
    canvas.setFont(fonts.regular, 8.5)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawCentredString(PAGE_WIDTH / 2, 12.8 * MM, f"- {page} / {content.pages} -")


def _fit(blocks: Sequence[Mapping[str, Any]], height: float, fonts: Fonts,
         style: CategoryStyle, page: int) -> tuple[float, list[Placed]]:
    for size in BODY_SIZES:
        used, placed = layout_blocks(blocks, CONTENT_WIDTH, size, fonts, style)
        if used <= height:
            return size, placed
    raise IssuanceError(f"page {page}: the body does not fit on an A4 page even at "
                        f"{BODY_SIZES[-1]} pt", step="render", code="issuance.render_overflow")


def render_document(signed: SignedDocument) -> bytes:
    """Render ``signed`` to A4 PDF bytes with exactly ``signed.content.pages`` pages.

    Raises:
        IssuanceError: a page's body does not fit on the sheet (``issuance.render_overflow``).
    """
    regular, bold = register_fonts()
    fonts = Fonts(regular, bold)
    content = signed.content
    style = style_for(content.document_code)
    out = BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True,
                    pageCompression=True)
    canvas.setTitle(content.title)
    canvas.setAuthor(content.authority)
    canvas.setSubject(f"문서확인번호 {format_document_number(content.number)}")
    canvas.setKeywords(content.document_code)
    canvas.setCreator("kiosk-controller")
    background = define_background(canvas, style.tint, style.accent, bold)
    code_form = _define_code(canvas, encode_code(signed.code_fields, signed.code_signature))
    for index, blocks in enumerate(content.body["pages"]):
        page = index + 1
        canvas.doForm(background)
        body_top = _header(canvas, signed, style, fonts, page)
        body_bottom = FOOTER_TOP + (CERTIFICATION_HEIGHT if page == content.pages else 0)
        size, placed = _fit(blocks, body_top - body_bottom, fonts, style, page)
        draw_blocks(canvas, placed, MARGIN, body_top, size)
        if page == content.pages:
            _certification(canvas, signed, fonts)
        _footer(canvas, signed, fonts, code_form, page)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
