"""Fleet-to-kiosk commands: schema, canonical signing form and the fleet's signer.

Pure (standard library and ``kiosk.errors``; the signing key is any object with
``sign(bytes) -> bytes``, such as ``cryptography``'s ``Ed25519PrivateKey``); part of the wire
contract that ``kiosk.telemetry.protocol`` re-exports. The kiosk verifies with the fleet's
public key in ``kiosk.telemetry.commands``.

Canonical form (what the Ed25519 signature, RFC 8032, covers), :func:`signing_bytes`:

* the JSON object ``{"args", "expires_at", "format", "issued_at", "kiosk_id", "name", "nonce",
  "v"}`` where ``format`` is always ``"kiosk-command/1"`` (domain separation: no other signed
  object of the project can be replayed as a command) and ``signature`` is left out;
* ``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
  allow_nan=False)``, encoded as ASCII. Every string is ASCII by schema (ids, tokens, base64url
  nonce) and every number an integer (timestamps in whole seconds), so this is exactly the
  RFC 8785 (JCS) serialisation and any language reproduces it byte for byte.

``signature`` is the 64-byte Ed25519 signature in unpadded base64url (RFC 4648 section 5).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol

from kiosk.errors import SchemaError, UnsupportedVersion
from kiosk.telemetry import wire_fields as f

COMMAND_VERSION = 1
COMMAND_FORMAT = "kiosk-command/1"  # domain-separation tag inside the signed object
SIGNATURE_BYTES = 64  # Ed25519 signature length (RFC 8032 section 5.1.6)
NONCE_BYTES = 16  # 128 random bits per command
NONCE_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}\Z")  # unpadded base64url, >= 128 bits
SIGNATURE_PATTERN = re.compile(r"[A-Za-z0-9_-]{86}\Z")  # 64 bytes, unpadded base64url
MAX_COMMAND_LIFETIME_S = 86_400  # bounds how long the kiosk must remember a nonce
DEFAULT_COMMAND_LIFETIME_S = 300


class CommandName(StrEnum):
    """What the fleet may ask of a kiosk."""

    OUT_OF_SERVICE = "out_of_service"
    IN_SERVICE = "in_service"
    REBIRTH = "rebirth"  # republish status, health and every unacknowledged event
    COLLECT_DIAGNOSTICS = "collect_diagnostics"


#: name -> (required args, optional args); every arg value is a token.
ARG_SCHEMAS: Mapping[CommandName, tuple[frozenset[str], frozenset[str]]] = MappingProxyType({
    CommandName.OUT_OF_SERVICE: (frozenset({"reason"}), frozenset()),
    CommandName.IN_SERVICE: (frozenset(), frozenset()),
    CommandName.REBIRTH: (frozenset(), frozenset()),
    CommandName.COLLECT_DIAGNOSTICS: (frozenset(), frozenset({"scope"})),
})


class Signer(Protocol):
    """An Ed25519 private key, as ``cryptography``'s ``Ed25519PrivateKey``."""

    def sign(self, data: bytes) -> bytes: ...


def _check_args(name: CommandName, args: Any) -> dict[str, str]:
    required, optional = ARG_SCHEMAS[name]
    data = f.fields(args, f"args({name.value})", required, optional)
    return {key: f.token(value, f"args.{key}") for key, value in data.items()}


@dataclass(frozen=True)
class Command:
    """One signed command; ``signature`` is empty only between :func:`make_command` and
    :func:`sign_command` on the fleet side."""

    kiosk_id: str
    name: str
    nonce: str
    issued_at: int
    expires_at: int
    args: Mapping[str, str] = field(default_factory=dict)
    signature: str = ""
    v: int = COMMAND_VERSION

    def __post_init__(self) -> None:
        if self.v != COMMAND_VERSION:
            raise UnsupportedVersion(f"command: only version {COMMAND_VERSION} is spoken")
        f.kiosk_id(self.kiosk_id, "command.kiosk_id")
        name = CommandName(f.choice(self.name, "command.name", {n.value for n in CommandName}))
        object.__setattr__(self, "name", name.value)
        object.__setattr__(self, "args", MappingProxyType(_check_args(name, self.args)))
        f.string(self.nonce, "command.nonce", NONCE_PATTERN)
        f.integer(self.issued_at, "command.issued_at", int(f.MIN_TS), int(f.MAX_TS))
        f.integer(self.expires_at, "command.expires_at", int(f.MIN_TS), int(f.MAX_TS))
        lifetime = self.expires_at - self.issued_at
        if not 0 < lifetime <= MAX_COMMAND_LIFETIME_S:
            raise SchemaError(f"command: lifetime must be 1..{MAX_COMMAND_LIFETIME_S} s, "
                              f"got {lifetime}")
        if self.signature:
            f.string(self.signature, "command.signature", SIGNATURE_PATTERN)

    def to_dict(self) -> dict[str, Any]:
        return {"v": self.v, "kiosk_id": self.kiosk_id, "name": self.name,
                "args": dict(self.args), "nonce": self.nonce, "issued_at": self.issued_at,
                "expires_at": self.expires_at, "signature": self.signature}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Command:
        checked = f.fields(data, "command", ("v", "kiosk_id", "name", "args", "nonce",
                                             "issued_at", "expires_at", "signature"))
        if not checked["signature"]:
            raise SchemaError("command.signature: a received command must be signed")
        return cls(v=checked["v"], kiosk_id=checked["kiosk_id"], name=checked["name"],
                   args=checked["args"], nonce=checked["nonce"],
                   issued_at=checked["issued_at"], expires_at=checked["expires_at"],
                   signature=checked["signature"])

    @property
    def signature_bytes(self) -> bytes:
        """The raw 64-byte signature (``SchemaError`` if unsigned)."""
        if not self.signature:
            raise SchemaError("command.signature: unsigned")
        try:
            raw = base64.urlsafe_b64decode(self.signature + "==")
        except (binascii.Error, ValueError):
            raise SchemaError("command.signature: not base64url") from None
        if len(raw) != SIGNATURE_BYTES:
            raise SchemaError(f"command.signature: not {SIGNATURE_BYTES} bytes")
        return raw


def signing_bytes(command: Command) -> bytes:
    """The canonical bytes the fleet signs and the kiosk verifies (module docstring)."""
    body = command.to_dict()
    del body["signature"]
    body["format"] = COMMAND_FORMAT
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode("ascii")


def new_nonce(token_source: Callable[[int], str] = secrets.token_urlsafe) -> str:
    """128 random bits, unpadded base64url (22 characters)."""
    return token_source(NONCE_BYTES)


def make_command(kiosk_id: str, name: str | CommandName, args: Mapping[str, str] | None = None,
                 *, issued_at: int, lifetime_s: int = DEFAULT_COMMAND_LIFETIME_S,
                 nonce: str | None = None) -> Command:
    """An unsigned command for ``kiosk_id`` valid from ``issued_at`` for ``lifetime_s``."""
    return Command(kiosk_id=kiosk_id, name=str(name), args=dict(args or {}),
                   nonce=new_nonce() if nonce is None else nonce,
                   issued_at=issued_at, expires_at=issued_at + lifetime_s)


def sign_command(command: Command, key: Signer) -> Command:
    """The fleet's signer: ``command`` with its Ed25519 signature over :func:`signing_bytes`."""
    raw = key.sign(signing_bytes(command))
    if len(raw) != SIGNATURE_BYTES:
        raise SchemaError(f"command.signature: the key produced {len(raw)} bytes, "
                          f"not an Ed25519 signature")
    return replace(command, signature=base64.urlsafe_b64encode(raw).rstrip(b"=").decode())
