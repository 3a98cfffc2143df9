"""The durable outbox: pragmas, sequence numbers across restarts and SIGKILL, fleet acks,
the bounded-size policy and the renumbering of a fresh outbox."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.errors import OutboxError
from kiosk.telemetry.outbox import Outbox

REPO = Path(__file__).resolve().parents[2]
NOW = 1_732_345_200.0


def fill(outbox: Outbox, count: int, *, critical: bool = False, kind: str = "satisfaction",
         ) -> list[int]:
    return [outbox.append(kind, '{"score":3}', critical=critical, ts=NOW) for _ in range(count)]


def test_wal_and_full_sync_are_set_and_checked(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite", capacity=10)
    assert outbox.pragmas() == ("wal", 2)  # synchronous=FULL is 2
    outbox.close()


def test_an_unusable_path_is_an_outbox_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutboxError):
        Outbox(blocker / "outbox.sqlite", capacity=10)


def test_sequence_survives_reopening_and_acks_delete(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    outbox = Outbox(path, capacity=100)
    assert fill(outbox, 5) == [1, 2, 3, 4, 5]
    assert outbox.ack(3) == 3
    outbox.close()
    reopened = Outbox(path, capacity=100)
    assert (reopened.last_seq, reopened.acked_through, reopened.depth) == (5, 3, 2)
    assert [event.seq for event in reopened.read_after(0, 10)] == [4, 5]
    assert fill(reopened, 2) == [6, 7]
    assert reopened.ack(2) == 0  # an older ack changes nothing
    assert reopened.ack(99) == -1  # beyond anything assigned: ignored
    assert reopened.depth == 4
    assert reopened.ack(7) == 4 and reopened.depth == 0
    reopened.close()


def test_read_after_respects_the_ceiling_and_limit(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite", capacity=100)
    fill(outbox, 10)
    assert [e.seq for e in outbox.read_after(2, 3)] == [3, 4, 5]
    assert [e.seq for e in outbox.read_after(2, 100, max_seq=6)] == [3, 4, 5, 6]
    stored = outbox.read_after(0, 1)[0]
    assert (stored.kind, stored.payload, stored.ts) == ("satisfaction", '{"score":3}', NOW)
    outbox.close()


def test_full_outbox_drops_oldest_droppable_and_never_critical(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    outbox = Outbox(path, capacity=10)
    fill(outbox, 2, critical=True, kind="issuance")  # seq 1, 2
    fill(outbox, 5)  # seq 3..7
    assert not outbox.stats().near_full
    fill(outbox, 2)  # seq 8, 9: 90 % full
    assert outbox.stats().near_full
    fill(outbox, 1)  # seq 10: full, nothing dropped yet
    stats = outbox.stats()
    assert (stats.depth, stats.dropped, stats.near_full) == (10, 0, True)
    fill(outbox, 3)  # seq 11..13 push out seq 3, 4, 5
    assert [e.seq for e in outbox.read_after(0, 100)] == [1, 2, *range(6, 14)]
    assert outbox.stats().dropped == 3
    fill(outbox, 9, critical=True, kind="issuance")  # all droppables go, then it overflows
    seqs = [e.seq for e in outbox.read_after(0, 100)]
    assert seqs == [1, 2, *range(14, 23)]
    assert outbox.stats().over_capacity and outbox.depth == 11
    fill(outbox, 1)  # a droppable event into an outbox full of critical ones: it goes itself
    assert outbox.depth == 11 and outbox.stats().dropped == 12
    outbox.close()
    assert Outbox(path, capacity=10).stats().dropped == 12  # the count is durable


def test_near_full_flag_follows_the_ratio(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite", capacity=100)
    fill(outbox, 79)
    assert not outbox.stats().near_full
    fill(outbox, 1)
    assert outbox.stats().near_full
    outbox.ack(10)
    assert not outbox.stats().near_full
    outbox.close()


def test_a_fresh_outbox_adopts_the_fleets_position(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite", capacity=100)
    fill(outbox, 3)
    assert outbox.ack(500) == 0  # retained ack of this kiosk's earlier storage
    assert (outbox.acked_through, outbox.last_seq) == (500, 503)
    assert [e.seq for e in outbox.read_after(500, 10)] == [501, 502, 503]
    assert fill(outbox, 1) == [504]
    assert outbox.ack(900) == -1  # no longer fresh: a foreign ack is ignored
    outbox.close()


def test_discard_counts_as_dropped(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite", capacity=100)
    fill(outbox, 3)
    outbox.discard(2)
    assert [e.seq for e in outbox.read_after(0, 10)] == [1, 3]
    assert outbox.stats().dropped == 1 and outbox.depth == 2
    outbox.close()


def test_connection_counter_is_durable(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    outbox = Outbox(path, capacity=10)
    assert [outbox.next_connection() for _ in range(3)] == [1, 2, 3]
    outbox.close()
    assert Outbox(path, capacity=10).next_connection() == 4


WRITER = """
import sys
from kiosk.telemetry.outbox import Outbox
outbox = Outbox(sys.argv[1], capacity=1_000_000)
while True:
    seq = outbox.append("satisfaction", '{"score":1}', critical=False, ts=1.0)
    sys.stdout.write(f"{seq}\\n")
    sys.stdout.flush()
"""


def test_every_committed_event_survives_sigkill(tmp_path: Path) -> None:
    """kill -9 of a writer (reference §5.1): every seq it reported is present afterwards."""
    path = tmp_path / "outbox.sqlite"
    for _run in range(3):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=REPO,
                                  stdout=subprocess.PIPE,
                                  env={**os.environ, "PYTHONPATH": str(REPO)})
        assert writer.stdout is not None
        reported = [int(writer.stdout.readline()) for _ in range(200)]
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        outbox = Outbox(path, capacity=1_000_000)
        stored = {event.seq for event in outbox.read_after(0, 10_000_000)}
        assert set(reported) <= stored
        assert stored == set(range(1, outbox.last_seq + 1))  # no holes, no reuse
        outbox.close()
        check = sqlite3.connect(path)
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        check.close()
