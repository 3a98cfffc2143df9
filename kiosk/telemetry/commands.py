"""Verifying fleet commands on the kiosk: signature, addressee, validity window and replay.

A command (``kiosk.telemetry.protocol.Command``) is accepted only if, in this order:

1. its Ed25519 signature (RFC 8032) over ``protocol.signing_bytes`` verifies with the fleet's
   public key (``telemetry.fleet_public_key_file``) - checked first, so nothing unauthenticated
   reaches the nonce memory;
2. it is addressed to this kiosk;
3. ``issued_at`` is not in the future beyond ``CLOCK_SKEW_S`` and ``expires_at`` has not passed;
4. its nonce was never accepted before. Nonces are remembered in SQLite (WAL, FULL, in the
   outbox's file), so a replay is refused across restarts too, and forgotten only once the
   command they belong to has expired (plus the skew), when the expiry check refuses it anyway.

Each refusal raises ``CommandRejected`` with a stable ``reason`` token, which the service reports
as a ``command_rejected`` event (XFS4IoT end-to-end security: single-use nonce, never repeated
across power cycles; reference fleet-and-reliability.md §6).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from kiosk.errors import CommandRejected, ConfigError, OutboxError, SchemaError
from kiosk.telemetry.outbox import open_durable
from kiosk.telemetry.protocol import Command, signing_bytes

CLOCK_SKEW_S = 300  # tolerated difference between the fleet's and the kiosk's clocks

_SCHEMA = """
CREATE TABLE IF NOT EXISTS command_nonces (
    nonce TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS command_nonces_expiry ON command_nonces (expires_at);
"""


def load_fleet_public_key(path: Path) -> Ed25519PublicKey:
    """The fleet's Ed25519 public key from a PEM file (``ConfigError`` if unusable)."""
    try:
        key = load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"telemetry.fleet_public_key_file: {path}: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"telemetry.fleet_public_key_file: {path}: not an Ed25519 key")
    return key


class NonceStore:
    """Durable memory of accepted command nonces, pruned after their command's expiry."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._db = open_durable(Path(path))
        try:
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            self._db.close()
            raise OutboxError(f"{path}: cannot initialise the nonce table: {exc}") from None

    def remember(self, nonce: str, expires_at: int, now: float) -> bool:
        """Record ``nonce``; False if it was already known (a replay). Prunes expired ones."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.execute("DELETE FROM command_nonces WHERE expires_at < ?",
                                     (int(now) - CLOCK_SKEW_S,))
                    inserted = self._db.execute(
                        "INSERT OR IGNORE INTO command_nonces VALUES (?, ?)",
                        (nonce, expires_at)).rowcount
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise OutboxError(f"nonce store: {exc}") from None
        return inserted == 1

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM command_nonces").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CommandVerifier:
    """Accepts a command for ``kiosk_id`` or raises ``CommandRejected`` with its reason."""

    def __init__(self, kiosk_id: str, public_key: Ed25519PublicKey | None,
                 nonces: NonceStore, *, clock: Callable[[], float] = time.time) -> None:
        self.kiosk_id = kiosk_id
        self._public_key = public_key
        self._nonces = nonces
        self._clock = clock

    def verify(self, command: Command) -> None:
        if self._public_key is None:
            raise CommandRejected("no fleet public key is configured", reason="no_fleet_key")
        try:
            self._public_key.verify(command.signature_bytes, signing_bytes(command))
        except (InvalidSignature, SchemaError):
            raise CommandRejected(f"{command.name}: bad signature",
                                  reason="bad_signature") from None
        if command.kiosk_id != self.kiosk_id:
            raise CommandRejected(f"{command.name}: addressed to another kiosk",
                                  reason="wrong_kiosk")
        now = self._clock()
        if command.issued_at > now + CLOCK_SKEW_S:
            raise CommandRejected(f"{command.name}: issued in the future",
                                  reason="not_yet_valid")
        if command.expires_at <= now:
            raise CommandRejected(f"{command.name}: expired", reason="expired")
        if not self._nonces.remember(command.nonce, command.expires_at, now):
            raise CommandRejected(f"{command.name}: nonce already used", reason="replayed")
