"""The kiosk's durable telemetry outbox: events on disk until the fleet acknowledges them.

MQTT QoS 1 is not durability (reference fleet-and-reliability.md §2.3: PUBACK is not durable,
mosquitto drops silently past its queue limits, paho keeps sessions in memory). So every event
is committed here, with its per-kiosk sequence number, before it is published, and deleted only
when a fleet ack (``fleet/v1/ack/<kiosk_id>``) covers its seq. PUBACK deletes nothing.

SQLite in WAL mode with ``synchronous=FULL`` (durable once COMMIT returns; §5.1), both set
explicitly and asserted; explicit ``BEGIN IMMEDIATE`` transactions; one connection shared by
the core thread (append) and the telemetry thread (read, ack) under a lock.

Policy when full (``capacity`` events, docs/telemetry.md "Outbox policy"): the oldest event of a
droppable kind is deleted and counted in ``dropped``; critical kinds (issuance and job
mismatches, ``protocol.CRITICAL_KINDS``) are never dropped, so they alone may take the outbox
past its capacity. ``near_full`` is raised at ``NEAR_FULL_RATIO`` of capacity.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import OutboxError

log = logging.getLogger(__name__)

NEAR_FULL_RATIO = 0.8  # health flag threshold (issue 6: "near full, e.g. > 80 %")
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 5000  # the nonce store shares the file; waits are sub-millisecond
_SYNCHRONOUS_FULL = 2  # PRAGMA synchronous value of FULL (sqlite.org/pragma.html)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox_events (
    seq INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    kind TEXT NOT NULL,
    critical INTEGER NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_events_droppable ON outbox_events (critical, seq);
"""
_META_DEFAULTS = {"schema": SCHEMA_VERSION, "last_seq": 0, "acked_through": 0, "dropped": 0,
                  "connection": 0}


@dataclass(frozen=True)
class StoredEvent:
    """One event as stored: ``payload`` is its JSON text, already checked against its kind."""

    seq: int
    ts: float
    kind: str
    payload: str


@dataclass(frozen=True)
class OutboxStats:
    depth: int
    capacity: int
    near_full: bool
    over_capacity: bool
    dropped: int
    last_seq: int
    acked_through: int


def open_durable(path: Path) -> sqlite3.Connection:
    """A connection in WAL mode with synchronous=FULL, both verified (``OutboxError``)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        connection.execute("PRAGMA synchronous = FULL")
        synchronous = connection.execute("PRAGMA synchronous").fetchone()[0]
    except (OSError, sqlite3.Error) as exc:
        raise OutboxError(f"{path}: cannot open: {exc}") from None
    if str(mode).lower() != "wal" or synchronous != _SYNCHRONOUS_FULL:
        connection.close()
        raise OutboxError(f"{path}: journal_mode={mode}, synchronous={synchronous}; "
                          f"need WAL and FULL")
    return connection


class Outbox:
    """Durable, bounded, ordered store of the kiosk's unacknowledged events."""

    def __init__(self, path: Path, *, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be >= 1")
        self.path = Path(path)
        self.capacity = capacity
        self._lock = threading.Lock()
        self._db = open_durable(self.path)
        try:
            self._db.executescript(_SCHEMA)
            with self._transaction():
                for key, value in _META_DEFAULTS.items():
                    self._db.execute("INSERT OR IGNORE INTO outbox_meta VALUES (?, ?)",
                                     (key, value))
            meta = dict(self._db.execute("SELECT key, value FROM outbox_meta").fetchall())
            self._depth = self._db.execute("SELECT COUNT(*) FROM outbox_events").fetchone()[0]
        except sqlite3.Error as exc:
            self._db.close()
            raise OutboxError(f"{self.path}: cannot initialise: {exc}") from None
        if meta["schema"] != SCHEMA_VERSION:
            self._db.close()
            raise OutboxError(f"{self.path}: schema {meta['schema']} is not {SCHEMA_VERSION}")
        self._last_seq: int = meta["last_seq"]
        self._acked_through: int = meta["acked_through"]
        self._dropped: int = meta["dropped"]
        self._connection: int = meta["connection"]

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def _set_meta(self, key: str, value: int) -> None:
        self._db.execute("UPDATE outbox_meta SET value = ? WHERE key = ?", (value, key))

    def append(self, kind: str, payload: str, *, critical: bool, ts: float) -> int:
        """Store one event durably and return its seq; may drop the oldest droppable event."""
        with self._lock:
            seq = self._last_seq + 1
            depth, dropped = self._depth + 1, self._dropped
            try:
                with self._transaction():
                    self._db.execute("INSERT INTO outbox_events VALUES (?, ?, ?, ?, ?)",
                                     (seq, ts, kind, int(critical), payload))
                    self._set_meta("last_seq", seq)
                    if depth > self.capacity:
                        victim = self._db.execute(
                            "SELECT seq FROM outbox_events WHERE critical = 0 "
                            "ORDER BY seq LIMIT 1").fetchone()
                        if victim is not None:
                            self._db.execute("DELETE FROM outbox_events WHERE seq = ?",
                                             victim)
                            depth, dropped = depth - 1, dropped + 1
                            self._set_meta("dropped", dropped)
            except sqlite3.Error as exc:
                raise OutboxError(f"{self.path}: cannot store event {kind}: {exc}") from None
            if dropped != self._dropped:
                log.warning("telemetry outbox full (%d): dropped the oldest droppable event",
                            self.capacity, extra={"dropped": dropped})
            self._last_seq, self._depth, self._dropped = seq, depth, dropped
            return seq

    def read_after(self, seq: int, limit: int, max_seq: int | None = None) -> list[StoredEvent]:
        """Up to ``limit`` stored events with a seq above ``seq`` (and <= ``max_seq``), in order."""
        ceiling = self._last_seq if max_seq is None else max_seq
        with self._lock:
            try:
                rows = self._db.execute(
                    "SELECT seq, ts, kind, payload FROM outbox_events "
                    "WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                    (seq, ceiling, limit)).fetchall()
            except sqlite3.Error as exc:
                raise OutboxError(f"{self.path}: cannot read events: {exc}") from None
        return [StoredEvent(*row) for row in rows]

    def ack(self, up_to_seq: int) -> int:
        """Delete every event up to ``up_to_seq``; returns how many went.

        An ack beyond the last seq this outbox assigned is ignored (returns -1), except for a
        never-acknowledged outbox, which adopts the fleet's position (:meth:`_rebase`).
        """
        with self._lock:
            if up_to_seq <= self._acked_through:
                return 0
            if up_to_seq > self._last_seq:
                if self._acked_through == 0:
                    self._rebase(up_to_seq)
                    return 0
                log.warning("telemetry ack %d beyond the last seq %d: ignored",
                            up_to_seq, self._last_seq)
                return -1
            try:
                with self._transaction():
                    deleted = self._db.execute("DELETE FROM outbox_events WHERE seq <= ?",
                                               (up_to_seq,)).rowcount
                    self._set_meta("acked_through", up_to_seq)
            except sqlite3.Error as exc:
                raise OutboxError(f"{self.path}: cannot apply ack: {exc}") from None
            self._acked_through = up_to_seq
            self._depth -= deleted
            return deleted

    def discard(self, seq: int) -> None:
        """Delete one event that can no longer be sent (unreadable); counted as dropped."""
        with self._lock:
            try:
                with self._transaction():
                    deleted = self._db.execute("DELETE FROM outbox_events WHERE seq = ?",
                                               (seq,)).rowcount
                    self._set_meta("dropped", self._dropped + deleted)
            except sqlite3.Error as exc:
                raise OutboxError(f"{self.path}: cannot discard event {seq}: {exc}") from None
            self._depth -= deleted
            self._dropped += deleted

    def _rebase(self, fleet_seq: int) -> None:
        """A new outbox (replaced storage) meets a fleet that already holds events of this
        kiosk up to ``fleet_seq``: renumber what is stored after it, so nothing new looks like
        a duplicate to the fleet. Called with the lock held."""
        offset = fleet_seq
        try:
            with self._transaction():
                # Through negative seqs, so no intermediate row collides with another.
                self._db.execute("UPDATE outbox_events SET seq = -seq")
                self._db.execute("UPDATE outbox_events SET seq = ? - seq", (offset,))
                self._set_meta("last_seq", self._last_seq + offset)
                self._set_meta("acked_through", fleet_seq)
        except sqlite3.Error as exc:
            raise OutboxError(f"{self.path}: cannot rebase: {exc}") from None
        log.warning("telemetry outbox renumbered after the fleet's seq %d", fleet_seq)
        self._last_seq += offset
        self._acked_through = fleet_seq

    def next_connection(self) -> int:
        """Count one more broker connection (persisted) and return its number."""
        with self._lock:
            try:
                with self._transaction():
                    self._set_meta("connection", self._connection + 1)
            except sqlite3.Error as exc:
                raise OutboxError(f"{self.path}: cannot count connection: {exc}") from None
            self._connection += 1
            return self._connection

    @property
    def last_seq(self) -> int:
        return self._last_seq

    @property
    def acked_through(self) -> int:
        return self._acked_through

    @property
    def depth(self) -> int:
        return self._depth

    def stats(self) -> OutboxStats:
        with self._lock:
            return OutboxStats(depth=self._depth, capacity=self.capacity,
                               near_full=self._depth >= NEAR_FULL_RATIO * self.capacity,
                               over_capacity=self._depth > self.capacity,
                               dropped=self._dropped, last_seq=self._last_seq,
                               acked_through=self._acked_through)

    def pragmas(self) -> tuple[str, int]:
        """``(journal_mode, synchronous)`` as SQLite reports them now."""
        with self._lock:
            mode = self._db.execute("PRAGMA journal_mode").fetchone()[0]
            synchronous = self._db.execute("PRAGMA synchronous").fetchone()[0]
        return str(mode), int(synchronous)

    def close(self) -> None:
        with self._lock:
            self._db.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self._db.execute("COMMIT")
        elif self._db.in_transaction:
            self._db.execute("ROLLBACK")
