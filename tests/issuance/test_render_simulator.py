"""Every document the city-backend simulator issues renders on exactly its pages (the backend's
page breaks fit the kiosk's A4 layout) and verifies after PAdES signing."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from kiosk.issuance.verify import verify_pdf
from kiosk.issuance.verify_trust import load_anchors
from sim.backend.issuer import SPECS, Issuer, entitled_documents, validate_options
from sim.backend.subjects import SUBJECTS, Person
from tests.issuance.document_support import CA, content_key, issued_pdf

# The record each register document is requested for; identity documents are requested with
# their default options for the first subject entitled to them.
RECORD_OPTIONS = {
    "land-register": {"parcel": "서울특별시 종로구 청운동 89-12"},
    "forest-register": {"parcel": "경기도 가평군 상면 행현리 산 27-3"},
    "land-use-plan": {"parcel": "서울특별시 종로구 무악동 47"},
    "land-price": {"parcel": "경기도 가평군 상면 행현리 412-1"},
    "building-register-general": {"address": "서울특별시 종로구 자하문로33길 12"},
    "building-register-collective": {"address": "서울특별시 종로구 통일로 230",
                                     "unit": "101동 1203호"},
}
TODAY = datetime.date(2026, 11, 23)


def request_for(code: str) -> tuple[Person | None, dict[str, str]]:
    if code in RECORD_OPTIONS:
        return None, RECORD_OPTIONS[code]
    subject = next(person for person in SUBJECTS.values()
                   if code in entitled_documents(person, TODAY))
    return subject, {}


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer(content_key())


def test_the_simulator_issues_the_whole_catalogue() -> None:
    assert len(SPECS) >= 17
    assert set(RECORD_OPTIONS) <= set(SPECS)


@pytest.mark.parametrize("code", sorted(SPECS))
def test_simulator_document_renders_on_its_pages_and_verifies(issuer: Issuer,
                                                              code: str) -> None:
    subject, options = request_for(code)
    spec = SPECS[code]
    signed = issuer.issue(spec, validate_options(spec, options), subject, "jongno-0001",
                          f"txn-{code}")
    pdf = issued_pdf(signed)
    reader = PdfFileReader(BytesIO(pdf), strict=True)
    assert int(reader.root["/Pages"]["/Count"]) == signed.content.pages
    result = verify_pdf(pdf, load_anchors([CA]))
    assert result.content == signed.content
