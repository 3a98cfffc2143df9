"""Rendering signed documents to A4 PDF: page count, what every page shows, the 2D code's
content (read back from the PDF and, where zbar is installed, scanned from the rendered image),
determinism, category headers and overflow."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from kiosk.errors import IssuanceError
from kiosk.issuance.document import encode_code, sign_document
from kiosk.issuance.render import QR_QUIET_MODULES, QR_SIZE, render_document
from kiosk.issuance.render_background import PAGE_HEIGHT, PAGE_WIDTH
from kiosk.issuance.render_blocks import wrap
from kiosk.issuance.render_fonts import register_fonts
from kiosk.issuance.render_sample import sample_content
from tests.issuance.document_support import content_key, signed_sample

RECT = re.compile(rb"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re")


def pages_of(pdf: bytes) -> list:
    reader = PdfFileReader(BytesIO(pdf), strict=True)
    count = int(reader.root["/Pages"]["/Count"])
    return [reader.find_page_for_modification(index)[0].get_object() for index in range(count)]


def page_text(pdf_path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page),
                           str(pdf_path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.parametrize("pages", [1, 2, 5])
def test_exactly_the_content_pages_come_out_as_a4(pages: int) -> None:
    pdf = render_document(signed_sample(pages))
    rendered = pages_of(pdf)
    assert len(rendered) == pages
    for page in rendered:
        box = [float(value) for value in page["/MediaBox"]]
        assert box == pytest.approx([0, 0, PAGE_WIDTH, PAGE_HEIGHT], abs=0.01)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) absent")
def test_every_page_shows_number_time_kiosk_and_page(tmp_path: Path) -> None:
    signed = signed_sample(3)
    path = tmp_path / "doc.pdf"
    path.write_bytes(render_document(signed))
    for page in (1, 2, 3):
        text = page_text(path, page)
        assert "4820-1937-5520" in text
        assert "2026년 11월 23일 14:05:09" in text
        assert "jongno-0001" in text
        assert "서울특별시 종로구청장" in text
        assert f"{page}/3쪽" in text.replace(" ", "")
    first, last = page_text(path, 1), page_text(path, 3)
    assert "주민등록표 등본" in first and "홍길동" in first
    assert "틀림없음을 증명합니다" in last and "틀림없음을 증명합니다" not in first


def code_matrix_from_pdf(pdf: bytes) -> list[list[bool]]:
    """Rebuild the QR module matrix from the rectangles of the code's form XObject."""
    page = pages_of(pdf)[0]
    for xobject in page["/Resources"]["/XObject"].values():
        stream = xobject.get_object()
        box = [float(value) for value in stream["/BBox"]]
        if box[2] == pytest.approx(QR_SIZE, abs=0.01):
            break
    else:
        raise AssertionError("no 2D-code form on the page")
    rects = [tuple(float(value) for value in match.groups())
             for match in RECT.finditer(stream.data)]
    rects = [rect for rect in rects if rect[2] < QR_SIZE / 2]  # not the white quiet zone
    lefts = sorted({round(x, 3) for x, _, _, _ in rects})
    module = rects[0][3]
    size = round(QR_SIZE / module) - 2 * QR_QUIET_MODULES
    assert lefts[0] == pytest.approx(QR_QUIET_MODULES * module, abs=0.01)
    matrix = [[False] * size for _ in range(size)]
    for x, y, width, _ in rects:
        row = round((QR_SIZE - y) / module) - 1 - QR_QUIET_MODULES
        start = round(x / module) - QR_QUIET_MODULES
        for column in range(start, start + round(width / module)):
            matrix[row][column] = True
    return matrix


def test_the_2d_code_drawn_is_the_signed_code_text() -> None:
    signed = signed_sample(2)
    expected = segno.make(encode_code(signed.code_fields, signed.code_signature), error="m",
                          micro=False, boost_error=False)
    assert code_matrix_from_pdf(render_document(signed)) == [
        [bool(module) for module in row] for row in expected.matrix]


@pytest.mark.skipif(shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
                    reason="zbarimg (zbar-tools) or pdftoppm (poppler-utils) absent")
def test_the_2d_code_scans_from_the_rendered_page(tmp_path: Path) -> None:
    signed = signed_sample(2)
    (tmp_path / "doc.pdf").write_bytes(render_document(signed))
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", "-f", "2", "-l", "2",
                    str(tmp_path / "doc.pdf"), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    scanned = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert scanned == encode_code(signed.code_fields, signed.code_signature)


def test_rendering_is_deterministic() -> None:
    signed = signed_sample(2)
    assert render_document(signed) == render_document(signed)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) absent")
@pytest.mark.parametrize(("code", "label"), [
    ("resident-copy", "주민등록"), ("family-relation", "가족관계등록"),
    ("land-register", "토지·임야"), ("building-register-general", "건축물"),
    ("local-tax-payment", "지방세"), ("military-service", "민원서류"),
])
def test_each_category_has_its_header(tmp_path: Path, code: str, label: str) -> None:
    signed = sign_document(sample_content(1, document_code=code, title="증명서"), content_key())
    path = tmp_path / "doc.pdf"
    path.write_bytes(render_document(signed))
    header = page_text(path, 1).splitlines()[:4]
    assert any(label in line for line in header)


def test_a_page_that_cannot_fit_is_an_error_not_a_new_page() -> None:
    rows = [[str(index), "서울특별시 종로구 세종대로 209", "2015-03-02", "전입"]
            for index in range(300)]
    content = sample_content(1)
    body = {"pages": [[{"type": "table", "columns": ["번호", "주소", "일자", "사유"],
                        "rows": rows}]]}
    signed = sign_document(replace(content, body=body), content_key())
    with pytest.raises(IssuanceError) as caught:
        render_document(signed)
    assert caught.value.code == "issuance.render_overflow"
    assert caught.value.step == "render"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("가나다라마 바사아자 ABC xyz 0123-,()\n"), max_size=200),
       st.floats(min_value=30, max_value=400))
def test_wrapped_lines_fit_and_keep_every_character(text: str, width: float) -> None:
    regular, _ = register_fonts()
    lines = wrap(text, regular, 10, width)
    for line in lines:
        assert stringWidth(line, regular, 10) <= width or len(line) == 1
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
