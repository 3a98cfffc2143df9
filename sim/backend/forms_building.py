"""Building registers (건축물대장의 기재 및 관리 등에 관한 규칙, 별지 서식 1-5): 일반건축물대장
(갑/을) and 집합건축물대장 (표제부 갑/을, or 전유부 갑/을 when a unit is given).

No identity is needed; the building is given by road or lot address. Each paper sheet (갑, 을)
starts on a new page, so a register runs to two to four pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.backend.forms_base import FormRequest, MissingOption, NotFound
from sim.backend.forms_land import format_pnu, owner_cells
from sim.backend.layout import Pager, fields, heading, korean_date, paragraph, square_metres, table
from sim.backend.records import Building, Unit, find_building, normalise_place

CERTIFICATION = "이 등(초)본은 건축물대장의 원본내용과 틀림없음을 증명합니다."
FLOOR_COLUMNS = ["구분", "층별", "구조", "용도", "면적"]
OWNER_COLUMNS = ["성명(명칭)", "주민(법인)등록번호", "주소", "지분", "변동일자", "변동원인"]


def _building(request: FormRequest, *, collective: bool) -> Building:
    building = find_building(request.options["address"])
    if building is None:
        raise NotFound("no building at that address")
    if building.collective != collective:
        raise NotFound("that building is on the " + ("집합건축물대장" if building.collective
                                                     else "일반건축물대장"))
    return building


def _floor_label(level: str) -> str:
    return f"지하{level[1:]}층" if level.startswith("지") else f"{level}층"


def _overview(building: Building, sheet: str) -> list[dict[str, Any]]:
    ratio_building = 100 * building.building_m2 / building.site_m2
    above = sum(floor.area_m2 for floor in building.floors if not floor.level.startswith("지"))
    ratio_floor = 100 * above / building.site_m2
    rows = [("고유번호", format_pnu(building.pnu)), ("대지위치", building.lot_address),
            ("도로명주소", building.road_address)]
    if building.name:
        rows.append(("명칭", f"{building.name} {building.dong}".strip()))
    rows += [("대지면적", square_metres(building.site_m2)),
             ("건축면적", square_metres(building.building_m2)),
             ("연면적", square_metres(building.floor_m2_total)),
             ("건폐율", f"{ratio_building:.2f}%"), ("용적률", f"{ratio_floor:.2f}%"),
             ("주구조", building.structure), ("주용도", building.main_use),
             ("층수", f"지하 {building.floors_below}층 / 지상 {building.floors_above}층"),
             ("높이", f"{building.height_m:.1f}m"),
             ("세대/호/가구수", f"{building.households}세대")]
    return [heading(sheet), fields(rows)]


def _floors(building: Building) -> dict[str, Any]:
    return table(FLOOR_COLUMNS, [["주" if index == 0 else "", _floor_label(floor.level),
                                  floor.structure, floor.use, square_metres(floor.area_m2)]
                                 for index, floor in enumerate(building.floors)])


def _owners(owners: tuple[Any, ...]) -> dict[str, Any]:
    current = owners[-1]
    return table(OWNER_COLUMNS, [[*owner_cells(current)[:3], "1/1",
                                  korean_date(current.since), current.cause]])


def _changes_sheet(pager: Pager, building: Building, sheet: str) -> None:
    pager.page_break()
    pager.add(heading(sheet), fields([
        ("사용승인일", korean_date(building.approved_on)), ("주차장", building.parking),
        ("승강기", "승용 2대" if building.collective else "-"),
        ("오수정화시설", "공공하수처리시설 연결")]))
    pager.add(heading("변동사항"), table(
        ["변동일", "변동내용 및 원인"],
        [[korean_date(day), text] for day, text in building.changes]))
    pager.add(paragraph(CERTIFICATION))


def _summary(pager: Pager, building: Building, sheet: str) -> None:
    """총괄표제부: the whole site, every building (동) on it."""
    dongs = building.complex_dongs or ((building.dong or "주건축물", building.households,
                                        building.floor_m2_total),)
    pager.add(heading(sheet), fields([
        ("고유번호", format_pnu(building.pnu)), ("대지위치", building.lot_address),
        ("도로명주소", building.road_address), ("명칭", building.name or "-"),
        ("대지면적", square_metres(building.site_m2)),
        ("연면적 합계", square_metres(sum(area for _, _, area in dongs))),
        ("주건축물수", f"{len(dongs)}동"),
        ("총 세대수", f"{sum(households for _, households, _ in dongs)}세대")]))
    pager.add(heading("동별 현황"), table(
        ["구분", "명칭", "주용도", "구조", "세대수", "연면적"],
        [["주", name, building.main_use, building.structure, f"{households}세대",
          square_metres(area)] for name, households, area in dongs]))


def building_register_general(request: FormRequest) -> dict[str, Any]:
    building = _building(request, collective=False)
    pager = Pager()
    if request.options["register-part"] == "summary":
        _summary(pager, building, "건축물대장(총괄표제부, 갑)")
        _changes_sheet(pager, building, "건축물대장(총괄표제부, 을)")
        return pager.body()
    pager.add(*_overview(building, "일반건축물대장(갑)"))
    pager.add(heading("건축물 현황"), _floors(building))
    pager.add(heading("소유자 현황"), _owners(building.owners))
    _changes_sheet(pager, building, "일반건축물대장(을)")
    return pager.body()


def _unit(building: Building, query: str) -> Unit:
    wanted = normalise_place(query)
    for unit in building.units:
        if wanted in (normalise_place(unit.dong + unit.ho), normalise_place(unit.ho)):
            return unit
    raise NotFound("no such unit in that building")


def building_register_collective(request: FormRequest) -> dict[str, Any]:
    building = _building(request, collective=True)
    pager = Pager()
    part = request.options["register-part"]
    if part == "summary":
        _summary(pager, building, "집합건축물대장(총괄표제부, 갑)")
        _changes_sheet(pager, building, "집합건축물대장(총괄표제부, 을)")
        return pager.body()
    if part == "title":
        pager.add(*_overview(building, "집합건축물대장(표제부, 갑)"))
        pager.add(heading("건축물 현황"), _floors(building))
        _changes_sheet(pager, building, "집합건축물대장(표제부, 을)")
        return pager.body()
    if not request.options.get("unit"):
        raise MissingOption("option 'unit' (e.g. '101동 1203호') is required for the 전유부")
    unit = _unit(building, request.options["unit"])
    pager.add(heading("집합건축물대장(전유부, 갑)"), fields([
        ("고유번호", format_pnu(building.pnu)), ("대지위치", building.lot_address),
        ("도로명주소", building.road_address), ("명칭", building.name),
        ("호명칭", f"{unit.dong} {unit.ho}")]))
    pager.add(heading("전유부분"), table(FLOOR_COLUMNS, [
        ["주", f"{unit.floor}층", building.structure, "공동주택(아파트)",
         square_metres(unit.area_m2)]]))
    pager.add(heading("공용부분"), table(FLOOR_COLUMNS, [
        ["주", "각층", building.structure, use, square_metres(area)]
        for use, area in unit.shared]))
    pager.add(heading("소유자 현황"), _owners(unit.owners))
    pager.page_break()
    pager.add(heading("집합건축물대장(전유부, 을)"), table(
        ["변동일", "변동내용 및 원인"],
        [[korean_date(owner.since), owner.cause if owner.cause.startswith("소유권")
          else f"소유권이전 ({owner.cause})"] for owner in unit.owners]))
    pager.add(paragraph(CERTIFICATION))
    return pager.body()


BUILDING_FORMS: dict[str, Callable[[FormRequest], dict[str, Any]]] = {
    "building-register-general": building_register_general,
    "building-register-collective": building_register_collective,
}
