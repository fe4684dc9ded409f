"""The status light as the cart drives it: pedal → action → light round trip, and IEC alarm flashing."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Recorder
from .helpers import (
    TAP_MS,
    board_now,
    board_pause,
    connected_driver,
    first_change,
    gestures,
    run_until,
    running_cart,
    wait_for,
)
from .interface import Rig, flash_timing

TOGGLES = 10


@pytest.mark.pico_ci  # also on the emulated Pico in make test (tests/hil/conftest.py)
@pytest.mark.board_clock  # the tap in and the cart's light command out, both at the board's own now
def test_pedal_a_tap_freezes_and_the_light_follows_the_cart_with_round_trip_reported(
    rig: Rig, figures: Recorder, tmp_path: Path
) -> None:
    """Default map, sterile context: A tap = freeze. Frozen is not live imaging: blue (imaging) turns green
    (ready, a procedure open); the next tap goes live again: blue."""
    with running_cart(rig, tmp_path) as cart:
        cart.open_example()
        wait_for(lambda: rig.light() == "blue", 10.0, "the imaging light (probe live)")
        round_trips: list[float] = []
        for i in range(TOGGLES):
            want = "green" if i % 2 == 0 else "blue"
            pressed = rig.press("A")
            run_until(rig, pressed + TAP_MS / 1000)
            t0 = rig.release("A")  # a tap is recognised at release
            round_trips.append((first_change(rig, t0, want).t - t0) * 1000)
            board_pause(rig, 0.1)
        done = gestures(cart)
    assert [(g["pedal"], g["gesture"], g["action"], g["outcome"]) for g in done] == [
        ("A", "tap", "freeze", "done")
    ] * TOGGLES
    figures("pedal tap (release) to light change, through the cart", round_trips, "ms")


def test_a_high_priority_alarm_in_the_cart_flashes_red_inside_iec_ranges_and_buzzes(
    rig: Rig, figures: Recorder, tmp_path: Path
) -> None:
    with running_cart(rig, tmp_path) as cart:
        cart.open_example(inputs=2)  # at "consent valid"
        wait_for(lambda: rig.light() == "blue", 10.0, "the imaging light (probe live)")
        before = board_now(rig)
        # LAST emergency mode: HIGH in the alarm table (a consent "No" is a LOW administrative stop).
        cart.command("input", input={"type": "start_last"})
        first = first_change(rig, before, "red")
        run_until(rig, first.t + 2.6)  # on the board's clock
        freq, duty, periods = flash_timing(rig.light_log(first.t), "red")
        buzzed = [s for s in rig.buzzer_log(before) if s.value == "on"]
    figures("cart HIGH alarm flash frequency", freq, "Hz", "1.4..2.8", periods)
    figures("cart HIGH alarm flash duty", duty * 100, "%", "20..60", periods)
    figures("cart HIGH alarm to red light", (first.t - before) * 1000, "ms")
    assert periods >= 2 and 1.4 <= freq <= 2.8 and 0.20 <= duty <= 0.60, (freq, duty, periods)
    assert buzzed, "a new HIGH prompt sounds"


@pytest.mark.board_clock  # the board and the driver only, on the board's clock: in CI a lag is no excuse
@pytest.mark.parametrize(
    ("state", "colour", "f_range", "watch_s"),
    [("alarm_high", "red", (1.4, 2.8), 2.6), ("alarm_medium", "yellow", (0.4, 0.8), 5.2)],
)
def test_board_alarm_patterns_flash_inside_the_iec_60601_1_8_frequency_and_duty_ranges(
    rig: Rig, figures: Recorder, state: str, colour: str, f_range: tuple[float, float], watch_s: float
) -> None:
    """The firmware's patterns themselves, commanded by the driver (every state, not only those the
    cart's current prompts reach)."""
    with connected_driver(rig) as host:
        before = board_now(rig)  # only this pattern: a fresh board flashes host-lost yellow at first
        host.set_indicator(state)
        first = first_change(rig, before, colour)
        run_until(rig, first.t + watch_s)  # on the board's clock, however far behind the wall clock
        freq, duty, periods = flash_timing(rig.light_log(first.t), colour)
    figures(f"{state} flash frequency", freq, "Hz", f"{f_range[0]}..{f_range[1]}", periods)
    figures(f"{state} flash duty", duty * 100, "%", "20..60", periods)
    changes = [(round(x.t - first.t, 3), x.value) for x in rig.light_log(first.t)]
    assert periods >= 2, changes
    assert f_range[0] <= freq <= f_range[1], (freq, changes)
    assert 0.20 <= duty <= 0.60, duty
