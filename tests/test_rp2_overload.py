"""The emulated-Pico harness calls a failure an overload only for the reasons it names (tests/rp2.py)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import cast

import pytest

from tests import rp2


@pytest.fixture(autouse=True)
def _own_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rp2, "FIGURES", tmp_path / "rp2-figures.json")  # the overload count is not the run's


def _hold_the_gil(at_least_s: float) -> float:
    """Run one C call that never lets other threads in (a backtracking match); its length."""
    n = 18
    while True:
        t0 = time.monotonic()
        re.match(r"(a+)+$", "a" * n + "b")
        took = time.monotonic() - t0
        if took >= at_least_s:
            return took
        n += 1


def test_a_stall_of_this_process_longer_than_the_limit_is_named_as_an_overload() -> None:
    rp2.forget_lag(watch=True)
    time.sleep(0.05)
    assert rp2.overload_reason() is None
    took = _hold_the_gil(rp2.STALL_LIMIT_MS / 1000 * 1.5)
    time.sleep(0.05)  # the watch runs again and sees how late it is
    why = rp2.overload_reason()
    assert why is not None and "stalled" in why and why.endswith("too loaded to run it in real time"), why
    stalled_ms = float(re.findall(r"stalled (\d+) ms", why)[0])
    assert took * 1000 * 0.8 <= stalled_ms <= took * 1000 + 200, (took, why)
    rp2.forget_lag(watch=True)
    assert rp2.overload_reason() is None  # a new test starts clean
    rp2.forget_lag()
    assert rp2._watch is None  # not watching outside emulated-Pico tests (its floats are allocations)


def test_a_heartbeat_gap_the_cart_reported_is_named_only_from_the_drivers_own_limit() -> None:
    rp2.forget_lag()
    rp2.note_host_gap(0.4)
    assert rp2.overload_reason() is None  # under LATE_BEAT_S: the board never lost the host for this
    rp2.note_host_gap(0.9)
    why = rp2.overload_reason()
    assert why is not None and "no heartbeat for 0.9 s" in why, why


class _Item:
    """A test item with the markers given (what lag_excuses reads of it)."""

    def __init__(self, *markers: str) -> None:
        self.markers = markers

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.markers else None


def test_in_ci_a_lag_excuses_no_failure_of_a_test_timed_on_the_boards_own_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    item = cast(pytest.Item, _Item("rp2", "board_clock"))
    rp2.forget_lag()
    monkeypatch.setattr(rp2, "_lag_seen_ms", rp2.LAG_LIMIT_MS + 1500)  # a board stopped 3 s behind
    monkeypatch.delenv("CI", raising=False)
    assert rp2.lag_excuses(item)  # outside CI a lag still makes a failure a skip
    monkeypatch.setenv("CI", "true")
    assert not rp2.lag_excuses(item)
    assert rp2.overload_reason(count_lag=False) is None
    why = rp2.overload_reason()
    assert why is not None and "fell 3.0 s behind the wall clock" in why, why


def test_in_ci_a_lag_still_excuses_a_test_of_the_hosts_real_time_behaviour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI", "true")
    assert rp2.lag_excuses(cast(pytest.Item, _Item("rp2")))
