"""Land forms: 토지대장 and 임야대장 (공간정보관리법 Art. 71), 토지이용계획확인서 (토지이용규제
기본법 Art. 10) and 개별공시지가확인서 (부동산 가격공시에 관한 법률 Art. 10).

These need no identity: anyone may obtain them for a parcel, given by its lot address or its
19-digit 고유번호. Owners are shown by name with the back half of their RRN masked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.backend.forms_base import FormRequest, NotFound
from sim.backend.layout import (
    Pager,
    fields,
    heading,
    korean_date,
    masked_rrn,
    paragraph,
    square_metres,
    table,
)
from sim.backend.records import Ownership, Parcel, find_parcel
from sim.backend.subjects import ADDRESS_HISTORY, PEOPLE

PRICE_ANNOUNCED = "{year}-04-30"  # 개별공시지가 결정·공시일 (부동산공시법 시행령 Art. 21)
PRICE_BASE_DATE = "{year}-01-01"  # 가격기준일
LAND_USE_NOTES = (  # 유의사항 of the 토지이용계획확인서 (토지이용규제 기본법 시행규칙 별지 2)
    "1. 토지이용계획확인서는 「토지이용규제 기본법」 제5조 각 호에 따른 지역·지구등의 지정 "
    "내용과 그 지역·지구등에서의 행위제한 내용, 그리고 같은 법 시행령 제9조제4항에서 정하는 "
    "사항을 확인해 드리는 것으로서 지역·지구·구역 등의 명칭을 쓰는 모든 것을 확인해 드리는 "
    "것은 아닙니다.",
    "2. 지역·지구등의 지정 여부는 확인도면의 축척이 작아 정확한 경계를 확인하기 어려우므로 "
    "관계 기관에 문의하시기 바랍니다.",
    "3. 행위제한 내용은 신청인의 편의를 도모하기 위하여 관계 법령 및 자치법규에 규정된 내용을 "
    "그대로 제공해 드리는 것으로서 신청인이 신청한 경우에만 제공됩니다.",
)


def parcel_for(request: FormRequest, *, forest: bool | None = None) -> Parcel:
    parcel = find_parcel(request.options["parcel"])
    if parcel is None:
        raise NotFound("no parcel with that address or 고유번호")
    if forest is not None and parcel.forest != forest:
        raise NotFound("that parcel is on the " + ("임야대장" if parcel.forest else "토지대장"))
    return parcel


def format_pnu(pnu: str) -> str:
    return f"{pnu[:10]}-{pnu[10]}{pnu[11:15]}-{pnu[15:]}"


def _location_and_number(parcel: Parcel) -> tuple[str, str]:
    location, _, number = parcel.address.rpartition(" ")
    if location.endswith(" 산"):
        location, number = location[:-2], "산 " + number
    return location, number


def owner_cells(ownership: Ownership) -> list[str]:
    person = PEOPLE.get(ownership.owner)
    if person is None:
        return [ownership.owner, "-", "-"]
    address = ADDRESS_HISTORY[person.key][-1].address if person.key in ADDRESS_HISTORY else "-"
    return [f"{person.name} ({person.hanja})" if person.hanja else person.name,
            masked_rrn(person.rrn), address]


def _register(request: FormRequest, *, forest: bool) -> dict[str, Any]:
    parcel = parcel_for(request, forest=forest)
    title = "임야대장" if forest else "토지대장"
    location, number = _location_and_number(parcel)
    pager = Pager()
    pager.add(heading(title), fields([
        ("고유번호", format_pnu(parcel.pnu)), ("토지소재", location), ("지번", number),
        ("축척", "1:6000" if forest else "1:600"),
    ]))
    history = request.options["history"] == "include"
    land_rows = [[parcel.category, square_metres(parcel.area_m2), "(01) 지적공부 정리"]]
    if history:
        land_rows.insert(0, [parcel.category, "-", "(20) 분할되어 본번에 부번을 부함"])
    pager.add(heading("토지 표시"), table(["지목", "면적", "사유"], land_rows))
    owners = parcel.owners if history else parcel.owners[-1:]
    pager.add(heading("소유자"), table(
        ["변동일자", "변동원인", "성명 또는 명칭", "등록번호", "주소"],
        [[korean_date(owner.since), owner.cause, *owner_cells(owner)] for owner in owners]))
    pager.add(heading("토지등급 및 개별공시지가"), table(
        ["기준일자", "개별공시지가(원/㎡)", "토지등급"],
        [[PRICE_BASE_DATE.format(year=year), f"{price:,}", parcel.land_grade or "-"]
         for year, price in parcel.prices]))
    pager.add(paragraph(f"{title}에 의하여 작성한 등본입니다."))
    return pager.body()


def land_register(request: FormRequest) -> dict[str, Any]:
    return _register(request, forest=False)


def forest_register(request: FormRequest) -> dict[str, Any]:
    return _register(request, forest=True)


def land_use_plan(request: FormRequest) -> dict[str, Any]:
    parcel = parcel_for(request)
    location, number = _location_and_number(parcel)
    year, price = parcel.prices[-1]
    pager = Pager()
    pager.add(heading("토지이용계획확인서"), fields([
        ("소재지", location), ("지번", number), ("지목", parcel.category),
        ("면적", square_metres(parcel.area_m2)),
        ("개별공시지가(원/㎡)", f"{price:,}원 ({year}/01)"),
    ]))
    pager.add(heading("지역·지구등 지정여부"), fields([
        ("「국토의 계획 및 이용에 관한 법률」에 따른 지역·지구등", ", ".join(parcel.zoning)),
        ("다른 법령 등에 따른 지역·지구등", ", ".join(parcel.other_zoning) or "해당 없음"),
        ("「토지이용규제 기본법 시행령」 제9조제4항 각 호에 해당되는 사항", "해당 없음"),
    ]))
    pager.add(heading("확인도면 범례"), table(
        ["범례", "구분"], [[zone, "지역·지구"] for zone in parcel.zoning]
        + [[zone.split("<")[0], "다른 법령"] for zone in parcel.other_zoning]))
    pager.add(heading("유의사항"), paragraph("\n".join(LAND_USE_NOTES)))
    pager.add(paragraph("「토지이용규제 기본법」 제10조제1항에 따라 귀하의 신청토지에 대한 "
                        "현재의 토지이용계획을 위와 같이 확인합니다."))
    return pager.body()


def land_price(request: FormRequest) -> dict[str, Any]:
    parcel = parcel_for(request)
    location, number = _location_and_number(parcel)
    pager = Pager()
    pager.add(heading("개별공시지가확인서"), fields([
        ("신청대상토지 소재지", location), ("지번", number), ("지목", parcel.category)]))
    pager.add(heading("확인내용"), table(
        ["가격기준년도", "토지소재지", "지번", "개별공시지가(원/㎡)", "기준일자", "공시일자"],
        [[str(year), location, number, f"{price:,}", PRICE_BASE_DATE.format(year=year),
          PRICE_ANNOUNCED.format(year=year)] for year, price in reversed(parcel.prices)]))
    pager.add(paragraph("「부동산 가격공시에 관한 법률」 제10조에 따른 개별공시지가를 위와 같이 "
                        "확인합니다."))
    return pager.body()


LAND_FORMS: dict[str, Callable[[FormRequest], dict[str, Any]]] = {
    "land-register": land_register,
    "forest-register": forest_register,
    "land-use-plan": land_use_plan,
    "land-price": land_price,
}
