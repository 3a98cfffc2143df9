"""The kiosk's client of the city issuance backend (docs/protocols/backend-api.md).

HTTPS JSON over mutual TLS (httpx, one pooled client for connection reuse): the kiosk presents
its client certificate (CN = kiosk id) and trusts only the configured CA. The RRN and the
fingerprint template travel only inside an identity envelope (:mod:`kiosk.issuance.envelope`)
sealed to the backend's X25519 key; they are never logged, never put in an exception, and the
envelope's plaintext buffer is wiped as soon as it is sealed.

Blocking API (the core calls it through ``asyncio.to_thread``). Errors:

- connection refused, TLS failure, timeout, 5xx -> :class:`~kiosk.errors.BackendUnavailable`
  (retryable; ``error.backend_unavailable`` on screen);
- 401 -> :class:`~kiosk.errors.IdentityRejected`;
- any other 4xx, or an answer that breaks the contract -> :class:`~kiosk.errors.BackendRejected`;
- unusable key or certificate files -> :class:`~kiosk.errors.ConfigError` (at construction);

each with ``code`` ``issuance.backend.<error>`` naming the backend's error code (class default
codes for ``identity_rejected`` and ``backend_unavailable``).
"""

from __future__ import annotations

import logging
import re
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from kiosk.config import BackendConfig
from kiosk.errors import (
    BackendRejected,
    BackendUnavailable,
    ConfigError,
    IdentityRejected,
    IssuanceError,
    VerificationError,
)
from kiosk.issuance.document import SignedDocument, signed_from_json
from kiosk.issuance.envelope import EnvelopeError, Identity, load_public_key, seal

log = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 4 * 1024 * 1024  # a signed document body is a few tens of KiB
ERROR_CODE = re.compile(r"[a-z][a-z0-9_]{0,47}")  # backend error codes we put into ours
USER_AGENT = "kiosk-controller/1"


@dataclass(frozen=True)
class IdentityToken:
    """The backend's opaque, short-lived proof of identity for one kiosk and transaction.

    ``repr`` hides the token (it is a bearer credential).
    """

    token: str = field(repr=False)
    transaction_id: str
    entitled: tuple[str, ...]
    expires_at: float  # time.monotonic() deadline

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.expires_at


class BackendClient:
    """Talks to the city backend for one kiosk. Thread-safe (httpx.Client is)."""

    def __init__(self, config: BackendConfig, kiosk_id: str,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.kiosk_id = kiosk_id
        self.timeout_s = config.timeout_s
        self._base_url = config.url.rstrip("/")
        try:
            self._public_key = load_public_key(config.public_key_file.read_bytes())
        except (OSError, EnvelopeError) as exc:
            raise ConfigError(f"backend.public_key_file: not a usable X25519 public key "
                              f"({type(exc).__name__})") from None
        try:
            context = ssl.create_default_context(cafile=str(config.ca_file))
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(str(config.cert_file), str(config.key_file))
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"backend.ca_file/cert_file/key_file: unusable for TLS "
                              f"({type(exc).__name__}: {exc})") from None
        self._http = httpx.Client(verify=context, timeout=httpx.Timeout(config.timeout_s),
                                  headers={"User-Agent": USER_AGENT}, transport=transport,
                                  follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BackendClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ API

    def health(self) -> float:
        """Round-trip time of ``GET /v1/health`` in seconds."""
        started = time.monotonic()
        answer = self._call("GET", "/v1/health", None, step="health")
        if answer.get("status") != "ok":
            raise BackendRejected("health answer without status ok", step="health",
                                  code="issuance.backend.malformed_response")
        return time.monotonic() - started

    def identify(self, transaction_id: str, rrn: str | bytes | bytearray,
                 template: bytes | bytearray) -> IdentityToken:
        """Prove the citizen's identity; returns a token for their documents.

        The RRN and template are copied into a wipeable buffer, sealed, and wiped before this
        returns; the caller may drop its own copies right after the call.

        Raises:
            IdentityRejected: unknown RRN or the fingerprint does not match.
            BackendUnavailable / BackendRejected: see the module docstring.
        """
        try:
            with Identity(rrn, template) as identity:
                envelope = seal(self._public_key, identity, self.kiosk_id, transaction_id)
        except EnvelopeError as exc:
            raise BackendRejected(exc.detail, step="identify",
                                  code="issuance.backend.envelope") from None
        started = time.monotonic()
        answer = self._call("POST", "/v1/identity", {
            "kiosk_id": self.kiosk_id, "transaction_id": transaction_id,
            "envelope": envelope.to_json()}, step="identify")
        token, ttl, entitled = (answer.get("identity_token"), answer.get("expires_in_s"),
                                answer.get("entitled"))
        if (not isinstance(token, str) or not token or isinstance(ttl, bool)
                or not isinstance(ttl, (int, float)) or ttl <= 0
                or not isinstance(entitled, list)
                or not all(isinstance(code, str) for code in entitled)):
            raise BackendRejected("identity answer breaks the contract", step="identify",
                                  code="issuance.backend.malformed_response")
        log.info("identity accepted txn=%s in %.3f s", transaction_id,
                 time.monotonic() - started)
        return IdentityToken(token, transaction_id, tuple(entitled), started + float(ttl))

    def fetch_document(self, transaction_id: str, document_code: str,
                       options: Mapping[str, Any] | None = None,
                       token: IdentityToken | str | None = None) -> SignedDocument:
        """Fetch one signed document for this transaction.

        The answer is parsed strictly and must belong to this kiosk, transaction and document
        code; signatures are checked by the caller against its trust anchors.
        """
        if isinstance(token, IdentityToken):
            if token.transaction_id != transaction_id:
                raise BackendRejected("identity token belongs to another transaction",
                                      step="fetch", code="issuance.backend.token_mismatch")
            token = token.token
        request: dict[str, Any] = {"kiosk_id": self.kiosk_id, "transaction_id": transaction_id,
                                   "document_code": document_code,
                                   "options": dict(options or {})}
        if token is not None:
            request["identity_token"] = token
        answer = self._call("POST", "/v1/documents", request, step="fetch")
        try:
            signed = signed_from_json(answer)
        except VerificationError as exc:
            raise BackendRejected(f"document answer malformed: {exc.detail}", step="fetch",
                                  code="issuance.backend.malformed_document") from None
        content = signed.content
        if (content.kiosk_id, content.transaction_id, content.document_code) != (
                self.kiosk_id, transaction_id, document_code):
            raise BackendRejected("document is for another kiosk, transaction or type",
                                  step="fetch", code="issuance.backend.document_mismatch")
        log.info("document fetched txn=%s code=%s number=%s pages=%d", transaction_id,
                 document_code, content.number, content.pages)
        return signed

    # ------------------------------------------------------------ transport

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None, *,
              step: str) -> dict[str, Any]:
        try:
            response = self._http.request(method, self._base_url + path, json=body)
        except httpx.TimeoutException as exc:
            raise BackendUnavailable(f"{method} {path}: no answer within {self.timeout_s} s "
                                     f"({type(exc).__name__})", step=step,
                                     code="issuance.backend.timeout") from None
        except httpx.TransportError as exc:
            raise BackendUnavailable(f"{method} {path}: {type(exc).__name__}: "
                                     f"{_reason(exc)}", step=step,
                                     code="issuance.backend.unreachable") from None
        return self._decode(response, method, path, step)

    def _decode(self, response: httpx.Response, method: str, path: str,
                step: str) -> dict[str, Any]:
        status = response.status_code
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise BackendRejected(f"{method} {path}: answer too large", step=step,
                                  code="issuance.backend.malformed_response")
        try:
            data = response.json()
        except ValueError:
            data = None
        error = data.get("error") if isinstance(data, dict) else None
        error = error if isinstance(error, str) and ERROR_CODE.fullmatch(error) else None
        detail = f"{method} {path}: HTTP {status}" + (f" {error}" if error else "")
        if status >= 500:
            raise BackendUnavailable(detail, step=step)
        if status == 401:
            raise _with_code(IdentityRejected(detail, step=step), error, "identity_rejected")
        if not 200 <= status < 300:
            raise _with_code(BackendRejected(detail, step=step), error, None)
        if not isinstance(data, dict):
            raise BackendRejected(f"{method} {path}: answer is not a JSON object", step=step,
                                  code="issuance.backend.malformed_response")
        return data


def _with_code(exc: IssuanceError, error: str | None, default: str | None) -> IssuanceError:
    if error is not None and error != default:
        exc.code = f"issuance.backend.{error}"
    return exc


def _reason(exc: Exception) -> str:
    """The innermost cause's class (e.g. ConnectionRefusedError, SSLCertVerificationError)."""
    cause: BaseException = exc
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    return type(cause).__name__
