"""Pedal press → the cart acting on it: each tap acted on exactly once, in order; latency reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Recorder
from .helpers import board_pause, gestures, on_board_clock, run_until, running_cart, wait_for
from .interface import Rig

TAPS = 20


@pytest.mark.pico_ci  # also on the emulated Pico in make test (tests/hil/conftest.py)
@pytest.mark.board_clock  # presses in and the cart's answers out reach the board at its own now
def test_each_pedal_tap_is_acted_on_by_the_cart_exactly_once_with_latency_reported(
    rig: Rig, figures: Recorder, tmp_path: Path
) -> None:
    """A tap is recognised at release; the latency is release → the cart's ``pedal`` line (action done),
    both on the board's clock (the line's arrival as the board's clock read it)."""
    with running_cart(rig, tmp_path) as cart:
        cart.open_example()
        wait_for(lambda: rig.light() == "blue", 10.0, "the imaging light (probe live)")
        latencies: list[float] = []
        for i in range(TAPS):
            pedal = "AB"[i % 2]
            mark = cart.mark()
            pressed = rig.press(pedal)
            run_until(rig, pressed + 0.05)
            t0 = rig.release(pedal)
            line = cart.wait("pedal", lambda d, p=pedal: d["pedal"] == p, 3.0, since=mark)
            latencies.append((on_board_clock(rig, line.t) - t0) * 1000)
            board_pause(rig, 0.15)
        board_pause(rig, 0.5)  # a late duplicate would show now
        got = gestures(cart)
    expected = [("AB"[i % 2], "tap") for i in range(TAPS)]
    assert [(g["pedal"], g["gesture"]) for g in got] == expected  # none lost, none doubled, in order
    assert len({g["press_id"] for g in got}) == TAPS
    assert all(g["outcome"] == "done" and g["seq"] is not None for g in got), got
    assert [g["action"] for g in got[:2]] == ["freeze", "capture_still"]
    figures("pedal release to cart action", latencies, "ms")
