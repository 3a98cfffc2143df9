"""A realistic, entirely fictional signed-document content for benchmarks, docs and tests.

The layout follows a 주민등록표 등본 (household, address history, members; the resident number's
back half masked as kiosks offer). The names, numbers and addresses are invented (홍길동 is the
Korean placeholder name); nothing here is anyone's personal data.
"""

from __future__ import annotations

from typing import Any

from kiosk.issuance.document import DocumentContent

SAMPLE_NUMBER = "482019375520"
SAMPLE_ISSUED_AT = "2026-11-23T14:05:09+09:00"

_ADDRESSES = (
    ("서울특별시 종로구 세종대로 209 (세종로)", "2015-03-02", "전입"),
    ("서울특별시 종로구 삼봉로 43, 101동 1203호 (수송동)", "2018-07-16", "전입"),
    ("서울특별시 종로구 자하문로 1길 12-3 (통의동)", "2021-11-30", "전입"),
    ("서울특별시 종로구 율곡로 10길 5, 2층 (와룡동)", "2024-05-08", "전입"),
)
_MEMBERS = (
    ("본인", "홍길동", "850101-1******", "2015-03-02", "전입"),
    ("배우자", "김영희", "870512-2******", "2016-09-10", "전입"),
    ("자녀", "홍하늘", "170303-3******", "2017-03-03", "출생등록"),
    ("자녀", "홍바다", "200814-4******", "2020-08-14", "출생등록"),
)


def _first_page() -> list[dict[str, Any]]:
    return [
        {"type": "fields", "rows": [
            ["세대주 성명", "홍길동"], ["세대구성 사유 및 일자", "전입세대구성 2015-03-02"],
            ["현주소", "서울특별시 종로구 율곡로 10길 5, 2층 (와룡동)"],
            ["발급 용도", "제출용"]]},
        {"type": "heading", "text": "주소 변동 사항"},
        {"type": "table", "columns": ["번호", "주소", "전입일 / 변동일", "변동사유"],
         "rows": [[str(index + 1), address, date, reason]
                  for index, (address, date, reason) in enumerate(_ADDRESSES)]},
        {"type": "heading", "text": "세대 구성원"},
        {"type": "table",
         "columns": ["세대주 관계", "성명", "주민등록번호", "전입일 / 변동일", "변동사유"],
         "rows": [list(member) for member in _MEMBERS]},
        {"type": "paragraph", "text": "이 등본은 개인의 중요한 정보가 기재되어 있으니 취급에 "
                                      "유의하시기 바랍니다. 주민등록번호 뒷자리는 신청인의 "
                                      "선택에 따라 표시하지 않았습니다."},
    ]


def _continuation_page(page: int) -> list[dict[str, Any]]:
    rows = [[str(page * 10 + index), f"서울특별시 종로구 종로 {page * 10 + index}길 {index}",
             f"20{10 + index:02d}-0{1 + index % 9}-1{index % 10}", "전입"]
            for index in range(1, 13)]
    return [
        {"type": "heading", "text": f"주소 변동 사항 (이전 기록 {page - 1})"},
        {"type": "table", "columns": ["번호", "주소", "전입일 / 변동일", "변동사유"],
         "rows": rows},
        {"type": "paragraph", "text": "이전 주소 기록은 주민등록 전산 기록에 따라 표시합니다."},
    ]


def sample_content(pages: int = 1, *, document_code: str = "resident-copy",
                   title: str = "주민등록표 등본", number: str = SAMPLE_NUMBER,
                   transaction_id: str = "txn-20261123-000042") -> DocumentContent:
    """A fictional document of ``pages`` pages (the first in full, the rest continuation)."""
    body_pages = [_first_page()] + [_continuation_page(page) for page in range(2, pages + 1)]
    return DocumentContent(
        number=number, document_code=document_code, title=title,
        authority="서울특별시 종로구청장", issued_at=SAMPLE_ISSUED_AT, kiosk_id="jongno-0001",
        transaction_id=transaction_id, body={"pages": body_pages})
