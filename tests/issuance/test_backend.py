"""The kiosk's backend client against the real backend simulator over real mutual TLS."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import BackendConfig
from kiosk.errors import BackendRejected, BackendUnavailable, IdentityRejected
from kiosk.issuance.backend import BackendClient, IdentityToken
from kiosk.issuance.document import verify_signed_document
from sim.backend import BackendSim
from sim.backend.server import FAULT_NAMES
from sim.backend.subjects import SUBJECTS
from sim.subjects_fingers import template_for

PKI = Path(__file__).resolve().parents[2] / "examples" / "pki"
AUTHORITY = serialization.load_pem_public_key((PKI / "authority-ed25519.pub").read_bytes())
KIOSK_A, KIOSK_B = "jongno-0001", "jongno-0002"
UNKNOWN_RRN = "850620-1077458"  # well formed, check digit valid, nobody enrolled

#: document code -> (subject or None, options, fewest pages, most pages)
CASES = {
    "resident-copy": ("lee-seojun", {"address-history": "all", "change-reasons": "include",
                                     "household-composition": "include"}, 1, 2),
    "resident-abstract": ("park-jiwoo", {"military": "include", "address-head": "include"},
                          1, 2),
    "family-relation": ("lee-seojun", {}, 1, 1),
    "basic-certificate": ("kim-minji", {"detail": "detailed"}, 1, 1),
    "marriage-relation": ("choi-yuna", {"detail": "detailed"}, 1, 1),
    "adoption-relation": ("lee-seojun", {}, 1, 1),
    "full-adoption-relation": ("hong-gildong", {}, 1, 1),
    "land-register": (None, {"parcel": "서울특별시 종로구 청운동 89-12", "history": "include"},
                      1, 2),
    "forest-register": (None, {"parcel": "경기도 가평군 상면 행현리 산 27-3"}, 1, 2),
    "building-register-general": (None, {"address": "서울특별시 종로구 자하문로33길 12"}, 2, 4),
    "building-register-collective": (None, {"address": "서울특별시 종로구 통일로 230",
                                            "unit": "101동 1203호"}, 2, 4),
    "land-use-plan": (None, {"parcel": "1111010100-1-0089-0012"}, 1, 2),
    "land-price": (None, {"parcel": "경기도 가평군 상면 행현리 412-1"}, 1, 1),
    "local-tax-payment": ("lee-seojun", {"purpose": "payment"}, 1, 1),
    "local-tax-itemised": ("park-jiwoo", {"period": "recent-3y"}, 1, 2),
    "vehicle-register": ("lee-seojun", {}, 2, 2),
    "military-service": ("park-jiwoo", {}, 1, 1),
}
BRIEF_CODES = {
    "resident-copy", "resident-abstract", "family-relation", "basic-certificate",
    "marriage-relation", "adoption-relation", "full-adoption-relation", "land-register",
    "forest-register", "building-register-general", "building-register-collective",
    "land-use-plan", "land-price", "local-tax-payment", "local-tax-itemised", "vehicle-register",
    "military-service"}


@pytest.fixture(scope="module")
def backend() -> Iterator[BackendSim]:
    with BackendSim() as sim:
        yield sim


@pytest.fixture(autouse=True)
def no_faults(backend: BackendSim) -> Iterator[None]:
    yield
    for name in FAULT_NAMES:
        backend.fault(name, False)


def make_client(backend: BackendSim, kiosk_id: str = KIOSK_A, *, cert_of: str | None = None,
                timeout_s: float = 5.0) -> BackendClient:
    stem = f"kiosk-{cert_of or kiosk_id}"
    config = BackendConfig(url=backend.url, ca_file=PKI / "ca.pem",
                           cert_file=PKI / f"{stem}.pem", key_file=PKI / f"{stem}.key",
                           public_key_file=PKI / "backend-x25519.pub", timeout_s=timeout_s)
    return BackendClient(config, kiosk_id)


@pytest.fixture
def client(backend: BackendSim) -> Iterator[BackendClient]:
    with make_client(backend) as kiosk:
        yield kiosk


def identify(client: BackendClient, subject: str, txn: str, finger: int = 0) -> IdentityToken:
    return client.identify(txn, SUBJECTS[subject].rrn, template_for(subject, finger))


def body_text(signed: object) -> str:
    parts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict) or hasattr(value, "items"):
            for item in value.values():  # type: ignore[attr-defined]
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(signed.content.body)  # type: ignore[attr-defined]
    return "\n".join(parts)


def test_health_measures_a_round_trip(client: BackendClient) -> None:
    latency = client.health()
    assert 0 < latency < 2.0


def test_identity_accepted_with_any_enrolled_finger(client: BackendClient) -> None:
    token = identify(client, "kim-minji", "txn-id-ok", finger=5)
    assert token.transaction_id == "txn-id-ok" and not token.expired
    assert "resident-copy" in token.entitled and "military-service" not in token.entitled
    assert token.token not in repr(token)
    dashless = client.identify("txn-id-ok2", SUBJECTS["lee-seojun"].rrn_digits,
                               bytearray(template_for("lee-seojun", 1)))
    assert "military-service" in dashless.entitled


def test_unenrolled_finger_is_rejected(client: BackendClient) -> None:
    with pytest.raises(IdentityRejected) as caught:
        identify(client, "choi-yuna", "txn-wrong-finger", finger=1)
    assert caught.value.code == "issuance.identity_rejected"
    assert caught.value.retryable


def test_another_persons_finger_is_rejected(client: BackendClient) -> None:
    with pytest.raises(IdentityRejected):
        client.identify("txn-impostor", SUBJECTS["park-jiwoo"].rrn, template_for("lee-seojun"))


def test_unknown_rrn_is_rejected_like_a_wrong_finger(client: BackendClient) -> None:
    with pytest.raises(IdentityRejected) as caught:
        client.identify("txn-unknown", UNKNOWN_RRN, template_for("lee-seojun"))
    assert caught.value.code == "issuance.identity_rejected"
    assert UNKNOWN_RRN[:6] not in str(caught.value)


def test_malformed_rrn_fails_before_the_network_without_echoing_it(
        client: BackendClient) -> None:
    with pytest.raises(BackendRejected) as caught:
        client.identify("txn-bad-rrn", "780412-103452X", template_for("lee-seojun"))
    assert caught.value.code == "issuance.backend.envelope"
    assert "780412" not in str(caught.value) and "780412" not in repr(caught.value)


def test_brief_document_codes_are_all_covered() -> None:
    assert set(CASES) == BRIEF_CODES


@pytest.mark.parametrize("code", sorted(CASES))
def test_every_document_code_is_signed_and_plausible(client: BackendClient, code: str) -> None:
    subject, options, fewest, most = CASES[code]
    txn = f"txn-doc-{code}"
    token = identify(client, subject, txn) if subject else None
    signed = client.fetch_document(txn, code, options, token)
    verify_signed_document(signed, AUTHORITY)
    content = signed.content
    assert (content.kiosk_id, content.transaction_id, content.document_code) == (
        KIOSK_A, txn, code)
    assert len(content.number) == 12 and content.number.isdigit()
    assert fewest <= content.pages <= most, content.pages
    text = body_text(signed)
    if subject:
        assert SUBJECTS[subject].name in text
    closing = content.body["pages"][-1][-1]
    assert closing["type"] == "paragraph" and ("증명" in closing["text"]
                                              or "확인" in closing["text"]
                                              or "등본" in closing["text"])


def test_rrn_back_digits_are_shown_only_as_asked(client: BackendClient) -> None:
    token = identify(client, "lee-seojun", "txn-rrn-back")
    spouse = SUBJECTS["kim-minji"].rrn
    texts = {choice: body_text(client.fetch_document(
        "txn-rrn-back", "resident-copy", {"rrn-back-digits": choice}, token))
        for choice in ("none", "self", "all")}
    own = SUBJECTS["lee-seojun"].rrn
    assert own not in texts["none"] and spouse not in texts["none"]
    assert own in texts["self"] and spouse not in texts["self"]
    assert own in texts["all"] and spouse in texts["all"]


def test_identity_documents_need_a_token(client: BackendClient) -> None:
    with pytest.raises(IdentityRejected) as caught:
        client.fetch_document("txn-no-token", "resident-copy", {}, None)
    assert caught.value.code == "issuance.backend.identity_token_invalid"


def test_token_is_bound_to_transaction_and_kiosk(backend: BackendSim,
                                                 client: BackendClient) -> None:
    token = identify(client, "lee-seojun", "txn-bound")
    with pytest.raises(BackendRejected) as caught:
        client.fetch_document("txn-other", "resident-copy", {}, token.token)
    assert caught.value.code == "issuance.backend.identity_token_mismatch"
    with make_client(backend, KIOSK_B) as other_kiosk, pytest.raises(BackendRejected) as caught:
        other_kiosk.fetch_document("txn-bound", "resident-copy", {}, token.token)
    assert caught.value.code == "issuance.backend.identity_token_mismatch"


def test_repeated_request_returns_the_same_document(client: BackendClient) -> None:
    options = {"parcel": "서울특별시 종로구 청운동 89-12"}
    first = client.fetch_document("txn-repeat", "land-price", options)
    again = client.fetch_document("txn-repeat", "land-price", options)
    other = client.fetch_document("txn-repeat-2", "land-price", options)
    assert first.content.number == again.content.number != other.content.number


@pytest.mark.parametrize(("code", "options", "error"), [
    ("no-such-document", {}, "unknown_document"),
    ("land-register", {"parcel": "서울특별시 종로구 청운동 1"}, "record_not_found"),
    ("land-register", {"parcel": "경기도 가평군 상면 행현리 산 27-3"}, "record_not_found"),
    ("land-register", {}, "bad_option"),
    ("land-register", {"parcel": "서울특별시 종로구 청운동 89-12", "colour": "red"},
     "bad_option"),
])
def test_backend_refusals_carry_specific_codes(client: BackendClient, code: str,
                                               options: dict[str, str], error: str) -> None:
    with pytest.raises(BackendRejected) as caught:
        client.fetch_document("txn-refused", code, options)
    assert caught.value.code == f"issuance.backend.{error}"
    assert not caught.value.retryable


def test_arrears_make_a_tax_payment_certificate_unavailable(client: BackendClient) -> None:
    token = identify(client, "park-jiwoo", "txn-arrears")
    assert "local-tax-payment" not in token.entitled
    with pytest.raises(BackendRejected) as caught:
        client.fetch_document("txn-arrears", "local-tax-payment", {}, token)
    assert caught.value.code == "issuance.backend.not_issuable"


def test_spoofed_kiosk_id_is_refused(backend: BackendSim) -> None:
    with make_client(backend, KIOSK_A, cert_of=KIOSK_B) as spoofer:
        with pytest.raises(BackendRejected) as caught:
            spoofer.fetch_document("txn-spoof", "land-price",
                                   {"parcel": "서울특별시 종로구 청운동 89-12"})
        assert caught.value.code == "issuance.backend.kiosk_id_mismatch"
        with pytest.raises(BackendRejected) as caught:
            identify(spoofer, "lee-seojun", "txn-spoof")
        assert caught.value.code == "issuance.backend.kiosk_id_mismatch"


def test_slow_backend_within_the_deadline_answers(backend: BackendSim) -> None:
    backend.fault("slow", delay_s=0.4)
    with make_client(backend, timeout_s=3.0) as client:
        started = time.monotonic()
        client.health()
        assert 0.4 <= time.monotonic() - started < 3.0


def test_5xx_is_unavailable_and_retryable(backend: BackendSim, client: BackendClient) -> None:
    backend.fault("error_5xx")
    with pytest.raises(BackendUnavailable) as caught:
        identify(client, "lee-seojun", "txn-5xx")
    assert caught.value.retryable
    assert caught.value.message_key == "error.backend_unavailable"
    backend.fault("error_5xx", False)
    assert identify(client, "lee-seojun", "txn-5xx").entitled


def test_timeout_is_unavailable_within_the_deadline(backend: BackendSim) -> None:
    backend.fault("timeout")
    with make_client(backend, timeout_s=0.8) as client:
        started = time.monotonic()
        with pytest.raises(BackendUnavailable) as caught:
            client.fetch_document("txn-timeout", "land-price",
                                  {"parcel": "서울특별시 종로구 청운동 89-12"})
        elapsed = time.monotonic() - started
    assert caught.value.code == "issuance.backend.timeout"
    assert 0.7 <= elapsed < 2.0  # read deadline 0.8 s plus connect and handshake


def test_down_backend_is_unavailable_and_comes_back(backend: BackendSim,
                                                    client: BackendClient) -> None:
    client.health()
    backend.fault("down")
    started = time.monotonic()
    with pytest.raises(BackendUnavailable) as caught:
        client.health()
    assert caught.value.code in ("issuance.backend.unreachable", "issuance.backend.timeout")
    assert time.monotonic() - started < 2.0
    backend.fault("down", False)
    assert client.health() > 0


def test_two_kiosks_at_once_each_get_their_own_citizens_document(backend: BackendSim) -> None:
    people = {KIOSK_A: "lee-seojun", KIOSK_B: "park-jiwoo"}
    barrier = threading.Barrier(2)
    results: dict[str, tuple[float, object]] = {}
    failures: list[BaseException] = []

    def session(kiosk_id: str) -> None:
        try:
            with make_client(backend, kiosk_id) as client:
                txn = f"txn-{kiosk_id}-pair"
                barrier.wait(timeout=5)
                started = time.monotonic()
                token = identify(client, people[kiosk_id], txn)
                results[kiosk_id] = (started, client.fetch_document(
                    txn, "resident-abstract", {}, token))
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=session, args=(kiosk,)) for kiosk in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not failures, failures
    assert abs(results[KIOSK_A][0] - results[KIOSK_B][0]) < 1.0
    for kiosk_id, subject in people.items():
        signed = results[kiosk_id][1]
        other = SUBJECTS[people[KIOSK_B if kiosk_id == KIOSK_A else KIOSK_A]]
        assert signed.content.kiosk_id == kiosk_id  # type: ignore[attr-defined]
        assert signed.content.transaction_id == f"txn-{kiosk_id}-pair"  # type: ignore
        assert SUBJECTS[subject].name in body_text(signed)
        assert other.name not in body_text(signed)
        verify_signed_document(signed, AUTHORITY)  # type: ignore[arg-type]


def test_the_client_refuses_a_server_it_does_not_trust(backend: BackendSim,
                                                       tmp_path: Path) -> None:
    config = BackendConfig(url=backend.url, ca_file=PKI / "authority.pem",
                           cert_file=PKI / "kiosk-jongno-0001.pem",
                           key_file=PKI / "kiosk-jongno-0001.key",
                           public_key_file=PKI / "backend-x25519.pub", timeout_s=2.0)
    with BackendClient(config, KIOSK_A) as client, pytest.raises(BackendUnavailable) as caught:
        client.health()
    assert "SSLCertVerificationError" in str(caught.value)


def test_client_without_certificate_is_refused(backend: BackendSim) -> None:
    import ssl

    context = ssl.create_default_context(cafile=str(PKI / "ca.pem"))
    with httpx.Client(verify=context, timeout=3.0) as anonymous, pytest.raises(
            httpx.TransportError):
        anonymous.get(backend.url + "/v1/health")


# ------------------------------------------------------------------ answers breaking the contract
# The real simulator never sends these, so an httpx.MockTransport stands in for a broken backend.


def broken_backend(answer: httpx.Response) -> BackendClient:
    config = BackendConfig(url="https://backend.test", ca_file=PKI / "ca.pem",
                           cert_file=PKI / "kiosk-jongno-0001.pem",
                           key_file=PKI / "kiosk-jongno-0001.key",
                           public_key_file=PKI / "backend-x25519.pub", timeout_s=2.0)
    return BackendClient(config, KIOSK_A, transport=httpx.MockTransport(lambda _: answer))


def foreign_document() -> dict[str, object]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk.issuance.document import DocumentContent, sign_document, signed_to_json

    content = DocumentContent(
        number="123456789012", document_code="land-price", title="개별공시지가확인서",
        authority="서울특별시 종로구청장", issued_at="2026-01-02T10:00:00+09:00",
        kiosk_id=KIOSK_A, transaction_id="txn-someone-else",
        body={"pages": [[{"type": "paragraph", "text": "확인합니다."}]]})
    return signed_to_json(sign_document(content, Ed25519PrivateKey.generate()))


@pytest.mark.parametrize(("answer", "error", "code"), [
    (httpx.Response(200, text="<html>portal login</html>"), BackendRejected,
     "issuance.backend.malformed_response"),
    (httpx.Response(200, json=["a", "list"]), BackendRejected,
     "issuance.backend.malformed_response"),
    (httpx.Response(200, json={"format": "kiosk-signed-document/1"}), BackendRejected,
     "issuance.backend.malformed_document"),
    (httpx.Response(200, json=foreign_document()), BackendRejected,
     "issuance.backend.document_mismatch"),
    (httpx.Response(302, headers={"Location": "https://elsewhere"}), BackendRejected,
     "issuance.backend_rejected"),
    (httpx.Response(500, text="Internal Server Error"), BackendUnavailable,
     "issuance.backend_unavailable"),
    (httpx.Response(404, json={"error": "Not A Code!"}), BackendRejected,
     "issuance.backend_rejected"),
])
def test_answers_that_break_the_contract_are_specific_errors(
        answer: httpx.Response, error: type[Exception], code: str) -> None:
    with broken_backend(answer) as client, pytest.raises(error) as caught:
        client.fetch_document("txn-broken", "land-price", {"parcel": "x"})
    assert caught.value.code == code  # type: ignore[attr-defined]


@pytest.mark.parametrize("answer", [
    {"entitled": []}, {"identity_token": "t", "expires_in_s": 0, "entitled": []},
    {"identity_token": "t", "expires_in_s": True, "entitled": []},
    {"identity_token": "t", "expires_in_s": 60, "entitled": [1]},
])
def test_identity_answer_breaking_the_contract_is_refused(answer: dict[str, object]) -> None:
    broken = broken_backend(httpx.Response(200, json=answer))
    with broken as client, pytest.raises(BackendRejected) as caught:
        identify(client, "lee-seojun", "txn-broken")
    assert caught.value.code == "issuance.backend.malformed_response"


def test_unusable_key_files_are_config_errors(backend: BackendSim) -> None:
    from kiosk.errors import ConfigError

    good = dict(url=backend.url, ca_file=PKI / "ca.pem", cert_file=PKI / "kiosk-jongno-0001.pem",
                key_file=PKI / "kiosk-jongno-0001.key",
                public_key_file=PKI / "backend-x25519.pub")
    for broken in ({"public_key_file": PKI / "fleet-ed25519.pub"},
                   {"key_file": PKI / "kiosk-jongno-0002.key"}):
        with pytest.raises(ConfigError):
            BackendClient(BackendConfig(**{**good, **broken}), KIOSK_A)


@settings(max_examples=200, deadline=None)
@given(st.integers(100, 599), st.binary(max_size=300) | st.builds(
    lambda data: json.dumps(data).encode(), st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=10), children, max_size=4), max_leaves=8)))
def test_any_answer_gives_a_document_or_a_kiosk_error(status: int, content: bytes) -> None:
    with broken_backend(httpx.Response(status, content=content)) as client:
        try:
            client.fetch_document("txn-fuzz", "land-price", {"parcel": "x"})
        except (BackendRejected, BackendUnavailable, IdentityRejected) as exc:
            assert exc.code.startswith("issuance.")
