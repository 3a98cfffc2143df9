"""Family-relation certificates (가족관계의 등록 등에 관한 법률 Art. 15): 가족관계증명서,
기본증명서, 혼인관계증명서, 입양관계증명서 and 친양자입양관계증명서, each general (일반) or
detailed (상세).

The general form shows only current relations (current spouse, children of the current
marriage and adopted children; for a 친양자 the adoptive parents as 부/모); the detailed form adds
past events. The subject's own RRN back half is shown only on request; everyone else's is masked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.backend.forms_base import FormRequest
from sim.backend.layout import Pager, fields, heading, korean_date, masked_rrn, paragraph, table
from sim.backend.subjects import (
    ADDRESS_HISTORY,
    ADOPTIONS,
    PEOPLE,
    Person,
    children_of,
    spouse_marriages,
)

PERSON_COLUMNS = ["구분", "성명", "출생연월일", "주민등록번호", "성별"]
CERTIFICATION = "위 {title}는 가족관계등록부의 기록사항과 틀림없음을 증명합니다."


def _row(label: str, person: Person, *, show_back: bool = False) -> list[str]:
    name = person.name + (f"({person.hanja})" if person.hanja else "")
    if person.died_on is not None:
        name += " (사망)"
    return [label, name, korean_date(person.birth_date),
            masked_rrn(person.rrn, show_back=show_back), person.sex]


def _start(request: FormRequest, title: str) -> tuple[Pager, Person]:
    subject = request.require_subject()
    pager = Pager()
    kind = "상세" if request.detailed() else "일반"
    shown = request.options.get("rrn-back-digits") in ("self", "all")
    pager.add(heading(f"{title}({kind})"), fields([("등록기준지", subject.registered_base)]),
              table(PERSON_COLUMNS, [_row("본인", subject, show_back=shown)]))
    return pager, subject


def _finish(pager: Pager, title: str) -> dict[str, Any]:
    pager.add(paragraph(CERTIFICATION.format(title=title)))
    return pager.body()


def _events_table(events: list[tuple[str, str]]) -> dict[str, Any]:
    rows = [[kind, detail] for kind, detail in events] or [["-", "기록 없음"]]
    return table(["구분", "상세내용"], rows)


def _current_spouse(person: Person) -> Person | None:
    for marriage in spouse_marriages(person.key):
        if marriage.ended_on is None:
            other = marriage.wife if marriage.husband == person.key else marriage.husband
            return PEOPLE[other]
    return None


def family_relation(request: FormRequest) -> dict[str, Any]:
    pager, subject = _start(request, "가족관계증명서")
    everyone = request.options.get("rrn-back-digits") == "all"
    relatives = [(label, PEOPLE[key]) for label, key in (("부", subject.father),
                                                         ("모", subject.mother)) if key]
    spouse = _current_spouse(subject)
    if spouse is not None:
        relatives.append(("배우자", spouse))
    elif request.detailed():
        relatives += [("배우자", PEOPLE[m.wife if m.husband == subject.key else m.husband])
                      for m in spouse_marriages(subject.key)]
    relatives += [("자녀", child) for child in children_of(subject.key)]
    rows = [_row(label, person, show_back=everyone) for label, person in relatives]
    pager.add(heading("가족사항"), table(PERSON_COLUMNS, rows))
    return _finish(pager, "가족관계증명서")


def basic_certificate(request: FormRequest) -> dict[str, Any]:
    pager, subject = _start(request, "기본증명서")
    birthplace = ADDRESS_HISTORY[subject.key][0].address if subject.key in ADDRESS_HISTORY else "-"
    reporter = "부" if subject.father else "모"
    events = [("출생", f"[출생장소] {birthplace} [신고일] "
                     f"{korean_date(ADDRESS_HISTORY[subject.key][0].reported_on)} "
                     f"[신고인] {reporter}")]
    if request.detailed():
        events.append(("가족관계등록부 작성", "[작성일] 2008-01-01 [작성사유] 가족관계의 등록 등에 "
                                       "관한 법률 부칙 제3조제1항"))
    pager.add(heading("일반등록사항"), _events_table(events))
    return _finish(pager, "기본증명서")


def marriage_relation(request: FormRequest) -> dict[str, Any]:
    pager, subject = _start(request, "혼인관계증명서")
    spouse = _current_spouse(subject)
    pager.add(heading("혼인사항"),
              table(PERSON_COLUMNS, [_row("배우자", spouse)] if spouse else
                    [["배우자", "-", "-", "-", "-"]]))
    if request.detailed():
        events = []
        for marriage in spouse_marriages(subject.key):
            other = PEOPLE[marriage.wife if marriage.husband == subject.key else marriage.husband]
            events.append(("혼인", f"[신고일] {korean_date(marriage.reported_on)} "
                                 f"[배우자] {other.name}"))
            if marriage.ended_on is not None:
                events.append(("혼인해소", f"[해소일] {korean_date(marriage.ended_on)} "
                                       f"[사유] {marriage.ended_by}"))
        pager.add(heading("혼인 관련 사항"), _events_table(events))
    return _finish(pager, "혼인관계증명서")


def _adoption_form(request: FormRequest, *, full: bool) -> dict[str, Any]:
    title = "친양자입양관계증명서" if full else "입양관계증명서"
    pager, subject = _start(request, title)
    adoptions = [adoption for adoption in ADOPTIONS if adoption.full == full]
    own = [adoption for adoption in adoptions if adoption.child == subject.key]
    as_parent = [adoption for adoption in adoptions
                 if subject.key in (adoption.adoptive_father, adoption.adoptive_mother)]
    rows = []
    for adoption in own:
        if full:
            rows += [_row(f"친생{label}", PEOPLE[key]) for label, key in (
                ("부", adoption.birth_father), ("모", adoption.birth_mother)) if key]
        rows += [_row(f"양{label}", PEOPLE[key]) for label, key in (
            ("부", adoption.adoptive_father), ("모", adoption.adoptive_mother)) if key]
    rows += [_row("친양자" if full else "양자", PEOPLE[adoption.child])
             for adoption in as_parent]
    pager.add(heading("입양사항"),
              table(PERSON_COLUMNS, rows or [["-", "-", "-", "-", "-"]]))
    if request.detailed() or full:
        events = [(("친양자입양" if full else "입양"), _adoption_detail(adoption, full))
                  for adoption in own + as_parent]
        pager.add(heading("입양 관련 사항"), _events_table(events))
    return _finish(pager, title)


def _adoption_detail(adoption: Any, full: bool) -> str:
    text = f"[신고일] {korean_date(adoption.reported_on)} [양자] {PEOPLE[adoption.child].name}"
    if full:
        text += (f" [재판확정일] {korean_date(adoption.decided_on)} [법원] {adoption.court}")
    return text


def adoption_relation(request: FormRequest) -> dict[str, Any]:
    return _adoption_form(request, full=False)


def full_adoption_relation(request: FormRequest) -> dict[str, Any]:
    return _adoption_form(request, full=True)


FAMILY_FORMS: dict[str, Callable[[FormRequest], dict[str, Any]]] = {
    "family-relation": family_relation,
    "basic-certificate": basic_certificate,
    "marriage-relation": marriage_relation,
    "adoption-relation": adoption_relation,
    "full-adoption-relation": full_adoption_relation,
}
