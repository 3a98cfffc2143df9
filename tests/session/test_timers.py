"""The idle timer: the warning always comes first and lasts its full length."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.session_timers import IdleStatus, IdleTimer


def test_warns_then_times_out_on_schedule() -> None:
    timer = IdleTimer(60, 20)
    timer.restart(0)
    assert timer.next_deadline(0) == 40
    assert timer.poll(39.9) is IdleStatus.QUIET and timer.seconds_left(39.9) is None
    assert timer.poll(40) is IdleStatus.WARNING_STARTED
    assert timer.seconds_left(40) == 20 and timer.seconds_left(40.5) == 20
    assert timer.next_deadline(40.5) == 41
    assert timer.seconds_left(41) == 19
    assert timer.poll(59.99) is IdleStatus.QUIET
    assert timer.poll(60) is IdleStatus.TIMED_OUT
    assert not timer.running and timer.poll(100) is IdleStatus.QUIET


def test_a_late_poll_still_gives_the_whole_warning() -> None:
    timer = IdleTimer(60, 20)
    timer.restart(0)
    assert timer.poll(500) is IdleStatus.WARNING_STARTED
    assert timer.seconds_left(500) == 20
    assert timer.poll(519) is IdleStatus.QUIET
    assert timer.poll(520) is IdleStatus.TIMED_OUT


def test_activity_cancels_the_warning() -> None:
    timer = IdleTimer(60, 20)
    timer.restart(0)
    timer.poll(45)
    timer.restart(50)
    assert not timer.warning and timer.next_deadline(50) == 90


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 100), st.booleans()), max_size=40))
def test_timeout_only_after_a_full_warning(steps: list[tuple[float, bool]]) -> None:
    timer = IdleTimer(60, 20)
    now = 0.0
    timer.restart(now)
    warned_at = None
    for delay, activity in steps:
        now += delay
        if activity:
            timer.restart(now)
            warned_at = None
            continue
        status = timer.poll(now)
        if status is IdleStatus.WARNING_STARTED:
            warned_at = now
        elif status is IdleStatus.TIMED_OUT:
            assert warned_at is not None and now - warned_at >= 20
            timer.restart(now)
            warned_at = None
