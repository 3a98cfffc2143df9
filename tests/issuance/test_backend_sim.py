"""The backend simulator itself: test data, layout, options, API refusals, admin API, faults."""

from __future__ import annotations

import datetime
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.issuance import envelope as env
from kiosk.issuance.envelope import Identity, seal
from sim.backend import BackendSim
from sim.backend.issuer import SPECS, Issuer, OptionError, validate_options
from sim.backend.layout import LINES_PER_PAGE, Pager, block_lines, heading, paragraph, table
from sim.backend.service import ApiError, BackendService
from sim.backend.subjects import PEOPLE, SUBJECTS, rrn_is_well_formed
from sim.subjects_fingers import TEST_SUBJECTS, template_for

PKI = Path(__file__).resolve().parents[2] / "examples" / "pki"
BACKEND_KEY = env.load_private_key((PKI / "backend-x25519.key").read_bytes())
BACKEND_PUBLIC = env.load_public_key((PKI / "backend-x25519.pub").read_bytes())
KIOSK = "jongno-0001"


def envelope_json(subject: str, txn: str, *, kiosk: str = KIOSK, finger: int = 0,
                  issued_at: int | None = None) -> dict[str, object]:
    with Identity(SUBJECTS[subject].rrn, template_for(subject, finger)) as identity:
        return seal(BACKEND_PUBLIC, identity, kiosk, txn, issued_at=issued_at).to_json()


def refusal(call: object, *args: object) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value


# ------------------------------------------------------------------ test data


def test_every_person_has_a_well_formed_rrn_with_valid_check_digit() -> None:
    assert len({person.rrn for person in PEOPLE.values()}) == len(PEOPLE)
    for person in PEOPLE.values():
        assert rrn_is_well_formed(person.rrn), person.key
        assert person.birth_date.strftime("%y%m%d") == person.rrn[:6]


def test_check_digit_and_date_are_enforced() -> None:
    good = SUBJECTS["lee-seojun"].rrn
    wrong_digit = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert not rrn_is_well_formed(wrong_digit)
    assert not rrn_is_well_formed("781341-1034529")
    assert not rrn_is_well_formed(good.replace("-", "")[:-1])


def test_subjects_are_the_fingerprint_emulators_test_subjects() -> None:
    assert set(SUBJECTS) == set(TEST_SUBJECTS)
    assert all(SUBJECTS[key].fingers for key in SUBJECTS)


# ------------------------------------------------------------------ layout


def test_pager_splits_long_tables_repeating_columns_and_heading() -> None:
    rows = [[str(index), "서울특별시 종로구 자하문로33길 12", "2014-03-02"] for index in range(90)]
    pager = Pager()
    pager.add(heading("주소 변동 사항"), table(["번호", "주소", "전입일"], rows),
              paragraph("끝"))
    pages = pager.body()["pages"]
    assert len(pages) >= 3 and all(pages)
    assert all(sum(block_lines(block) for block in page) <= LINES_PER_PAGE for page in pages)
    pieces = [block for page in pages for block in page if block["type"] == "table"]
    assert all(piece["columns"] == ["번호", "주소", "전입일"] for piece in pieces)
    assert [row for piece in pieces for row in piece["rows"]] == rows
    continued = [page for page in pages[1:] if any(block["type"] == "table" for block in page)]
    assert len(continued) == len(pieces) - 1
    assert all(page[0] == heading("주소 변동 사항 (계속)") for page in continued)
    assert pages[-1][-1] == paragraph("끝")


def test_pager_never_leaves_a_heading_at_the_bottom_or_an_empty_page() -> None:
    pager = Pager(lines_per_page=10)
    pager.add(paragraph("가" * 300), heading("소유자"), table(["a"], [["1"]]))
    pager.page_break()
    pager.page_break()
    pages = pager.body()["pages"]
    assert all(pages)
    assert all(page[-1]["type"] != "heading" for page in pages)


# ------------------------------------------------------------------ options and numbers


def test_options_are_validated_strictly_without_echoing_values() -> None:
    spec = SPECS["resident-copy"]
    assert validate_options(spec, {})["address-history"] == "none"
    for bad in ({"address-history": "everything"}, {"rrn-back-digits": True},
                {"secret": "x"}, {"address-history": ["all"]}):
        with pytest.raises(OptionError) as caught:
            validate_options(spec, bad)
        assert "everything" not in str(caught.value)
    with pytest.raises(OptionError):
        validate_options(SPECS["local-tax-itemised"], {"period": "1999"})
    with pytest.raises(OptionError):
        validate_options(SPECS["land-register"], {"parcel": "가" * 101})
    with pytest.raises(OptionError):
        validate_options(spec, ["not", "a", "mapping"])


def test_document_numbers_are_twelve_digits_and_unique() -> None:
    issuer = Issuer(Ed25519PrivateKey.generate())
    numbers = [issuer.new_number() for _ in range(3000)]
    assert len(set(numbers)) == len(numbers)
    assert all(len(number) == 12 and number.isdigit() for number in numbers)


# ------------------------------------------------------------------ service refusals


@pytest.fixture
def service() -> BackendService:
    clock = [1_790_000_000.0]
    instance = BackendService(BACKEND_KEY, Ed25519PrivateKey.generate(), token_ttl_s=60,
                              envelope_lifetime_s=120, clock=lambda: clock[0])
    instance.test_clock = clock  # type: ignore[attr-defined]
    return instance


def test_replayed_envelope_is_refused(service: BackendService) -> None:
    data = envelope_json("lee-seojun", "txn-1", issued_at=1_790_000_000)
    body = {"kiosk_id": KIOSK, "transaction_id": "txn-1", "envelope": data}
    assert service.identify(KIOSK, body)["identity_token"]
    error = refusal(service.identify, KIOSK, body)
    assert (error.status, error.error) == (409, "envelope_replayed")


def test_envelope_for_another_transaction_or_too_old_is_refused(
        service: BackendService) -> None:
    data = envelope_json("lee-seojun", "txn-1", issued_at=1_790_000_000)
    error = refusal(service.identify, KIOSK,
                    {"kiosk_id": KIOSK, "transaction_id": "txn-2", "envelope": data})
    assert (error.status, error.error) == (400, "envelope_unauthentic")
    old = envelope_json("lee-seojun", "txn-3", issued_at=1_790_000_000 - 500)
    error = refusal(service.identify, KIOSK,
                    {"kiosk_id": KIOSK, "transaction_id": "txn-3", "envelope": old})
    assert (error.status, error.error) == (400, "envelope_expired")


@pytest.mark.parametrize("body", [
    [], {"kiosk_id": KIOSK}, {"kiosk_id": KIOSK, "transaction_id": "t", "envelope": {},
                              "extra": 1},
    {"kiosk_id": KIOSK, "transaction_id": "", "envelope": {}},
    {"kiosk_id": KIOSK, "transaction_id": "t", "envelope": {"v": 1}},
])
def test_malformed_identity_requests_are_bad_requests(service: BackendService,
                                                      body: object) -> None:
    assert refusal(service.identify, KIOSK, body).status == 400


def test_tokens_expire(service: BackendService) -> None:
    data = envelope_json("choi-yuna", "txn-exp", issued_at=1_790_000_000)
    token = service.identify(KIOSK, {"kiosk_id": KIOSK, "transaction_id": "txn-exp",
                                     "envelope": data})["identity_token"]
    request = {"kiosk_id": KIOSK, "transaction_id": "txn-exp",
               "document_code": "basic-certificate", "identity_token": token}
    assert service.document(KIOSK, request)["content"]["transaction_id"] == "txn-exp"
    service.test_clock[0] += 61  # type: ignore[attr-defined]
    error = refusal(service.document, KIOSK, {**request, "options": {"detail": "detailed"}})
    assert (error.status, error.error) == (401, "identity_token_invalid")


def test_identified_owner_gets_their_own_property_by_default(service: BackendService) -> None:
    data = envelope_json("park-jiwoo", "txn-own", issued_at=1_790_000_000)
    token = service.identify(KIOSK, {"kiosk_id": KIOSK, "transaction_id": "txn-own",
                                     "envelope": data})["identity_token"]
    answer = service.document(KIOSK, {"kiosk_id": KIOSK, "transaction_id": "txn-own",
                                      "document_code": "building-register-collective",
                                      "identity_token": token})
    assert answer["content"]["title"] == "집합건축물대장(전유부)"
    assert "101동 1203호" in json.dumps(answer["content"]["body"], ensure_ascii=False)
    error = refusal(service.document, KIOSK, {"kiosk_id": KIOSK, "transaction_id": "txn-own",
                                              "document_code": "land-register"})
    assert (error.status, error.error) == (422, "bad_option")


# ------------------------------------------------------------------ HTTP and admin


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendSim]:
    run_dir = tmp_path_factory.mktemp("backend-run")
    with BackendSim(run_dir=run_dir) as sim:
        yield sim
    assert not (run_dir / "backend.json").exists()


@pytest.fixture
def mtls(backend: BackendSim) -> Iterator[httpx.Client]:
    context = ssl.create_default_context(cafile=str(PKI / "ca.pem"))
    context.load_cert_chain(str(PKI / "kiosk-jongno-0001.pem"),
                            str(PKI / "kiosk-jongno-0001.key"))
    with httpx.Client(verify=context, base_url=backend.url, timeout=5.0) as client:
        yield client


def test_run_dir_tells_where_the_backend_listens(backend: BackendSim) -> None:
    assert backend.run_dir is not None
    info = json.loads((backend.run_dir / "backend.json").read_text(encoding="utf-8"))
    assert info == {"url": backend.url, "admin_url": backend.admin_url}


def test_replay_over_https_is_refused(mtls: httpx.Client) -> None:
    body = {"kiosk_id": KIOSK, "transaction_id": "txn-http-replay",
            "envelope": envelope_json("hong-gildong", "txn-http-replay")}
    assert mtls.post("/v1/identity", json=body).status_code == 200
    again = mtls.post("/v1/identity", json=body)
    assert (again.status_code, again.json()["error"]) == (409, "envelope_replayed")


@pytest.mark.parametrize(("method", "path", "content", "headers", "status", "error"), [
    ("POST", "/v1/documents", b"{not json", {"Content-Type": "application/json"}, 400,
     "bad_request"),
    ("POST", "/v1/documents", b"{}", {"Content-Type": "text/plain"}, 415,
     "unsupported_media_type"),
    ("POST", "/v1/documents", b"x" * 70_000, {"Content-Type": "application/json"}, 413,
     "body_too_large"),
    ("GET", "/v1/nothing", None, {}, 404, "not_found"),
    ("GET", "/v1/identity", None, {}, 405, "not_found"),
])
def test_http_level_refusals(mtls: httpx.Client, method: str, path: str,
                             content: bytes | None, headers: dict[str, str], status: int,
                             error: str) -> None:
    answer = mtls.request(method, path, content=content, headers=headers)
    assert (answer.status_code, answer.json()["error"]) == (status, error)


def test_503_carries_the_citys_message(backend: BackendSim, mtls: httpx.Client) -> None:
    backend.fault("error_5xx")
    try:
        answer = mtls.get("/v1/health")
    finally:
        backend.fault("error_5xx", False)
    assert answer.status_code == 503
    assert answer.json()["message"] == "시군구 서버 접속이 원활하지 않습니다"
    assert mtls.get("/v1/health").status_code == 200


def test_a_certificate_of_the_ca_that_is_not_a_kiosks_is_refused(backend: BackendSim) -> None:
    context = ssl.create_default_context(cafile=str(PKI / "ca.pem"))
    context.load_cert_chain(str(PKI / "fleet.pem"), str(PKI / "fleet.key"))
    body = {"kiosk_id": "fleet-monitor", "transaction_id": "txn-fleet",
            "document_code": "land-price", "options": {"parcel": "서울특별시 종로구 청운동 89-12"}}
    with httpx.Client(verify=context, timeout=3.0) as stranger:
        answer = stranger.post(backend.url + "/v1/documents", json=body)
    assert (answer.status_code, answer.json()["error"]) == (403, "unknown_kiosk")
    assert backend.state()["kiosks"] == ["jongno-0001", "jongno-0002"]


def test_a_client_certificate_from_another_ca_is_refused(backend: BackendSim,
                                                          tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, KIOSK)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .sign(key, hashes.SHA256()))
    (tmp_path / "self.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "self.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.create_default_context(cafile=str(PKI / "ca.pem"))
    context.load_cert_chain(str(tmp_path / "self.pem"), str(tmp_path / "self.key"))
    with httpx.Client(verify=context, timeout=3.0) as stranger, pytest.raises(
            httpx.TransportError):
        stranger.get(backend.url + "/v1/health")


def admin(backend: BackendSim, path: str, body: object | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(backend.admin_url + path, data=data,
                                     method="GET" if data is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_admin_api_sets_faults_and_reports_state(backend: BackendSim) -> None:
    status, state = admin(backend, "/fault", {"fault": "slow", "params": {"delay_s": 0.2}})
    assert status == 200 and state["faults"] == {"slow": {"delay_s": 0.2}}
    status, state = admin(backend, "/fault", {"fault": "slow", "active": False})
    assert status == 200 and state["faults"] == {}
    assert admin(backend, "/state")[1]["listening"] is True
    for bad in ({"fault": "meltdown"}, {"fault": "slow", "params": {"delay_s": -1}},
                {"fault": "down", "params": {"x": 1}}, {"nofault": 1}):
        status, answer = admin(backend, "/fault", bad)
        assert status == 400 and answer["error"]
    assert admin(backend, "/nothing")[0] == 404


# ------------------------------------------------------------------ every option value builds

BASE_OPTIONS = {
    "land-register": {"parcel": "서울특별시 종로구 청운동 89-12"},
    "forest-register": {"parcel": "경기도 가평군 상면 행현리 산 27-3"},
    "land-use-plan": {"parcel": "경기도 가평군 상면 행현리 산 27-3"},
    "land-price": {"parcel": "서울특별시 종로구 무악동 47"},
    "building-register-general": {"address": "서울특별시 종로구 청운동 89-12"},
    "building-register-collective": {"address": "서울특별시 종로구 통일로 230",
                                     "unit": "502호"},
}
OWNERS = {"vehicle-register": "lee-seojun", "military-service": "park-jiwoo",
          "local-tax-payment": "choi-yuna"}
VARIANTS = [(code, name, value) for code, spec in SPECS.items()
            for name, rule in spec.options.items() if hasattr(rule, "values")
            for value in rule.values]


@pytest.mark.parametrize(("code", "option", "value"), VARIANTS)
def test_every_option_value_of_every_document_builds(code: str, option: str,
                                                     value: str) -> None:
    spec = SPECS[code]
    subject = SUBJECTS[OWNERS.get(code, "lee-seojun")] if spec.identity else None
    options = validate_options(spec, {**BASE_OPTIONS.get(code, {}), option: value})
    signed = Issuer(Ed25519PrivateKey.generate()).issue(spec, options, subject, KIOSK, "txn-v")
    assert 1 <= signed.content.pages <= 4
    assert signed.content.title.startswith(spec.title.split("(")[0]) or value == "english"


def test_options_match_the_kiosk_catalogue() -> None:
    catalogue = Path(__file__).resolve().parents[2] / "kiosk" / "issuance" / "catalogue.toml"
    import tomllib

    documents = tomllib.loads(catalogue.read_text(encoding="utf-8"))["documents"]
    assert set(documents) == set(SPECS)
    for code, document in documents.items():
        spec = SPECS[code]
        assert document["identity_required"] == spec.identity, code
        choices = [option for option in document.get("options", ())
                   if option.get("kind", "choice") == "choice"]
        expected = {option["key"]: (sorted(value["value"] for value in option["values"]),
                                    option["default"]) for option in choices}
        mine = {name: (sorted(rule.values), rule.default)
                for name, rule in spec.options.items() if hasattr(rule, "values")}
        assert mine == expected, code


# ------------------------------------------------------------------ fuzz: only ApiError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=16), children, max_size=5), max_leaves=12)
request_keys = st.sampled_from(["kiosk_id", "transaction_id", "envelope", "document_code",
                                "options", "identity_token", "other"])
FUZZ_SERVICE = BackendService(BACKEND_KEY, Ed25519PrivateKey.generate())
requests = st.dictionaries(request_keys, json_values | st.just(KIOSK)
                           | st.sampled_from(sorted(SPECS)), max_size=6) | json_values


@settings(max_examples=300, deadline=None)
@given(requests, st.booleans())
def test_any_request_body_gives_an_answer_or_an_api_error(body: object, identity: bool) -> None:
    try:
        answer = (FUZZ_SERVICE.identify if identity else FUZZ_SERVICE.document)(KIOSK, body)
    except ApiError as exc:
        assert 400 <= exc.status < 500 and exc.error
    else:
        assert isinstance(answer, dict)

