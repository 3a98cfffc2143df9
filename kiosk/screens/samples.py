"""Sample snapshots for every screen, for ``kiosk screenshot``, the golden-image tests and docs.

The documents are the seven that foreign-language kiosks usually offer (reference/kiosk-domain.md
§3) with typical kiosk fees (§1.4). The RRN is a made-up birth date followed by stars: samples
never contain a real or complete number.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kiosk import view

#: State ids accepted by ``kiosk screenshot --state``.
STATES = ("attract", "language", "catalogue", "options", "identity", "fingerprint", "fee",
          "payment", "issuing", "collect", "thanks", "timeout_warning", "out_of_service",
          "failure", "service")


def _names(ko: str, en: str, zh: str, vi: str, ja: str) -> Mapping[str, str]:
    return MappingProxyType({"ko": ko, "en": en, "zh": zh, "vi": vi, "ja": ja})


SAMPLE_DOCUMENTS = (
    view.DocumentChoice(
        "resident-copy", _names("주민등록표 등본", "Resident registration (full copy)",
                                "居民登记誊本", "Bản sao đăng ký cư trú (đầy đủ)",
                                "住民登録票謄本"),
        "resident", 200, 1, True),
    view.DocumentChoice(
        "resident-abstract", _names("주민등록표 초본", "Resident registration (abstract)",
                                    "居民登记抄本", "Trích lục đăng ký cư trú", "住民登録票抄本"),
        "resident", 200, 1, True),
    view.DocumentChoice(
        "family-relation", _names("가족관계증명서", "Family relation certificate", "家庭关系证明书",
                                  "Giấy chứng nhận quan hệ gia đình", "家族関係証明書"),
        "family", 500, 1, True),
    view.DocumentChoice(
        "basic-certificate", _names("기본증명서", "Basic certificate", "基本证明书",
                                    "Giấy chứng nhận cơ bản", "基本証明書"),
        "family", 500, 1, True),
    view.DocumentChoice(
        "marriage-relation", _names("혼인관계증명서", "Marriage relation certificate",
                                    "婚姻关系证明书", "Giấy chứng nhận quan hệ hôn nhân",
                                    "婚姻関係証明書"),
        "family", 500, 1, True),
    view.DocumentChoice(
        "land-register", _names("토지대장", "Land register", "土地台账", "Sổ địa chính",
                                "土地台帳"),
        "land", 0, 2, False),
    view.DocumentChoice(
        "building-register", _names("건축물대장", "Building register", "建筑物台账",
                                    "Sổ đăng ký công trình xây dựng", "建築物台帳"),
        "land", 0, 3, False, available=False, unavailable_reason="unavailable.binder"),
)

SAMPLE_OPTIONS = (
    view.OptionChoice(
        "address_history", _names("주소 변동 사항", "Address history", "地址变更记录",
                                  "Lịch sử địa chỉ", "住所の変更履歴"),
        ("none", "recent", "all"),
        MappingProxyType({
            "none": _names("포함 안 함", "Not included", "不包含", "Không kèm", "含めない"),
            "recent": _names("최근 5년", "Last 5 years", "最近5年", "5 năm gần nhất", "直近5年"),
            "all": _names("전체", "All", "全部", "Tất cả", "すべて"),
        }),
        "recent"),
    view.OptionChoice(
        "rrn_back", _names("주민등록번호 뒷자리", "Last 7 digits of the RRN",
                           "身份证号码后7位", "7 số cuối của số đăng ký", "登録番号の下7桁"),
        ("hidden", "shown"),
        MappingProxyType({
            "hidden": _names("표시 안 함", "Hidden", "不显示", "Ẩn", "表示しない"),
            "shown": _names("표시", "Shown", "显示", "Hiển thị", "表示する"),
        }),
        "hidden"),
)


def sample_snapshot(state: str, language: str = "ko", *, seq: int = 1) -> view.Snapshot:
    """A plausible snapshot of ``state`` (one of :data:`STATES`) in ``language``.

    Raises:
        ValueError: unknown state id.
    """
    degraded = {"service_state": view.ServiceState.DEGRADED,
                "unavailable_reasons": ("unavailable.binder",)}
    base = {"seq": seq, "language": language, "documents": SAMPLE_DOCUMENTS, **degraded}
    chosen = {"selected_document": "resident-abstract", "fee_won": 200}
    two_copies = {**chosen, "copies": 2, "fee_won": 400}
    samples: dict[str, dict[str, object]] = {
        "attract": {"screen": view.Screen.ATTRACT, "service_state": view.ServiceState.IN_SERVICE,
                    "unavailable_reasons": ()},
        "language": {"screen": view.Screen.LANGUAGE},
        "catalogue": {"screen": view.Screen.CATALOGUE},
        "options": {"screen": view.Screen.OPTIONS, "options": SAMPLE_OPTIONS, **chosen},
        "identity": {"screen": view.Screen.IDENTITY, "rrn_masked": view.mask_rrn("9001011"),
                     **chosen},
        "fingerprint": {"screen": view.Screen.FINGERPRINT, "rrn_complete": True,
                        "fingerprint_hint": view.FingerprintHint.WET.value,
                        "identity_attempts_left": 2,
                        **chosen},
        "fee": {"screen": view.Screen.FEE, **two_copies},
        "payment": {"screen": view.Screen.PAYMENT, **two_copies},
        "issuing": {"screen": view.Screen.ISSUING,
                    "progress": view.Progress(view.IssuingStep.PRINTING, 1, 3), **chosen},
        "collect": {"screen": view.Screen.COLLECT,
                    "collect_items": tuple(i.value for i in view.CollectItem),
                    **chosen},
        "thanks": {"screen": view.Screen.THANKS, "rating_offered": True, **chosen},
        "timeout_warning": {"screen": view.Screen.CATALOGUE, "idle_seconds_left": 18.0},
        "out_of_service": {
            "screen": view.Screen.OUT_OF_SERVICE,
            "service_state": view.ServiceState.OUT_OF_SERVICE,
            "unavailable_reasons": ("unavailable.printer", "unavailable.backend"),
            "documents": tuple(view.DocumentChoice(d.code, d.names, d.category, d.fee_won,
                                                   d.typical_pages, d.identity_required,
                                                   available=False,
                                                   unavailable_reason="unavailable.printer")
                               for d in SAMPLE_DOCUMENTS)},
        "failure": {"screen": view.Screen.FAILURE,
                    "failure": view.Failure(view.FailureKey.PAYMENT_ATTEMPTS.value,
                                            view.NextStep.TRY_LATER.value, refunded=True,
                                            code="issuance.payment_declined"),
                    **chosen},
        "service": {"screen": view.Screen.SERVICE,
                    "service_state": view.ServiceState.SERVICE_MODE},
    }
    if state not in samples:
        raise ValueError(f"unknown state {state!r}; one of {', '.join(STATES)}")
    return view.Snapshot(**{**base, **samples[state]})  # type: ignore[arg-type]
