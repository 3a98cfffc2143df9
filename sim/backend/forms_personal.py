"""Personal records: 지방세 납세증명서 and 세목별 과세증명서 (지방세징수법 Art. 5, 지방세기본법
Art. 86), 자동차등록원부 갑 (자동차등록령 Art. 4-7) and 병적증명서 (병역법 Art. 11-2).

All need an identified citizen. A 납세증명서 is refused while taxes are in arrears, as at a
counter; a vehicle register is only issued for one of the citizen's own vehicles.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from sim.backend.forms_base import FormRequest, NotEntitled, NotFound, NotIssuable
from sim.backend.layout import (
    Pager,
    fields,
    heading,
    korean_date,
    masked_rrn,
    paragraph,
    table,
    won,
)
from sim.backend.records import TAXES, TaxAssessment, Vehicle, normalise_place, vehicles_of
from sim.backend.subjects import ADDRESS_HISTORY, MILITARY, MilitaryService, Person

PURPOSES = {"general": "관공서 제출 등", "payment": "대금 수령",
            "emigration": "해외 이주"}  # 증명서의 사용목적 (지방세징수법 시행규칙 별지 1)
PERIOD_YEARS = {"recent-1y": 1, "recent-3y": 3, "recent-5y": 5}  # 과세기간 options
PAYMENT_CERTIFICATE_VALID_DAYS = 30  # 납세증명서 유효기간 (지방세징수법 시행령 Art. 7)
PERIOD_DUE = {"정기분 7월": (7, 31), "정기분 9월": (9, 30), "정기분 8월": (8, 31),
              "1기분": (6, 30), "2기분": (12, 31), "연세액 일시납부": (1, 31)}  # 납기


def _taxpayer(subject: Person) -> list[tuple[str, str]]:
    return [("성명", subject.name), ("주민등록번호", masked_rrn(subject.rrn)),
            ("주소", ADDRESS_HISTORY[subject.key][-1].address)]


def _due(assessment: TaxAssessment) -> datetime.date:
    month, day = PERIOD_DUE.get(assessment.period, (12, 31))
    return datetime.date(assessment.year, month, day)


def arrears(subject_key: str, today: datetime.date) -> list[TaxAssessment]:
    """Unpaid assessments past their due date."""
    return [assessment for assessment in TAXES.get(subject_key, ())
            if assessment.paid_on is None and _due(assessment) < today]


def local_tax_payment(request: FormRequest) -> dict[str, Any]:
    subject = request.require_subject()
    if arrears(subject.key, request.today):
        raise NotIssuable("local taxes in arrears: a 납세증명서 cannot be issued")
    valid_until = request.today + datetime.timedelta(days=PAYMENT_CERTIFICATE_VALID_DAYS)
    pager = Pager()
    pager.add(heading("지방세 납세증명서"), fields([
        *_taxpayer(subject), ("증명서의 사용목적", PURPOSES[request.options["purpose"]]),
        ("유효기간", f"{korean_date(valid_until)}까지")]))
    pager.add(heading("징수유예등 또는 체납처분유예의 내역"), table(
        ["유예종류", "유예기간", "과세연도", "세목", "납부기한", "지방세액"],
        [["해당 없음", "-", "-", "-", "-", "-"]]))
    pager.add(paragraph("「지방세징수법」 제5조에 따라 위의 기재사항 외에 체납액이 없음을 "
                        "증명합니다."))
    return pager.body()


def local_tax_itemised(request: FormRequest) -> dict[str, Any]:
    subject = request.require_subject()
    first_year = request.today.year - PERIOD_YEARS[request.options["period"]]
    assessments = [item for item in TAXES.get(subject.key, ()) if item.year >= first_year]
    pager = Pager()
    pager.add(heading("지방세 세목별 과세증명서"), fields([
        *_taxpayer(subject), ("과세기간", f"{first_year}년 ~ {request.today.year}년")]))
    rows = [[str(item.year), item.item, item.object, item.period,
             f"{item.base_won:,}cc" if item.item == "자동차세" else won(item.base_won),
             won(item.amount_won),
             korean_date(item.paid_on) if item.paid_on else "미납"] for item in assessments]
    pager.add(heading("과세 내역"), table(
        ["과세연도", "세목", "과세대상", "기분", "과세표준", "세액", "납부일자"],
        rows or [["-", "과세 내역 없음", "-", "-", "-", "-", "-"]]))
    total = sum(item.amount_won for item in assessments)
    pager.add(fields([("세액 합계", won(total))]),
              paragraph("「지방세기본법」 제86조에 따라 위와 같이 과세되었음을 증명합니다."))
    return pager.body()


def _vehicle(request: FormRequest, subject: Person) -> Vehicle:
    owned = vehicles_of(subject.key)
    if not owned:
        raise NotFound("no vehicle registered to this citizen")
    plate = request.options.get("plate") or ""
    if not plate:
        return owned[0]
    for vehicle in owned:
        if normalise_place(vehicle.plate) == normalise_place(plate):
            return vehicle
    raise NotEntitled("that vehicle is not registered to this citizen")


def vehicle_register(request: FormRequest) -> dict[str, Any]:
    subject = request.require_subject()
    vehicle = _vehicle(request, subject)
    if request.options["part"] == "mortgage":
        return _vehicle_mortgages(vehicle, subject)
    pager = Pager()
    pager.add(heading("자동차등록원부(갑)"), fields([
        ("자동차등록번호", vehicle.plate), ("차명", vehicle.model), ("차종", vehicle.kind),
        ("용도", vehicle.use), ("차대번호", vehicle.vin), ("원동기형식", vehicle.engine),
        ("모델연도", str(vehicle.model_year)),
        ("최초등록일", korean_date(vehicle.first_registered_on)),
        ("최종소유자", subject.name), ("주민(법인)등록번호", masked_rrn(subject.rrn)),
        ("사용본거지", vehicle.base_location), ("주행거리", f"{vehicle.mileage_km:,}km")]))
    pager.add(heading("검사유효기간"), table(
        ["연월일부터", "연월일까지", "검사구분"],
        [[korean_date(day), korean_date(day.replace(year=day.year + 2)), "정기검사"]
         for day, text in vehicle.history if text.startswith("정기검사")] or
        [["-", "-", "신조차 최초 검사 전"]]))
    pager.page_break()
    pager.add(heading("등록사항 (사항란)"), table(
        ["순위번호", "주요등록사항", "등록일"],
        [[str(index), text, korean_date(day)]
         for index, (day, text) in enumerate(vehicle.history, start=1)]))
    pager.add(paragraph("자동차등록원부(갑)의 기록사항과 틀림없음을 증명합니다."))
    return pager.body()


def _vehicle_mortgages(vehicle: Vehicle, subject: Person) -> dict[str, Any]:
    pager = Pager()
    pager.add(heading("자동차등록원부(을)"), fields([
        ("자동차등록번호", vehicle.plate), ("차명", vehicle.model), ("차대번호", vehicle.vin),
        ("소유자", subject.name)]))
    rows = [[str(index), creditor, won(amount), korean_date(set_on),
             korean_date(released_on) if released_on else "유효"]
            for index, (creditor, amount, set_on, released_on)
            in enumerate(vehicle.mortgages, start=1)]
    pager.add(heading("저당권 등록 사항"), table(
        ["순위번호", "저당권자", "채권가액", "설정일", "말소일"],
        rows or [["-", "저당권 등록 없음", "-", "-", "-"]]))
    pager.add(paragraph("자동차등록원부(을)의 기록사항과 틀림없음을 증명합니다."))
    return pager.body()


def military_service(request: FormRequest) -> dict[str, Any]:
    subject = request.require_subject()
    service = MILITARY.get(subject.key)
    if service is None:
        raise NotFound("no military service record for this citizen")
    if request.options["edition"] == "english":
        return _military_english(subject, service)
    pager = Pager()
    pager.add(heading("병적증명서"), fields([
        ("성명", f"{subject.name} ({subject.hanja})" if subject.hanja else subject.name),
        ("주민등록번호", masked_rrn(subject.rrn)),
        ("주소", ADDRESS_HISTORY[subject.key][-1].address)]))
    pager.add(heading("병적사항"), fields([
        ("군별", service.branch), ("군번", service.service_number), ("계급", service.rank),
        ("병과", service.corps), ("입영일자", korean_date(service.enlisted_on)),
        ("전역일자", korean_date(service.discharged_on)), ("전역사유", service.discharge),
        ("역종", service.status)]))
    pager.add(paragraph("「병역법」 제11조의2에 따라 위와 같이 병적사항을 증명합니다."))
    return pager.body()


ENGLISH = {"육군": "Army", "해군": "Navy", "공군": "Air Force", "병장": "Sergeant",
           "보병": "Infantry", "항공기정비": "Aircraft Maintenance",
           "만기전역": "Honourable discharge on completion of service",
           "예비역 (병역의무 종료)": "Reserve (service obligation completed)"}  # 병무청 영문 표기


def _military_english(subject: Person, service: MilitaryService) -> dict[str, Any]:
    """The English edition (영문 병적증명서): romanised name, birth date, service record."""
    pager = Pager()
    pager.add(heading("Certificate of Military Service"), fields([
        ("Name", subject.key.replace("-", " ").upper()),
        ("Date of birth", subject.birth_date.strftime("%d %b %Y")),
        ("Branch", ENGLISH[service.branch]), ("Service number", service.service_number),
        ("Rank", ENGLISH[service.rank]), ("Specialty", ENGLISH[service.corps]),
        ("Date of enlistment", service.enlisted_on.strftime("%d %b %Y")),
        ("Date of discharge", service.discharged_on.strftime("%d %b %Y")),
        ("Type of discharge", ENGLISH[service.discharge]),
        ("Current status", ENGLISH[service.status])]))
    pager.add(paragraph("This is to certify that the above is a true record of military "
                        "service under Article 11-2 of the Military Service Act."))
    return pager.body()


PERSONAL_FORMS: dict[str, Callable[[FormRequest], dict[str, Any]]] = {
    "local-tax-payment": local_tax_payment,
    "local-tax-itemised": local_tax_itemised,
    "vehicle-register": vehicle_register,
    "military-service": military_service,
}
