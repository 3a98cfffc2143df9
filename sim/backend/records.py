"""The backend simulator's property, vehicle and local-tax records for the test citizens.

FICTIONAL data shaped like the registers they stand for: land and forest parcels (토지대장 /
임야대장, with the 19-digit parcel number 고유번호 = 10-digit legal-dong code, register digit 1
land or 2 forest, 4-digit main and 4-digit sub number), their zoning (토지이용계획) and official
land prices (개별공시지가), buildings (건축물대장 general and collective, with floors and units),
vehicles (자동차등록원부) and local tax assessments (지방세). Owners are keys of
:data:`sim.backend.subjects.PEOPLE`, or a plain text for owners who are not people here.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

Date = datetime.date


@dataclass(frozen=True)
class Ownership:
    owner: str  # a PEOPLE key, or free text (e.g. "구분소유자 공유 (180인)")
    since: Date
    cause: str  # 변동원인: 매매, 상속, 소유권보존 ...


@dataclass(frozen=True)
class Parcel:
    pnu: str  # 고유번호
    address: str  # 지번 주소; forest parcels carry "산"
    category: str  # 지목
    area_m2: float
    owners: tuple[Ownership, ...]  # oldest first
    prices: tuple[tuple[int, int], ...]  # (year, won per m²) of the 개별공시지가, oldest first
    zoning: tuple[str, ...]  # 국토계획법 지역·지구
    other_zoning: tuple[str, ...]  # 다른 법령 등에 따른 지역·지구
    land_grade: str = ""  # 토지등급 (historic, kept on the register)

    @property
    def forest(self) -> bool:
        return self.pnu[10] == "2"


@dataclass(frozen=True)
class Floor:
    level: str  # 지1, 1, 2 ...
    structure: str
    use: str
    area_m2: float


@dataclass(frozen=True)
class Unit:
    """A unit of a collective building (전유부)."""

    dong: str
    ho: str
    floor: str
    area_m2: float  # 전용면적
    shared: tuple[tuple[str, float], ...]  # 공용부분: (use, m²)
    owners: tuple[Ownership, ...]


@dataclass(frozen=True)
class Building:
    key: str
    name: str
    road_address: str
    lot_address: str
    pnu: str
    collective: bool
    main_use: str
    structure: str
    site_m2: float
    building_m2: float
    floor_m2_total: float
    height_m: float
    floors_above: int
    floors_below: int
    approved_on: Date  # 사용승인일
    floors: tuple[Floor, ...]
    owners: tuple[Ownership, ...]
    changes: tuple[tuple[Date, str], ...]  # 변동사항
    parking: str
    households: int = 1
    units: tuple[Unit, ...] = ()
    dong: str = ""
    complex_dongs: tuple[tuple[str, int, float], ...] = ()  # 총괄: (동, 세대수, 연면적 m²)


@dataclass(frozen=True)
class Vehicle:
    plate: str
    model: str
    kind: str  # 차종
    use: str  # 용도
    vin: str
    engine: str
    model_year: int
    first_registered_on: Date
    owner: str
    base_location: str  # 사용본거지
    history: tuple[tuple[Date, str], ...]  # 갑부 사항란: 등록, 변경, 검사
    mileage_km: int
    # 을부 (mortgages): (저당권자, 채권가액 in won, 설정일, 말소일 or None)
    mortgages: tuple[tuple[str, int, Date, Date | None], ...] = ()


@dataclass(frozen=True)
class TaxAssessment:
    year: int
    item: str  # 세목
    object: str  # 과세대상
    period: str  # 기분
    base_won: int  # 과세표준 in won (engine displacement in cc for 자동차세)
    amount_won: int  # 세액 (지방교육세 등 포함)
    paid_on: Date | None


_SITE_LEE = "1111010100100890012"
_SITE_APT = "1111017500100470000"
_FOREST_CHOI = "4182035027200270003"
_FIELD_CHOI = "4182035027104120001"

PARCELS = (
    Parcel(_SITE_LEE, "서울특별시 종로구 청운동 89-12", "대", 264.5,
           (Ownership("윤정호 (尹正浩)", Date(1999, 8, 3), "매매"),
            Ownership("lee-seojun", Date(2014, 2, 20), "매매")),
           ((2021, 4_870_000), (2022, 5_231_000), (2023, 4_982_000), (2024, 5_068_000),
            (2025, 5_214_000)),
           ("도시지역", "제1종일반주거지역", "자연경관지구"),
           ("가축사육제한구역<가축분뇨의 관리 및 이용에 관한 법률>",
            "교육환경보호구역<교육환경 보호에 관한 법률>",
            "대공방어협조구역(위탁고도:77-257m)<군사기지 및 군사시설 보호법>",
            "과밀억제권역<수도권정비계획법>"), "(1991) 180"),
    Parcel(_SITE_APT, "서울특별시 종로구 무악동 47", "대", 12_410.3,
           (Ownership("대한주택공사", Date(2005, 3, 14), "소유권보존"),
            Ownership("구분소유자 공유 (270인)", Date(2009, 9, 1), "집합건물 대지권")),
           ((2021, 7_910_000), (2022, 8_640_000), (2023, 8_102_000), (2024, 8_377_000),
            (2025, 8_795_000)),
           ("도시지역", "제2종일반주거지역", "지구단위계획구역"),
           ("과밀억제권역<수도권정비계획법>", "교육환경보호구역<교육환경 보호에 관한 법률>")),
    Parcel(_FOREST_CHOI, "경기도 가평군 상면 행현리 산 27-3", "임야", 18_942.0,
           (Ownership("choi-byungsoo", Date(1974, 5, 2), "매매"),
            Ownership("choi-yuna", Date(2009, 3, 11), "상속")),
           ((2021, 4_120), (2022, 4_480), (2023, 4_390), (2024, 4_510), (2025, 4_650)),
           ("보전관리지역",),
           ("임업용산지<산지관리법>", "수질보전특별대책지역<환경정책기본법>",
            "성장관리권역<수도권정비계획법>"), "(1990) 52"),
    Parcel(_FIELD_CHOI, "경기도 가평군 상면 행현리 412-1", "전", 1_653.0,
           (Ownership("choi-byungsoo", Date(1981, 10, 19), "매매"),
            Ownership("choi-yuna", Date(2009, 3, 11), "상속")),
           ((2021, 61_300), (2022, 66_200), (2023, 64_800), (2024, 66_000), (2025, 68_100)),
           ("계획관리지역",),
           ("성장관리권역<수도권정비계획법>", "수질보전특별대책지역<환경정책기본법>",
            "농업진흥구역 외<농지법>")),
)

_APT_FLOORS = (
    Floor("지2", "철근콘크리트구조", "주차장, 전기실", 3_412.6),
    Floor("지1", "철근콘크리트구조", "주차장, 기계실", 3_412.6),
    Floor("1", "철근콘크리트벽식구조", "필로티, 공동주택(아파트) 4세대", 498.2),
    *(Floor(str(level), "철근콘크리트벽식구조", "공동주택(아파트) 6세대", 702.9)
      for level in range(2, 16)),
)

BUILDINGS = (
    Building("cheongun-house", "", "서울특별시 종로구 자하문로33길 12",
             "서울특별시 종로구 청운동 89-12", _SITE_LEE, False, "단독주택",
             "철근콘크리트구조", 264.5, 128.4, 301.62, 8.9, 2, 1, Date(2003, 11, 25),
             (Floor("지1", "철근콘크리트구조", "창고", 58.2),
              Floor("1", "철근콘크리트구조", "단독주택", 124.7),
              Floor("2", "철근콘크리트구조", "단독주택", 118.72)),
             (Ownership("윤정호 (尹正浩)", Date(2003, 12, 9), "소유권보존"),
              Ownership("lee-seojun", Date(2014, 2, 20), "매매")),
             ((Date(2003, 11, 25), "신규작성(신축)"),
              (Date(2014, 2, 20), "소유권이전 (매매)"),
              (Date(2016, 8, 30), "2층 발코니 구조변경 (대수선)")),
             "옥내 자주식 1대"),
    Building("inwang-101", "인왕숲마을아파트", "서울특별시 종로구 통일로 230",
             "서울특별시 종로구 무악동 47", _SITE_APT, True, "공동주택(아파트)",
             "철근콘크리트벽식구조", 12_410.3, 2_108.6, 17_164.0, 44.6, 15, 2,
             Date(2009, 6, 30), _APT_FLOORS,
             (Ownership("구분소유자 (88세대)", Date(2009, 9, 1), "소유권보존"),),
             ((Date(2009, 6, 30), "신규작성(신축)"),
              (Date(2013, 4, 2), "주차장 부대시설 용도변경"),
              (Date(2022, 10, 17), "승강기 교체 (대수선)")),
             "옥내 기계식 0대, 자주식 176대", households=88, dong="101동",
             complex_dongs=(("101동", 88, 17_164.0), ("102동", 92, 17_710.4),
                            ("103동", 90, 17_388.2)),
             units=(
                 Unit("101동", "1203호", "12", 84.97,
                      (("계단실, 복도", 21.33), ("지하주차장", 35.80),
                       ("관리사무소, 경비실", 1.46)),
                      (Ownership("최영식 (崔英植)", Date(2009, 9, 1), "소유권보존"),
                       Ownership("park-jiwoo", Date(2021, 6, 10), "매매"))),
                 Unit("101동", "502호", "5", 59.92,
                      (("계단실, 복도", 15.04), ("지하주차장", 25.24),
                       ("관리사무소, 경비실", 1.03)),
                      (Ownership("한빛주택관리 주식회사", Date(2009, 9, 1), "소유권보존"),)),
             )),
)

VEHICLES = (
    Vehicle("123가4567", "쏘나타", "중형 승용", "자가용", "KMHE341DBHA512873", "G4NA",
            2017, Date(2017, 3, 20), "lee-seojun", "서울특별시 종로구 자하문로33길 12",
            ((Date(2017, 3, 20), "신규등록 (신조차)"),
             (Date(2021, 3, 11), "정기검사 적합 (주행거리 52,318km)"),
             (Date(2023, 3, 6), "정기검사 적합 (주행거리 81,904km)"),
             (Date(2025, 3, 17), "정기검사 적합 (주행거리 109,477km)")), 109_477,
            (("한결캐피탈 주식회사", 12_000_000, Date(2017, 3, 20), Date(2020, 4, 8)),)),
    Vehicle("245나1234", "아반떼", "준중형 승용", "자가용", "KMHLM41BBNU238105", "G4FL",
            2022, Date(2022, 8, 11), "park-jiwoo",
            "서울특별시 종로구 통일로 230, 101동 1203호",
            ((Date(2022, 8, 11), "신규등록 (신조차)"),
             (Date(2024, 8, 2), "정기검사 적합 (주행거리 28,611km)")), 28_611),
)

TAXES: Mapping[str, tuple[TaxAssessment, ...]] = MappingProxyType({
    "lee-seojun": (
        TaxAssessment(2024, "재산세(주택)", "종로구 청운동 89-12", "정기분 7월", 612_840_000,
                      548_610, Date(2024, 7, 22)),
        TaxAssessment(2024, "재산세(주택)", "종로구 청운동 89-12", "정기분 9월", 612_840_000,
                      548_600, Date(2024, 9, 27)),
        TaxAssessment(2024, "자동차세", "123가4567", "1기분", 1_999, 259_740, Date(2024, 6, 28)),
        TaxAssessment(2024, "자동차세", "123가4567", "2기분", 1_999, 259_740, Date(2024, 12, 30)),
        TaxAssessment(2024, "주민세(개인분)", "종로구 청운동", "정기분 8월", 0, 11_000,
                      Date(2024, 8, 26)),
        TaxAssessment(2025, "재산세(주택)", "종로구 청운동 89-12", "정기분 7월", 636_120_000,
                      571_230, Date(2025, 7, 28)),
        TaxAssessment(2025, "재산세(주택)", "종로구 청운동 89-12", "정기분 9월", 636_120_000,
                      571_220, Date(2025, 9, 29)),
        TaxAssessment(2025, "자동차세", "123가4567", "1기분", 1_999, 233_770, Date(2025, 6, 30)),
        TaxAssessment(2025, "주민세(개인분)", "종로구 청운동", "정기분 8월", 0, 11_000,
                      Date(2025, 8, 25)),
    ),
    "park-jiwoo": (
        TaxAssessment(2024, "재산세(주택)", "종로구 무악동 47 101동 1203호", "정기분 7월",
                      389_400_000, 298_150, Date(2024, 7, 31)),
        TaxAssessment(2024, "재산세(주택)", "종로구 무악동 47 101동 1203호", "정기분 9월",
                      389_400_000, 298_140, Date(2024, 9, 30)),
        TaxAssessment(2024, "자동차세", "245나1234", "연세액 일시납부", 1_598, 207_760,
                      Date(2024, 1, 31)),
        TaxAssessment(2025, "재산세(주택)", "종로구 무악동 47 101동 1203호", "정기분 7월",
                      402_660_000, 309_880, Date(2025, 7, 30)),
        TaxAssessment(2025, "재산세(주택)", "종로구 무악동 47 101동 1203호", "정기분 9월",
                      402_660_000, 309_870, None),
        TaxAssessment(2025, "자동차세", "245나1234", "연세액 일시납부", 1_598, 207_760,
                      Date(2025, 1, 31)),
    ),
    "choi-yuna": (
        TaxAssessment(2024, "재산세(토지)", "가평군 상면 행현리 산 27-3 외 1필지", "정기분 9월",
                      61_024_000, 131_470, Date(2024, 9, 20)),
        TaxAssessment(2024, "주민세(개인분)", "종로구 화동", "정기분 8월", 0, 11_000,
                      Date(2024, 8, 12)),
        TaxAssessment(2025, "재산세(토지)", "가평군 상면 행현리 산 27-3 외 1필지", "정기분 9월",
                      63_310_000, 136_390, Date(2025, 9, 19)),
        TaxAssessment(2025, "주민세(개인분)", "종로구 화동", "정기분 8월", 0, 11_000,
                      Date(2025, 8, 14)),
    ),
})


def normalise_place(text: str) -> str:
    """An address without spaces and commas; a parcel number without dashes (for lookups)."""
    compact = "".join(text.split()).replace(",", "")
    digits = compact.replace("-", "")
    return digits if digits.isdigit() else compact


def find_parcel(query: str) -> Parcel | None:
    """A parcel by 19-digit 고유번호 or by its lot address."""
    wanted = normalise_place(query)
    for parcel in PARCELS:
        if wanted in (parcel.pnu, normalise_place(parcel.address)):
            return parcel
    return None


def find_building(query: str) -> Building | None:
    """A building by road address, lot address or the 고유번호 of its site."""
    wanted = normalise_place(query)
    for building in BUILDINGS:
        if wanted in (building.pnu, normalise_place(building.road_address),
                      normalise_place(building.lot_address)):
            return building
    return None


def vehicles_of(owner: str) -> tuple[Vehicle, ...]:
    return tuple(vehicle for vehicle in VEHICLES if vehicle.owner == owner)


def current_owner(owners: tuple[Ownership, ...]) -> Ownership:
    return owners[-1]
