"""The harness's deadlines and pace check on an emulated board's own clock (tests/rp2.py), against a
pair of clocks the test moves by hand: the board's and the wall's. Expected values are worked out
here from the numbers given, not by the code under test."""

from __future__ import annotations

import pytest

from tests import rp2


class Wall:
    """A wall clock (seconds) that moves only when told to."""

    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


class Board:
    """A board's own clock (ms of this boot) that moves only when told to; ``rate``: board ms per
    wall ms it runs while the wall clock is moved through :meth:`sleep`."""

    def __init__(self, wall: Wall, ms: float = 5000.0, rate: float = 1.0) -> None:
        self.wall = wall
        self.ms = ms
        self.rate = rate
        self.reads = 0

    def clock_ms(self) -> float:
        self.reads += 1
        return self.ms

    def sleep(self, s: float) -> None:
        self.wall.t += s
        self.ms += s * 1000 * self.rate


class Unplugged:
    """A board whose emulator no longer answers (EmulatedPico.command raises)."""

    def clock_ms(self) -> float:
        raise RuntimeError("emulator did not answer 'stats'")


def test_a_deadline_on_a_lagging_board_passes_when_its_clock_does_not_when_the_wall_clock_does() -> None:
    wall = Wall()
    board = Board(wall, ms=5000.0)
    deadline = rp2.BoardDeadline(board, 300, wall=wall)  # ends at board 5300 ms
    wall.t += 2.0  # two wall seconds, the board's clock stalled (a loaded host)
    board.ms = 5299.0
    assert not deadline.passed()
    board.ms = 5300.0
    assert deadline.passed()


def test_a_deadline_on_a_board_that_stopped_running_passes_after_ten_times_its_length_plus_5_s() -> None:
    wall = Wall(100.0)
    board = Board(wall, ms=0.0)
    deadline = rp2.BoardDeadline(board, 300, wall=wall)  # 10 * 0.3 s + 5 s = 8 s of wall time
    wall.t = 108.0
    assert not deadline.passed()  # not yet past: 108.0 is the end itself
    wall.t = 108.001
    assert deadline.passed()


def test_a_deadline_on_a_board_keeping_the_hosts_time_is_on_the_wall_clock() -> None:
    wall = Wall(100.0)
    deadline = rp2.BoardDeadline(object(), 300, wall=wall)  # no clock_ms: the unix port, a real board
    wall.t = 100.3
    assert not deadline.passed()
    wall.t = 100.301
    assert deadline.passed()
    unknown = rp2.BoardDeadline(None, 300, wall=wall)  # a driver whose board the test did not name
    wall.t += 0.301
    assert unknown.passed()


def test_pace_reason_names_a_board_slower_than_half_the_wall_clock_and_its_rate() -> None:
    wall = Wall()
    slow = Board(wall, rate=0.4)
    why = rp2.pace_reason(0.5, [slow], wall=wall, sleep=slow.sleep)
    assert why is not None and "ran at 0.40x the wall clock" in why and "needs 0.5x" in why, why


@pytest.mark.parametrize("rate", [0.5, 0.9, 2.0])
def test_pace_reason_accepts_a_board_at_half_the_wall_clock_or_faster(rate: float) -> None:
    wall = Wall()
    board = Board(wall, rate=rate)
    assert rp2.pace_reason(0.5, [board], wall=wall, sleep=board.sleep) is None


def test_pace_reason_skips_a_board_that_no_longer_answers_and_still_judges_the_others() -> None:
    wall = Wall()
    slow = Board(wall, rate=0.2)
    why = rp2.pace_reason(0.5, [Unplugged(), slow], wall=wall, sleep=slow.sleep)
    assert why is not None and "0.20x" in why, why
    assert slow.reads == 2  # before and after its own sample
