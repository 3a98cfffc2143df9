"""The saga's non-device ports in production: the backend as a document source, and the
renderer plus the authority's PAdES signer as the document maker.

A document whose Ed25519 content signature does not verify under the configured content
certificate is refused by the signer before anything is printed (``issuance.content_signature``).
"""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.config import DocumentsConfig
from kiosk.issuance.backend import BackendClient
from kiosk.issuance.document import SignedDocument
from kiosk.issuance.pades import PdfDocumentSigner
from kiosk.issuance.render import render_document


class BackendSource:
    """Fetches signed documents from the city backend (``DocumentSource``)."""

    def __init__(self, client: BackendClient) -> None:
        self.client = client

    def fetch(self, txn_id: str, document_code: str, options: Mapping[str, str],
              identity_token: str | None) -> SignedDocument:
        return self.client.fetch_document(txn_id, document_code, options, identity_token)


class PdfMaker:
    """Renders a signed document to A4 and signs the whole PDF (``DocumentMaker``)."""

    def __init__(self, config: DocumentsConfig) -> None:
        self.signer = PdfDocumentSigner(config.signer_cert_file, config.signer_key_file,
                                        config.content_cert_file)

    def make_pdf(self, signed: SignedDocument) -> bytes:
        return self.signer.sign(render_document(signed), signed)
