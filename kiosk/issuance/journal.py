"""The crash-safe issuance journal: one row per transaction, written before every step that has
an effect outside the process (DESIGN.md, 'Issuance'; SQLite's WAL and synchronous=FULL).

SQLite in WAL mode with ``synchronous=FULL`` set explicitly (in WAL mode NORMAL may lose the
last commits on power loss; FULL syncs the WAL on every commit), ``foreign_keys`` on, and a
busy timeout. Every state change is checked against ``TRANSITIONS`` and recorded twice: on the
transaction's row and in the append-only ``transitions`` table.

No personal data is ever written here: no RRN, name, template or card number; only the
transaction id (which is also the payment's idempotency key), document code, fee, approval
code, document number, page counts, outcome and timestamps.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from kiosk.errors import IssuanceError


class TxnState(StrEnum):
    """Saga states (DESIGN.md): the happy path, then the four ways a transaction ends badly."""

    QUOTED = "quoted"
    PAYMENT_PENDING = "payment_pending"
    PAID = "paid"
    FETCHED = "fetched"
    PRINTING = "printing"
    PRINTED = "printed"
    BOUND = "bound"
    PRESENTED = "presented"
    TAKEN = "taken"
    COMPLETED = "completed"
    VOIDED = "voided"
    REFUNDED = "refunded"
    RETRACTED = "retracted"
    FAILED = "failed"


#: States a transaction ends in; nothing more happens to it.
TERMINAL_STATES = frozenset({TxnState.COMPLETED, TxnState.VOIDED, TxnState.REFUNDED,
                             TxnState.RETRACTED, TxnState.FAILED})
#: States in which money may have been authorised at the reader.
MONEY_AT_RISK_STATES = frozenset({TxnState.PAYMENT_PENDING, TxnState.PAID, TxnState.FETCHED,
                                  TxnState.PRINTING, TxnState.PRINTED, TxnState.BOUND,
                                  TxnState.PRESENTED, TxnState.TAKEN})
_ENDINGS = {TxnState.VOIDED, TxnState.FAILED, TxnState.REFUNDED}
TRANSITIONS: Mapping[TxnState, frozenset[TxnState]] = {
    TxnState.QUOTED: frozenset({TxnState.PAYMENT_PENDING, TxnState.FETCHED, TxnState.FAILED}),
    TxnState.PAYMENT_PENDING: frozenset({TxnState.PAID, *_ENDINGS}),
    TxnState.PAID: frozenset({TxnState.FETCHED, *_ENDINGS}),
    TxnState.FETCHED: frozenset({TxnState.PRINTING, *_ENDINGS}),
    TxnState.PRINTING: frozenset({TxnState.PRINTED, *_ENDINGS}),
    TxnState.PRINTED: frozenset({TxnState.BOUND, TxnState.PRESENTED, *_ENDINGS}),
    TxnState.BOUND: frozenset({TxnState.PRESENTED, *_ENDINGS}),
    TxnState.PRESENTED: frozenset({TxnState.TAKEN, TxnState.RETRACTED, TxnState.REFUNDED,
                                   *_ENDINGS}),
    TxnState.TAKEN: frozenset({TxnState.COMPLETED, TxnState.REFUNDED}),
    TxnState.COMPLETED: frozenset({TxnState.REFUNDED}),
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS transactions (
    txn_id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    document_code TEXT NOT NULL,
    fee_won INTEGER NOT NULL CHECK (fee_won >= 0),
    state TEXT NOT NULL,
    approval_code TEXT,
    document_number TEXT,
    pages_expected INTEGER,
    pages_printed INTEGER NOT NULL DEFAULT 0,
    captured INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    session_started_at REAL
);
CREATE TABLE IF NOT EXISTS transitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    txn_id TEXT NOT NULL REFERENCES transactions(txn_id),
    from_state TEXT,
    to_state TEXT NOT NULL,
    at REAL NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS transactions_state ON transactions(state);
"""
_UPDATABLE = frozenset({"approval_code", "document_number", "pages_expected", "pages_printed",
                        "captured", "error_code"})


class JournalError(IssuanceError):
    """The journal refused a change: unknown transaction or a transition the saga forbids."""

    code = "issuance.journal"


@dataclass(frozen=True)
class Transaction:
    """One journal row."""

    txn_id: str
    kiosk_id: str
    document_code: str
    fee_won: int
    state: TxnState
    approval_code: str | None
    document_number: str | None
    pages_expected: int | None
    pages_printed: int
    captured: bool
    error_code: str | None
    created_at: float
    updated_at: float
    session_started_at: float | None

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_STATES


class Journal:
    """The journal file; thread-safe (one connection guarded by a lock)."""

    def __init__(self, path: Path, *, clock: Any = time.time) -> None:
        self.path = path
        self._clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                                   timeout=10.0)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                       "busy_timeout=10000"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def pragma(self, name: str) -> Any:
        with self._lock:
            return self._db.execute(f"PRAGMA {name}").fetchone()[0]

    def begin(self, txn_id: str, kiosk_id: str, document_code: str, fee_won: int,
              session_started_at: float | None = None) -> Transaction:
        """Record a new transaction in state ``quoted``."""
        now = self._clock()
        with self._write() as db:
            db.execute("INSERT INTO transactions (txn_id, kiosk_id, document_code, fee_won, "
                       "state, created_at, updated_at, session_started_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (txn_id, kiosk_id, document_code, fee_won, TxnState.QUOTED.value, now,
                        now, session_started_at))
            db.execute("INSERT INTO transitions (txn_id, from_state, to_state, at) "
                       "VALUES (?, NULL, ?, ?)", (txn_id, TxnState.QUOTED.value, now))
        return self.get(txn_id)

    def advance(self, txn_id: str, state: TxnState, detail: str | None = None,
                **fields: Any) -> Transaction:
        """Move a transaction to ``state`` (checked) and update the given fields atomically.

        Raises:
            JournalError: unknown transaction, forbidden transition or unknown field.
        """
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise JournalError(f"cannot update {sorted(unknown)}")
        now = self._clock()
        with self._write() as db:
            row = db.execute("SELECT state FROM transactions WHERE txn_id = ?",
                             (txn_id,)).fetchone()
            if row is None:
                raise JournalError(f"unknown transaction {txn_id}")
            current = TxnState(row[0])
            if state != current and state not in TRANSITIONS.get(current, frozenset()):
                raise JournalError(f"{txn_id}: {current.value} -> {state.value} is not allowed")
            assignments = ", ".join(f"{name} = ?" for name in fields)
            values = [int(v) if isinstance(v, bool) else v for v in fields.values()]
            db.execute(f"UPDATE transactions SET state = ?, updated_at = ?"
                       f"{', ' + assignments if assignments else ''} WHERE txn_id = ?",
                       (state.value, now, *values, txn_id))
            if state != current:
                db.execute("INSERT INTO transitions (txn_id, from_state, to_state, at, detail) "
                           "VALUES (?, ?, ?, ?, ?)",
                           (txn_id, current.value, state.value, now, detail))
        return self.get(txn_id)

    def requote(self, txn_id: str, fee_won: int) -> Transaction:
        """Change the fee of a transaction nothing has been paid for yet (state ``quoted``).

        Raises:
            JournalError: unknown transaction, not in ``quoted``, or a negative fee.
        """
        if fee_won < 0:
            raise JournalError(f"{txn_id}: fee must be >= 0, got {fee_won}")
        with self._write() as db:
            updated = db.execute("UPDATE transactions SET fee_won = ?, updated_at = ? "
                                 "WHERE txn_id = ? AND state = ?",
                                 (fee_won, self._clock(), txn_id, TxnState.QUOTED.value))
            if updated.rowcount != 1:
                raise JournalError(f"{txn_id}: only a quoted transaction can be requoted")
        return self.get(txn_id)

    def get(self, txn_id: str) -> Transaction:
        with self._lock:
            row = self._db.execute("SELECT * FROM transactions WHERE txn_id = ?",
                                   (txn_id,)).fetchone()
            names = [d[0] for d in self._db.execute(
                "SELECT * FROM transactions LIMIT 0").description]
        if row is None:
            raise JournalError(f"unknown transaction {txn_id}")
        return _transaction(dict(zip(names, row, strict=True)))

    def unfinished(self) -> list[Transaction]:
        """Every transaction not in a terminal state, oldest first."""
        return [t for t in self.all() if not t.finished]

    def all(self) -> list[Transaction]:
        with self._lock:
            cursor = self._db.execute("SELECT * FROM transactions ORDER BY created_at, txn_id")
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        return [_transaction(dict(zip(names, row, strict=True))) for row in rows]

    def history(self, txn_id: str) -> list[tuple[str | None, str]]:
        with self._lock:
            return [(r[0], r[1]) for r in self._db.execute(
                "SELECT from_state, to_state FROM transitions WHERE txn_id = ? ORDER BY id",
                (txn_id,))]

    def integrity_check(self) -> str:
        return str(self.pragma("integrity_check"))


def _transaction(row: dict[str, Any]) -> Transaction:
    return Transaction(
        txn_id=row["txn_id"], kiosk_id=row["kiosk_id"], document_code=row["document_code"],
        fee_won=row["fee_won"], state=TxnState(row["state"]),
        approval_code=row["approval_code"], document_number=row["document_number"],
        pages_expected=row["pages_expected"], pages_printed=row["pages_printed"],
        captured=bool(row["captured"]), error_code=row["error_code"],
        created_at=row["created_at"], updated_at=row["updated_at"],
        session_started_at=row["session_started_at"])
