"""The backend simulator's test citizens: people, families, households, addresses, military service.

Everyone here is FICTIONAL. Resident registration numbers (주민등록번호) are well formed:
``YYMMDD`` birth date, a 7th digit for sex and century (1/2 born 1900-1999, 3/4 born 2000-2099),
and a last check digit computed as ``(11 - sum(d_i * w_i) % 11) % 10`` with weights
2,3,4,5,6,7,8,9,2,3,4,5 (the scheme of numbers issued before October 2020; :func:`rrn_check_digit`).

Subjects are the people who can identify at the kiosk, by the names the fingerprint emulator
knows (``sim.subjects_fingers.TEST_SUBJECTS``): each has enrolled fingers, numbered as
``template_for(subject, finger)`` takes them (0 = right thumb, the finger taken when the ID card
is issued). Their relatives are people without enrolled fingers. Land,
buildings, vehicles and local taxes are in :mod:`sim.backend.records`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)  # 주민등록번호 check-digit weights
Date = datetime.date


def rrn_check_digit(first_twelve: str) -> int:
    """The check digit of a pre-2020 resident registration number."""
    pairs = zip(first_twelve, RRN_WEIGHTS, strict=True)
    total = sum(int(digit) * weight for digit, weight in pairs)
    return (11 - total % 11) % 10


def rrn_is_well_formed(rrn: str) -> bool:
    """13 digits (dash after the 6th allowed), a real birth date, a valid check digit."""
    digits = rrn.replace("-", "", 1) if len(rrn) == 14 and rrn[6] == "-" else rrn
    if len(digits) != 13 or not digits.isdigit() or digits[6] not in "1234":
        return False
    century = 1900 if digits[6] in "12" else 2000
    try:
        Date(century + int(digits[:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return False
    return rrn_check_digit(digits[:12]) == int(digits[12])


@dataclass(frozen=True)
class Person:
    """A fictional person. ``fingers`` is empty for people who are not test subjects."""

    key: str
    name: str
    hanja: str
    rrn: str
    registered_base: str  # 등록기준지 (family-register seat)
    father: str | None = None
    mother: str | None = None
    died_on: Date | None = None
    fingers: tuple[int, ...] = ()

    @property
    def rrn_digits(self) -> str:
        return self.rrn.replace("-", "")

    @property
    def birth_date(self) -> Date:
        century = 1900 if self.rrn[7] in "12" else 2000
        return Date(century + int(self.rrn[:2]), int(self.rrn[2:4]), int(self.rrn[4:6]))

    @property
    def sex(self) -> str:
        return "남" if self.rrn[7] in "13" else "여"


@dataclass(frozen=True)
class Marriage:
    """A marriage report (혼인신고) and how it ended, if it did."""

    husband: str
    wife: str
    reported_on: Date
    ended_on: Date | None = None
    ended_by: str = ""  # 배우자 사망, 협의이혼 ...


@dataclass(frozen=True)
class Adoption:
    """An adoption: general (입양) or full (친양자입양, Civil Act Art. 908-2)."""

    child: str
    adoptive_father: str | None
    adoptive_mother: str | None
    reported_on: Date
    full: bool = False
    birth_father: str | None = None
    birth_mother: str | None = None
    court: str = ""
    decided_on: Date | None = None


@dataclass(frozen=True)
class Residence:
    """One line of an address history (주소 변동 사항)."""

    address: str
    moved_in: Date
    reported_on: Date
    head: str  # the household head's name at that address
    reason: str = "전입"  # 변동사유: 출생, 전입 ...


@dataclass(frozen=True)
class Member:
    """A household member as the 등본 lists them."""

    person: str
    relation: str  # to the head: 본인, 배우자, 자 ...
    moved_in: Date
    reason: str  # 변동사유


@dataclass(frozen=True)
class Household:
    head: str
    address: str
    formed_on: Date
    formed_by: str  # 세대구성사유
    members: tuple[Member, ...]


@dataclass(frozen=True)
class MilitaryService:
    branch: str  # 군별
    service_number: str  # 군번
    rank: str
    corps: str  # 병과
    enlisted_on: Date
    discharged_on: Date
    discharge: str  # 전역사유
    status: str  # 역종 now


SEOUL_JONGNO_LEE = "서울특별시 종로구 자하문로33길 12 (청운동)"
SEOUL_JONGNO_PARK = "서울특별시 종로구 통일로 230, 101동 1203호 (무악동, 인왕숲마을아파트)"
SEOUL_JONGNO_CHOI = "서울특별시 종로구 북촌로5길 8 (화동)"

_PEOPLE = (
    Person("lee-seojun", "이서준", "李瑞俊", "780412-1034529", "경상북도 안동시 서후면 명리 211",
           father="lee-youngho", mother="park-sunja", fingers=(0, 1)),
    Person("kim-minji", "김민지", "金旼志", "800923-2018743", "전라북도 전주시 완산구 교동 57",
           father="kim-junghwan", mother="choi-mikyung", fingers=(0, 1, 5)),
    Person("park-jiwoo", "박지우", "朴智宇", "921130-1126355", "대전광역시 서구 갈마동 318",
           father="park-sangchul", mother="yoon-misook", fingers=(0, 1)),
    Person("choi-yuna", "최유나", "崔維娜", "580214-2045184", "경기도 가평군 상면 행현리 95",
           father="choi-byungsoo", mother="kim-malsoon", fingers=(0,)),
    Person("hong-gildong", "홍길동", "洪吉東", "010719-3102973", "서울특별시 종로구 화동 8",
           father="hong-taeho", mother="choi-yuna", fingers=(0, 1)),
    Person("lee-harin", "이하린", "李夏潾", "100503-4023150", "경상북도 안동시 서후면 명리 211",
           father="lee-seojun", mother="kim-minji"),
    Person("han-doyun", "한도윤", "韓度潤", "120821-3008763", "충청남도 공주시 반죽동 33"),
    Person("lee-youngho", "이영호", "李永浩", "500107-1082138", "경상북도 안동시 서후면 명리 211"),
    Person("park-sunja", "박순자", "朴順子", "520618-2054375", "경상북도 예천군 호명면 백송리 4"),
    Person("kim-junghwan", "김정환", "金正煥", "510330-1098456", "전라북도 전주시 완산구 교동 57"),
    Person("choi-mikyung", "최미경", "崔美卿", "551202-2087163",
           "전라북도 익산시 금마면 서고도리 7"),
    Person("park-sangchul", "박상철", "朴相哲", "631010-1115246", "대전광역시 서구 갈마동 318"),
    Person("yoon-misook", "윤미숙", "尹美淑", "660425-2139681", "충청남도 논산시 연무읍 안심리 12"),
    Person("hong-taeho", "홍태호", "洪泰浩", "550701-1047326", "서울특별시 종로구 화동 8",
           died_on=Date(2019, 3, 15)),
    Person("choi-byungsoo", "최병수", "崔炳洙", "300917-1081543", "경기도 가평군 상면 행현리 95",
           died_on=Date(2008, 11, 2)),
    Person("kim-malsoon", "김말순", "金末順", "330405-2033451", "경기도 가평군 상면 행현리 95",
           died_on=Date(2015, 1, 20)),
    Person("song-mira", "송미라", "宋美羅", "820505-2160273", "경기도 수원시 팔달구 지동 140"),
    Person("jang-hyunwoo", "장현우", "張賢宇", "800211-1093825", "경기도 수원시 장안구 연무동 22"),
)
PEOPLE: Mapping[str, Person] = MappingProxyType({person.key: person for person in _PEOPLE})
SUBJECTS: Mapping[str, Person] = MappingProxyType(
    {key: person for key, person in PEOPLE.items() if person.fingers})

MARRIAGES = (
    Marriage("lee-seojun", "kim-minji", Date(2008, 10, 18)),
    Marriage("hong-taeho", "choi-yuna", Date(1984, 5, 20), Date(2019, 3, 15), "배우자 사망"),
    Marriage("lee-youngho", "park-sunja", Date(1976, 2, 9)),
    Marriage("kim-junghwan", "choi-mikyung", Date(1979, 4, 14)),
    Marriage("park-sangchul", "yoon-misook", Date(1990, 12, 1)),
)

ADOPTIONS = (
    Adoption("han-doyun", "lee-seojun", "kim-minji", Date(2017, 6, 12)),
    Adoption("hong-gildong", "hong-taeho", "choi-yuna", Date(2005, 10, 12), full=True,
             birth_father="jang-hyunwoo", birth_mother="song-mira", court="서울가정법원",
             decided_on=Date(2005, 9, 28)),
)

HOUSEHOLDS = (
    Household("lee-seojun", SEOUL_JONGNO_LEE, Date(2014, 3, 2), "전입세대구성", (
        Member("lee-seojun", "본인", Date(2014, 3, 2), "전입"),
        Member("kim-minji", "배우자", Date(2014, 3, 2), "전입"),
        Member("lee-harin", "자", Date(2014, 3, 2), "전입"),
        Member("han-doyun", "자", Date(2017, 6, 20), "전입"),
    )),
    Household("park-jiwoo", SEOUL_JONGNO_PARK, Date(2021, 6, 15), "전입세대구성", (
        Member("park-jiwoo", "본인", Date(2021, 6, 15), "전입"),
    )),
    Household("choi-yuna", SEOUL_JONGNO_CHOI, Date(1995, 4, 3), "전입세대구성", (
        Member("choi-yuna", "본인", Date(1995, 4, 3), "전입"),
        Member("hong-taeho", "배우자", Date(1995, 4, 3), "사망말소"),
        Member("hong-gildong", "자", Date(2005, 11, 1), "전입"),
    )),
)

ADDRESS_HISTORY: Mapping[str, tuple[Residence, ...]] = MappingProxyType({
    "lee-seojun": (
        Residence("경상북도 안동시 서후면 명리 211", Date(1978, 4, 20), Date(1978, 4, 20),
                  "이영호", "출생"),
        Residence("서울특별시 관악구 신림로 117, 302호 (신림동)", Date(1997, 3, 1),
                  Date(1997, 3, 4), "이서준"),
        Residence("서울특별시 마포구 성미산로 82, 201호 (연남동)", Date(2008, 11, 1),
                  Date(2008, 11, 3), "이서준"),
        Residence(SEOUL_JONGNO_LEE, Date(2014, 3, 2), Date(2014, 3, 3), "이서준"),
    ),
    "kim-minji": (
        Residence("전라북도 전주시 완산구 기린대로 120 (교동)", Date(1980, 10, 2),
                  Date(1980, 10, 2), "김정환", "출생"),
        Residence("서울특별시 동작구 상도로 55, 1502호 (상도동)", Date(2003, 2, 20),
                  Date(2003, 2, 21), "김민지"),
        Residence("서울특별시 마포구 성미산로 82, 201호 (연남동)", Date(2008, 11, 1),
                  Date(2008, 11, 3), "이서준"),
        Residence(SEOUL_JONGNO_LEE, Date(2014, 3, 2), Date(2014, 3, 3), "이서준"),
    ),
    "park-jiwoo": (
        Residence("대전광역시 서구 갈마로 60, 5동 804호 (갈마동)", Date(1992, 12, 5),
                  Date(1992, 12, 5), "박상철", "출생"),
        Residence("서울특별시 동대문구 회기로 19, 405호 (회기동)", Date(2011, 2, 25),
                  Date(2011, 2, 28), "박지우"),
        Residence("대전광역시 서구 갈마로 60, 5동 804호 (갈마동)", Date(2012, 2, 1),
                  Date(2012, 2, 3), "박상철"),
        Residence("서울특별시 은평구 통일로 684, 1102호 (불광동)", Date(2018, 3, 10),
                  Date(2018, 3, 12), "박지우"),
        Residence(SEOUL_JONGNO_PARK, Date(2021, 6, 15), Date(2021, 6, 16), "박지우"),
    ),
    "choi-yuna": (
        Residence("경기도 가평군 상면 행현리 95", Date(1958, 2, 20), Date(1958, 2, 20), "최병수",
                  "출생"),
        Residence("서울특별시 성북구 보문로 34 (보문동)", Date(1984, 6, 1), Date(1984, 6, 2),
                  "홍태호"),
        Residence(SEOUL_JONGNO_CHOI, Date(1995, 4, 3), Date(1995, 4, 4), "홍태호"),
    ),
    "hong-gildong": (
        Residence("경기도 수원시 팔달구 지동 140", Date(2001, 7, 25), Date(2001, 7, 25), "송미라",
                  "출생"),
        Residence(SEOUL_JONGNO_CHOI, Date(2005, 11, 1), Date(2005, 11, 1), "홍태호"),
    ),
})

MILITARY: Mapping[str, MilitaryService] = MappingProxyType({
    "lee-seojun": MilitaryService("육군", "98-71204536", "병장", "보병", Date(1998, 3, 10),
                                  Date(2000, 5, 9), "만기전역", "예비역 (병역의무 종료)"),
    "park-jiwoo": MilitaryService("공군", "12-70413218", "병장", "항공기정비",
                                  Date(2012, 2, 6), Date(2014, 2, 5), "만기전역",
                                  "예비역 (병역의무 종료)"),
})


def household_of(person_key: str) -> Household | None:
    """The household ``person_key`` belongs to now, if any."""
    for household in HOUSEHOLDS:
        if any(member.person == person_key for member in household.members):
            return household
    return None


def find_subject_by_rrn(rrn_digits: str) -> Person | None:
    """The test subject with these 13 digits, or None (relatives cannot identify)."""
    for person in SUBJECTS.values():
        if person.rrn_digits == rrn_digits:
            return person
    return None


def spouse_marriages(person_key: str) -> tuple[Marriage, ...]:
    return tuple(marriage for marriage in MARRIAGES
                 if person_key in (marriage.husband, marriage.wife))


def children_of(person_key: str) -> tuple[Person, ...]:
    """Birth and adopted children, by birth date."""
    children = {person.key: person for person in PEOPLE.values()
                if person_key in (person.father, person.mother)}
    for adoption in ADOPTIONS:
        if person_key in (adoption.adoptive_father, adoption.adoptive_mother):
            children[adoption.child] = PEOPLE[adoption.child]
    return tuple(sorted(children.values(), key=lambda person: person.birth_date))
