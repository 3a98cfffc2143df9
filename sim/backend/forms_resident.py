"""Resident-register forms: 주민등록표 등본 (household copy) and 초본 (personal abstract).

Laid out after the forms of the Resident Registration Act enforcement rules (주민등록법 시행규칙,
별지 서식: 세대별 주민등록표 and 개인별 주민등록표) as issued by kiosks: household head, reason the
household was formed, address changes (none, the last five years, or all), members with their
relation to the head, and the certification sentence. Pure: records in, body out.
"""

from __future__ import annotations

import datetime
from typing import Any

from sim.backend.forms_base import FormRequest, NotFound
from sim.backend.layout import Pager, fields, heading, korean_date, masked_rrn, paragraph, table
from sim.backend.subjects import ADDRESS_HISTORY, MILITARY, PEOPLE, Person, Residence, household_of

COPY_CERTIFICATION = "이 등본은 세대별 주민등록표의 원본내용과 틀림없음을 증명합니다."
ABSTRACT_CERTIFICATION = "이 초본은 개인별 주민등록표의 원본내용과 틀림없음을 증명합니다."
RECENT_YEARS = 5  # the "최근 5년" address-history option


def _name(person: Person) -> str:
    return f"{person.name} ({person.hanja})" if person.hanja else person.name


def _history(person: Person, choice: str, today: datetime.date) -> list[Residence]:
    residences = list(ADDRESS_HISTORY.get(person.key, ()))
    if choice == "all":
        return residences
    if choice == "none":
        return residences[-1:]
    cutoff = today.replace(year=today.year - RECENT_YEARS)
    recent = [index for index, place in enumerate(residences) if place.moved_in >= cutoff]
    first = max(0, (recent[0] if recent else len(residences)) - 1)
    return residences[first:]


def _history_table(residences: list[Residence], *, head: bool,
                   reasons: bool) -> dict[str, Any]:
    columns = ["번호", "주소", "전입일", "신고일"] + (["세대주"] if head else []) + (
        ["변동사유"] if reasons else [])
    rows = []
    for index, place in enumerate(residences, start=1):
        row = [str(index), place.address, korean_date(place.moved_in),
               korean_date(place.reported_on)]
        row += [place.head] if head else []
        row += [place.reason] if reasons else []
        rows.append(row)
    return table(columns, rows)


def resident_copy(request: FormRequest) -> dict[str, Any]:
    """주민등록표 등본: the subject's household."""
    subject = request.require_subject()
    options = request.options
    household = household_of(subject.key)
    if household is None:
        raise NotFound("no household on record")
    head = PEOPLE[household.head]
    pager = Pager()
    rows = [("세대주 성명(한자)", _name(head)), ("현주소", household.address)]
    if options["household-composition"] == "include":
        rows.insert(1, ("세대 구성 사유 및 일자",
                        f"{household.formed_by} {korean_date(household.formed_on)}"))
    pager.add(heading("주민등록표 (등본)"), fields(rows))
    if options["address-history"] != "none":
        pager.add(heading("주소 변동 사항"), _history_table(
            _history(head, options["address-history"], request.today), head=True,
            reasons=options["change-reasons"] == "include"))
    members = [member for member in household.members
               if PEOPLE[member.person].died_on is None
               and (options["other-members"] == "include" or member.person == subject.key)]
    with_relation = options["relation-to-head"] == "include"
    with_reason = options["change-reasons"] == "include"
    columns = ["번호"] + (["세대주 관계"] if with_relation else []) + [
        "성명(한자)", "주민등록번호", "전입일/변동일"] + (["변동사유"] if with_reason else [])
    table_rows = []
    for index, member in enumerate(members, start=1):
        person = PEOPLE[member.person]
        shown = options["rrn-back-digits"] == "all" or (
            options["rrn-back-digits"] == "self" and person.key == subject.key)
        row = [str(index)]
        row += [member.relation if member.relation != "본인" else "세대주"] if with_relation else []
        row += [_name(person), masked_rrn(person.rrn, show_back=shown),
                korean_date(member.moved_in)]
        row += [member.reason] if with_reason else []
        table_rows.append(row)
    pager.add(heading("세대 구성원"), table(columns, table_rows))
    if options["other-members"] == "exclude":
        pager.add(paragraph("교부 대상자 외 다른 세대원의 사항은 신청에 따라 표시하지 않았습니다."))
    if options["cohabitants"] == "include":
        pager.add(heading("동거인 사항"),
                  table(["번호", "성명", "전입일"], [["-", "해당 없음", "-"]]))
    pager.add(paragraph(COPY_CERTIFICATION))
    return pager.body()


def resident_abstract(request: FormRequest) -> dict[str, Any]:
    """주민등록표 초본: the subject's own record and address history."""
    subject = request.require_subject()
    options = request.options
    pager = Pager()
    pager.add(heading("주민등록표 (초본)"), fields([
        ("성명(한자)", _name(subject)),
        ("주민등록번호", masked_rrn(subject.rrn, show_back=options["rrn-back-digits"] == "show")),
        ("현주소", ADDRESS_HISTORY[subject.key][-1].address),
    ]))
    if options["personal-history"] == "include":
        pager.add(heading("개인 인적사항 변경 내용"),
                  table(["변경일", "변경 내용", "변경 사유"], [["-", "변경 내역 없음", "-"]]))
    if options["address-history"] != "none":
        pager.add(heading("주소 변동 사항"), _history_table(
            _history(subject, options["address-history"], request.today),
            head=options["address-head"] == "include",
            reasons=options["change-reasons"] == "include"))
    if options["military"] == "include":
        service = MILITARY.get(subject.key)
        pager.add(heading("병역 사항"))
        if service is None:
            pager.add(fields([("병역사항", "기록 없음")]))
        else:
            pager.add(fields([
                ("군별", service.branch), ("계급", service.rank),
                ("입영일자", korean_date(service.enlisted_on)),
                ("전역일자", korean_date(service.discharged_on)),
                ("전역사유", service.discharge), ("역종", service.status)]))
    pager.add(paragraph(ABSTRACT_CERTIFICATION))
    return pager.body()
