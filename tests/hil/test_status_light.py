"""The status light: pedal → light round trip, and alarm flashing inside the IEC 60601-1-8 ranges."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .conftest import Recorder
from .helpers import connected_driver, first_change, running_host_app, tap, wait_for
from .interface import Rig, flash_timing

TOGGLES = 10


def test_pedal_press_toggles_the_status_light_with_round_trip_reported(
    rig: Rig, figures: Recorder, tmp_path: Path
) -> None:
    with running_host_app(rig, tmp_path / "records") as app:
        wait_for(lambda: rig.light() == "blue", 10.0, "the imaging light (probe live)")
        round_trips: list[float] = []
        for _ in range(TOGGLES):
            want = "blue" if app.recording else "magenta"
            t0 = tap(rig, "A")
            round_trips.append((first_change(rig, t0, want).t - t0) * 1000)
            time.sleep(0.1)
    figures("pedal press to light change", round_trips, "ms")


@pytest.mark.parametrize(
    ("state", "colour", "f_range", "watch_s"),
    [("alarm_high", "red", (1.4, 2.8), 2.6), ("alarm_medium", "yellow", (0.4, 0.8), 5.2)],
)
def test_alarm_light_flashes_inside_the_iec_60601_1_8_frequency_and_duty_ranges(
    rig: Rig, figures: Recorder, state: str, colour: str, f_range: tuple[float, float], watch_s: float
) -> None:
    with connected_driver(rig) as host:
        before = time.monotonic()  # only this pattern: a fresh board flashes host-lost yellow at first
        host.set_indicator(state)
        first = first_change(rig, before, colour)
        time.sleep(watch_s)
        freq, duty, periods = flash_timing(rig.light_log(first.t), colour)
    figures(f"{state} flash frequency", freq, "Hz", f"{f_range[0]}..{f_range[1]}", periods)
    figures(f"{state} flash duty", duty * 100, "%", "20..60", periods)
    changes = [(round(x.t - first.t, 3), x.value) for x in rig.light_log(first.t)]
    assert periods >= 2, changes
    assert f_range[0] <= freq <= f_range[1], (freq, changes)
    assert 0.20 <= duty <= 0.60, duty
