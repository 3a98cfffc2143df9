"""The backend simulator's API logic, apart from HTTP: identity and documents.

``identify`` opens the identity envelope (``kiosk.issuance.envelope``), refuses replays, matches
the RRN and template against the enrolled test subjects and hands out an opaque, short-lived
identity token bound to the kiosk and transaction. ``document`` issues a signed document
(``kiosk.issuance.document``). The kiosk id always comes from the client certificate; a request
naming another kiosk is refused. Every refusal is an :class:`ApiError` with an HTTP status and
a stable error code (docs/protocols/backend-api.md). Nothing here logs or stores an RRN or a
template: the decrypted identity is wiped as soon as it has been matched.

Fingerprint matching is simplified: a template matches when its bytes equal
``sim.subjects_fingers.template_for(subject, finger)`` for one of the subject's enrolled fingers.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.issuance.document import signed_to_json
from kiosk.issuance.envelope import (
    ENVELOPE_LIFETIME_S,
    Envelope,
    EnvelopeError,
    EnvelopeExpired,
    EnvelopeReplayed,
    EnvelopeUnauthentic,
    Identity,
    ReplayGuard,
    open_envelope,
)
from sim.backend.forms_base import FormError
from sim.backend.issuer import SPECS, Issuer, OptionError, entitled_documents, validate_options
from sim.backend.places import default_place_options
from sim.backend.subjects import SUBJECTS, Person, find_subject_by_rrn
from sim.subjects_fingers import TEMPLATE_SIZE, template_for

log = logging.getLogger(__name__)

TOKEN_TTL_S = 300  # an identity token outlives a slow session's payment and fetch
TOKEN_BYTES = 32  # 256-bit opaque bearer token
MAX_REMEMBERED_DOCUMENTS = 10_000  # idempotency cache: answers to repeated document requests
TRANSACTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")  # as the document contract
IDENTITY_KEYS = frozenset({"kiosk_id", "transaction_id", "envelope"})
DOCUMENT_KEYS = frozenset({"kiosk_id", "transaction_id", "document_code", "options",
                           "identity_token"})
DOCUMENT_REQUIRED = frozenset({"kiosk_id", "transaction_id", "document_code"})
_DUMMY_TEMPLATE = bytes(TEMPLATE_SIZE)


class ApiError(Exception):
    """A refusal: HTTP ``status``, stable ``error`` code and a message without personal data."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message

    def body(self) -> dict[str, str]:
        return {"error": self.error, "message": self.message}


@dataclass(frozen=True)
class TokenGrant:
    kiosk_id: str
    transaction_id: str
    subject_key: str
    expires_at: float


class BackendService:
    """The simulated city backend's state: replay guard, tokens, issued documents, counters."""

    def __init__(self, envelope_key: X25519PrivateKey, signing_key: Ed25519PrivateKey, *,
                 token_ttl_s: float = TOKEN_TTL_S,
                 envelope_lifetime_s: int = ENVELOPE_LIFETIME_S,
                 clock: Callable[[], float] = time.time,
                 kiosk_ids: frozenset[str] | None = None) -> None:
        self._envelope_key = envelope_key
        self.kiosk_ids = kiosk_ids
        self._clock = clock
        self._token_ttl_s = token_ttl_s
        self.guard = ReplayGuard(envelope_lifetime_s, clock)
        self.issuer = Issuer(signing_key)
        self._tokens: dict[str, TokenGrant] = {}
        self._issued: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.counters: Counter[str] = Counter()

    # ------------------------------------------------------------ requests

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "time": self.issuer.now().isoformat(timespec="seconds")}

    def identify(self, peer_kiosk_id: str, body: object) -> dict[str, Any]:
        data = _object(body, IDENTITY_KEYS, IDENTITY_KEYS)
        kiosk_id, transaction_id = self._ids(peer_kiosk_id, data)
        try:
            envelope = Envelope.from_json(data["envelope"])
            self.guard.check_fresh(envelope)
            identity = open_envelope(self._envelope_key, envelope, kiosk_id, transaction_id)
        except EnvelopeExpired as exc:
            raise ApiError(400, "envelope_expired", exc.detail) from None
        except EnvelopeUnauthentic as exc:
            raise ApiError(400, "envelope_unauthentic", exc.detail) from None
        except EnvelopeError as exc:
            raise ApiError(400, "envelope_malformed", exc.detail) from None
        with identity:
            try:
                self.guard.admit(envelope)
            except EnvelopeReplayed:
                self.counters["envelope_replayed"] += 1
                raise ApiError(409, "envelope_replayed", "this envelope was already used; "
                               "seal a new one") from None
            except EnvelopeExpired as exc:
                raise ApiError(400, "envelope_expired", exc.detail) from None
            subject = _match(identity)
        if subject is None:
            self.counters["identity_rejected"] += 1
            log.info("identity rejected kiosk=%s txn=%s", kiosk_id, transaction_id)
            raise ApiError(401, "identity_rejected", "resident registration number and "
                           "fingerprint do not identify an enrolled citizen")
        token = self._grant(kiosk_id, transaction_id, subject.key)
        self.counters["identity_accepted"] += 1
        log.info("identity accepted kiosk=%s txn=%s", kiosk_id, transaction_id)
        return {"identity_token": token, "expires_in_s": self._token_ttl_s,
                "entitled": entitled_documents(subject, self.issuer.now().date())}

    def document(self, peer_kiosk_id: str, body: object) -> dict[str, Any]:
        data = _object(body, DOCUMENT_KEYS, DOCUMENT_REQUIRED)
        kiosk_id, transaction_id = self._ids(peer_kiosk_id, data)
        code = data["document_code"]
        spec = SPECS.get(code) if isinstance(code, str) else None
        if spec is None:
            raise ApiError(404, "unknown_document", "no such document code")
        token = data.get("identity_token")
        subject = None
        if token is not None or spec.identity:
            subject = self._subject_for(token, kiosk_id, transaction_id)
        raw_options = data.get("options")
        raw_options = {} if raw_options is None else raw_options
        try:
            if subject is not None and not spec.identity and isinstance(raw_options, Mapping):
                raw_options = {**default_place_options(spec.code, subject.key), **raw_options}
            options = validate_options(spec, raw_options)
        except OptionError as exc:
            raise ApiError(422, exc.error, str(exc)) from None
        key = json.dumps([kiosk_id, transaction_id, code, options,
                          subject.key if subject else None], sort_keys=True, ensure_ascii=False)
        with self._lock:
            if key in self._issued:
                self.counters["documents_repeated"] += 1
                return self._issued[key]
        try:
            signed = self.issuer.issue(spec, options, subject, kiosk_id, transaction_id)
        except FormError as exc:
            raise ApiError(exc.status, exc.error, str(exc)) from None
        answer = signed_to_json(signed)
        with self._lock:
            self._issued[key] = answer
            while len(self._issued) > MAX_REMEMBERED_DOCUMENTS:
                self._issued.popitem(last=False)
        self.counters["documents_issued"] += 1
        log.info("document issued kiosk=%s txn=%s code=%s number=%s pages=%d", kiosk_id,
                 transaction_id, code, signed.content.number, signed.content.pages)
        return answer

    # ------------------------------------------------------------ tokens

    def _grant(self, kiosk_id: str, transaction_id: str, subject_key: str) -> str:
        now = self._clock()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self._lock:
            for stale in [key for key, grant in self._tokens.items() if grant.expires_at < now]:
                del self._tokens[stale]
            self._tokens[token] = TokenGrant(kiosk_id, transaction_id, subject_key,
                                             now + self._token_ttl_s)
        return token

    def _subject_for(self, token: object, kiosk_id: str, transaction_id: str) -> Person:
        if not isinstance(token, str):
            raise ApiError(401, "identity_token_invalid", "this document needs an identity "
                           "token from /v1/identity")
        with self._lock:
            grant = self._tokens.get(token)
        if grant is None or grant.expires_at < self._clock():
            raise ApiError(401, "identity_token_invalid", "identity token unknown or expired")
        if (grant.kiosk_id, grant.transaction_id) != (kiosk_id, transaction_id):
            raise ApiError(403, "identity_token_mismatch", "identity token was issued for "
                           "another kiosk or transaction")
        return SUBJECTS[grant.subject_key]

    def _ids(self, peer_kiosk_id: str, data: Mapping[str, Any]) -> tuple[str, str]:
        """The request's kiosk and transaction ids, checked against the client certificate."""
        if self.kiosk_ids is not None and peer_kiosk_id not in self.kiosk_ids:
            raise ApiError(403, "unknown_kiosk", "the client certificate is not a registered "
                           "kiosk's")
        kiosk_id, transaction_id = data["kiosk_id"], data["transaction_id"]
        if kiosk_id != peer_kiosk_id:
            raise ApiError(403, "kiosk_id_mismatch", "kiosk_id differs from the client "
                           "certificate's common name")
        if (not isinstance(transaction_id, str)
                or TRANSACTION_ID.fullmatch(transaction_id) is None):
            raise ApiError(400, "bad_request", "transaction_id must be 1-128 letters, digits "
                           "or ._:- starting with a letter or digit")
        return kiosk_id, transaction_id

    def state(self) -> dict[str, Any]:
        with self._lock:
            tokens, documents = len(self._tokens), len(self._issued)
        return {"counters": dict(self.counters), "tokens": tokens,
                "remembered_documents": documents, "replay_cache": len(self.guard)}


def _object(body: object, allowed: frozenset[str], required: frozenset[str]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    missing = sorted(required - set(body))
    if missing:
        raise ApiError(400, "bad_request", f"missing field {missing[0]!r}")
    if set(body) - allowed:
        raise ApiError(400, "bad_request", f"unexpected fields; allowed: {sorted(allowed)}")
    return body


def _match(identity: Identity) -> Person | None:
    """The subject whose RRN and one enrolled finger's template match, else None."""
    subject = find_subject_by_rrn(identity.rrn)
    if subject is None:
        hmac.compare_digest(identity.template, _DUMMY_TEMPLATE)  # same work as a real match
        return None
    matched = False
    for finger in subject.fingers:
        matched |= identity.template_equals(template_for(subject.key, finger))
    return subject if matched else None
