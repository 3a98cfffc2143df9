"""The document contract: canonical bytes against hand-written vectors, signatures, tampering,
strict parsing of the signed JSON and of the 2D-code text."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import replace
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.errors import VerificationError
from kiosk.issuance.document import (
    CodeFields,
    DocumentContent,
    SignedDocument,
    canonical_bytes,
    code_canonical_bytes,
    content_digest,
    decode_code,
    encode_code,
    format_document_number,
    format_issued_at,
    sign_document,
    signed_from_json,
    signed_to_json,
    verify_code,
    verify_signed_document,
)
from tests.issuance.document_support import content_key, signed_sample, with_content

TITLE = "주민등록표 등본"


def small_content(**changes: Any) -> DocumentContent:
    fields: dict[str, Any] = {
        "number": "123456789012", "document_code": "resident-copy",
        "title": unicodedata.normalize("NFD", TITLE), "authority": "종로구청장",
        "issued_at": "2026-11-23T02:14:05+09:00", "kiosk_id": "jongno-0001",
        "transaction_id": "t-1", "body": {"pages": [[{"type": "paragraph", "text": "가"}]]}}
    fields.update(changes)
    return DocumentContent(**fields)


# --- canonical form ------------------------------------------------------------------------

EXPECTED_CANONICAL = (
    '{"authority":"종로구청장",'
    '"body":{"pages":[[{"text":"가","type":"paragraph"}]]},'
    '"document_code":"resident-copy",'
    '"format":"kiosk-document/1",'
    '"issued_at":"2026-11-23T02:14:05+09:00",'
    '"kiosk_id":"jongno-0001",'
    '"number":"123456789012",'
    '"title":"주민등록표 등본",'
    '"transaction_id":"t-1"}').encode()


def test_canonical_bytes_match_the_hand_written_vector() -> None:
    assert canonical_bytes(small_content()) == EXPECTED_CANONICAL
    # Raw UTF-8, not \\u escapes: '가' is EA B0 80.
    assert b'"text":"\xea\xb0\x80"' in EXPECTED_CANONICAL


def test_decomposed_hangul_is_normalised_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", TITLE)
    assert len(decomposed) == 20 and len(TITLE) == 8  # 7 syllables + space
    content = small_content(title=decomposed)
    assert content.title == TITLE
    assert canonical_bytes(content) == canonical_bytes(small_content(title=TITLE))
    assert "주민등록표 등본".encode() in canonical_bytes(content)


def test_nested_blocks_sort_their_keys() -> None:
    body = {"pages": [[{"type": "table", "columns": ["a"], "rows": [["b"]]},
                       {"type": "fields", "rows": [["성명", "홍길동"]]}]]}
    text = canonical_bytes(small_content(body=body)).decode()
    assert ('"body":{"pages":[[{"columns":["a"],"rows":[["b"]],"type":"table"},'
            '{"rows":[["성명","홍길동"]],"type":"fields"}]]}') in text


def test_digest_is_sha256_of_the_canonical_bytes() -> None:
    assert content_digest(small_content()) == hashlib.sha256(EXPECTED_CANONICAL).hexdigest()


def test_code_fields_canonical_vector() -> None:
    fields = CodeFields(number="123456789012", document_code="resident-copy",
                        issued_at="2026-11-23T02:14:05+09:00", pages=3, digest="ab" * 32)
    assert code_canonical_bytes(fields) == (
        b'{"digest":"' + b"ab" * 32 + b'","document_code":"resident-copy",'
        b'"format":"kiosk-code/1","issued_at":"2026-11-23T02:14:05+09:00",'
        b'"number":"123456789012","pages":3}')


def test_code_text_vector() -> None:
    fields = CodeFields(number="123456789012", document_code="resident-copy",
                        issued_at="2026-11-23T02:14:05+09:00", pages=1, digest="00" * 32)
    text = encode_code(fields, bytes(range(64)))
    assert text == ("KDOC1.123456789012.resident-copy.2026-11-23T02:14:05+09:00.1."
                    + "A" * 43 + ".AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss"
                    "LS4vMDEyMzQ1Njc4OTo7PD0-Pw")
    assert decode_code(text) == (fields, bytes(range(64)))


def test_pages_and_printed_number() -> None:
    assert small_content().pages == 1
    assert signed_sample(3).content.pages == 3
    assert format_document_number("123456789012") == "1234-5678-9012"


def test_format_issued_at_needs_an_aware_time() -> None:
    import datetime

    seoul = datetime.timezone(datetime.timedelta(hours=9))
    moment = datetime.datetime(2026, 11, 23, 2, 14, 5, 999, tzinfo=seoul)
    assert format_issued_at(moment) == "2026-11-23T02:14:05+09:00"
    with pytest.raises(ValueError):
        format_issued_at(moment.replace(tzinfo=None))


def test_body_is_deeply_frozen() -> None:
    content = small_content()
    with pytest.raises(TypeError):
        content.body["pages"] = ()  # type: ignore[index]
    with pytest.raises(TypeError):
        content.body["pages"][0][0]["text"] = "나"  # type: ignore[index]


# --- signatures ----------------------------------------------------------------------------

def test_sign_verify_round_trip_through_json() -> None:
    signed = signed_sample(2)
    verify_signed_document(signed, content_key().public_key())
    wire = json.loads(json.dumps(signed_to_json(signed), ensure_ascii=False))
    again = signed_from_json(wire)
    assert again == signed
    verify_signed_document(again, content_key().public_key())
    fields, signature = decode_code(encode_code(signed.code_fields, signed.code_signature))
    verify_code(fields, signature, content_key().public_key())


@pytest.mark.parametrize(("field", "value"), [
    ("number", "123456789013"), ("document_code", "resident-abstract"),
    ("title", "주민등록표 초본"), ("authority", "서울특별시 중구청장"),
    ("issued_at", "2026-11-23T14:05:10+09:00"), ("kiosk_id", "jongno-0002"),
    ("transaction_id", "txn-other"),
    ("body", {"pages": [[{"type": "paragraph", "text": "위조"}]]}),
])
def test_any_changed_content_field_is_rejected(field: str, value: Any) -> None:
    signed = signed_sample()
    forged = with_content(signed, replace(signed.content, **{field: value}))
    with pytest.raises(VerificationError) as caught:
        verify_signed_document(forged, content_key().public_key())
    assert caught.value.code == "document.bad_signature"
    assert "content signature" in caught.value.detail


def test_changed_body_cell_and_added_page_are_rejected() -> None:
    signed = signed_sample(2)
    data = signed_to_json(signed)
    data["content"]["body"]["pages"][0][0]["rows"][0][1] = "김철수"
    with pytest.raises(VerificationError):
        verify_signed_document(signed_from_json(data), content_key().public_key())
    data = signed_to_json(signed)
    data["content"]["body"]["pages"].append(data["content"]["body"]["pages"][-1])
    with pytest.raises(VerificationError):
        verify_signed_document(signed_from_json(data), content_key().public_key())


def flip(blob: bytes, index: int) -> bytes:
    return blob[:index] + bytes([blob[index] ^ 0x01]) + blob[index + 1:]


def test_flipped_or_swapped_signatures_are_rejected() -> None:
    signed = signed_sample()
    key = content_key().public_key()
    for forged in (replace(signed, signature=flip(signed.signature, 10)),
                   replace(signed, code_signature=flip(signed.code_signature, 63)),
                   replace(signed, signature=signed.code_signature,
                           code_signature=signed.signature)):
        with pytest.raises(VerificationError) as caught:
            verify_signed_document(forged, key)
        assert caught.value.code == "document.bad_signature"


def test_another_key_is_rejected() -> None:
    stranger = sign_document(signed_sample().content, Ed25519PrivateKey.generate())
    with pytest.raises(VerificationError):
        verify_signed_document(stranger, content_key().public_key())


def test_code_with_changed_field_is_rejected() -> None:
    signed = signed_sample(3)
    for changed in (replace(signed.code_fields, pages=2),
                    replace(signed.code_fields, number="999999999999"),
                    replace(signed.code_fields, issued_at="2026-11-23T14:05:09+08:00"),
                    replace(signed.code_fields, digest="0" * 64)):
        with pytest.raises(VerificationError) as caught:
            verify_code(changed, signed.code_signature, content_key().public_key())
        assert "2D-code signature" in caught.value.detail


# --- strict parsing -----------------------------------------------------------------------

def reason_of(data: Any) -> str:
    with pytest.raises(VerificationError) as caught:
        signed_from_json(data)
    assert caught.value.code == "document.malformed"
    return caught.value.detail


def test_missing_unknown_and_wrong_typed_fields_are_named() -> None:
    good = signed_to_json(signed_sample())
    for key in ("format", "content", "signature", "code_signature"):
        assert reason_of({k: v for k, v in good.items() if k != key}).startswith(key)
    assert reason_of({**good, "extra": 1}).startswith("extra")
    for key in ("number", "title", "body", "kiosk_id"):
        content = {k: v for k, v in good["content"].items() if k != key}
        assert reason_of({**good, "content": content}).startswith(f"content.{key}")
    assert reason_of({**good, "content": {**good["content"], "pages": 1}}).startswith(
        "content.pages")
    assert reason_of({**good, "content": {**good["content"], "title": 7}}).startswith(
        "content.title")
    assert reason_of({**good, "format": "kiosk-signed-document/2"}).startswith("format")
    assert reason_of([good]).startswith("document: must be an object")


@pytest.mark.parametrize("number", [
    "12345678901", "1234567890123", "1234-5678-9012", "12345678901a", "١٢٣٤٥٦٧٨٩٠١٢",
    "123456789012\n", 123456789012, "",
])
def test_bad_numbers_are_rejected(number: Any) -> None:
    good = signed_to_json(signed_sample())
    detail = reason_of({**good, "content": {**good["content"], "number": number}})
    assert detail.startswith("content.number")


@pytest.mark.parametrize("issued_at", [
    "2026-11-23T02:14:05", "2026-11-23T02:14:05Z", "2026-11-23T02:14:05.123+09:00",
    "2026-02-30T02:14:05+09:00", "2026-11-23 02:14:05+09:00", "2026-11-23T24:00:00+09:00",
])
def test_bad_issue_times_are_rejected(issued_at: str) -> None:
    good = signed_to_json(signed_sample())
    detail = reason_of({**good, "content": {**good["content"], "issued_at": issued_at}})
    assert detail.startswith("content.issued_at")


def test_bad_base64_is_rejected() -> None:
    good = signed_to_json(signed_sample())
    sig = good["signature"]
    for bad in (sig[:-2], sig.rstrip("="), sig.replace("=", "A", 1), "*" + sig[1:],
                sig[:-3] + "B==", "", 5):
        assert reason_of({**good, "signature": bad}).startswith("signature")


@pytest.mark.parametrize("body", [
    {"pages": []}, {"pages": [[]], "extra": 1}, {"page": [[]]}, {"pages": "x"},
    {"pages": [[{"type": "heading"}]]}, {"pages": [[{"type": "heading", "text": ""}]]},
    {"pages": [[{"type": "image", "text": "x"}]]},
    {"pages": [[{"type": "heading", "text": "x", "style": "bold"}]]},
    {"pages": [[{"type": "heading", "text": "a\x07b"}]]},
    {"pages": [[{"type": "heading", "text": "a\ud800"}]]},
    {"pages": [[{"type": "heading", "text": "a\nb"}]]},
    {"pages": [[{"type": "fields", "rows": [["only label"]]}]]},
    {"pages": [[{"type": "fields", "rows": []}]]},
    {"pages": [[{"type": "table", "columns": ["a", "b"], "rows": [["1"]]}]]},
    {"pages": [[{"type": "table", "columns": [], "rows": []}]]},
    {"pages": [[{"type": "table", "columns": ["a"], "rows": [[1]]}]]},
])
def test_malformed_bodies_are_rejected(body: Any) -> None:
    with pytest.raises(VerificationError) as caught:
        small_content(body=body)
    assert caught.value.detail.startswith("body")


def test_paragraph_may_hold_line_breaks() -> None:
    content = small_content(body={"pages": [[{"type": "paragraph", "text": "a\nb"}]]})
    assert content.body["pages"][0][0]["text"] == "a\nb"


def test_signed_document_checks_its_signature_lengths() -> None:
    with pytest.raises(VerificationError):
        SignedDocument(content=small_content(), signature=b"x" * 63, code_signature=b"x" * 64)


@pytest.mark.parametrize("mutate", [
    lambda t: t + "\n", lambda t: " " + t, lambda t: t.replace("KDOC1", "kdoc1"),
    lambda t: t.replace("KDOC1", "KDOC2"), lambda t: t.replace(".1.", ".01.", 1),
    lambda t: t.replace(".1.", ".0.", 1), lambda t: t.replace(".1.", ".100.", 1),
    lambda t: t + "=", lambda t: t[:-1], lambda t: t + ".x", lambda t: t.replace(".", "|"),
    lambda t: t.replace("resident-copy", "Resident-copy"),
    lambda t: t.replace("+09:00", "Z"), lambda t: t.replace("T", " ", 1),
    lambda t: t.replace("482019375520", "48201937552"),
])
def test_malformed_code_texts_are_rejected(mutate: Any) -> None:
    signed = signed_sample()
    text = encode_code(signed.code_fields, signed.code_signature)
    with pytest.raises(VerificationError) as caught:
        decode_code(mutate(text))
    assert caught.value.code == "document.malformed"


def test_code_digest_must_be_canonical_base64url() -> None:
    signed = signed_sample()
    parts = encode_code(signed.code_fields, signed.code_signature).split(".")
    last = parts[5][-1]
    # The last base64url character of 32 bytes carries 2 unused bits: a different character
    # with the same leading bits would decode alike, so it must be refused.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    sibling = alphabet[alphabet.index(last) ^ 1]
    parts[5] = parts[5][:-1] + sibling
    with pytest.raises(VerificationError) as caught:
        decode_code(".".join(parts))
    assert "digest" in caught.value.detail
