"""When a settle (tests/ui/driver.py ``settled``) ends: on a screen that is still, three frames after it
is; on one that keeps changing, at its cap and no sooner. Frames are counted on a clock that moves 20 ms
a frame (50 frames a second), so every expected count below is worked out by hand from that, not timed.
The screens are fake labels (text, rendered size, window rectangle), as ``window_look`` reads them."""

from __future__ import annotations

from collections.abc import Callable

from tests.ui.driver import Look, look_of, settled

FRAME_S = 0.02
#: The e2e's cap on its settles (Moves.settle), and a little: 0.30 s is the 16th frame's start, 0.32 s
#: the 17th's, so a screen that never settles is looked at 16 times (frames 0.02 s ... 0.32 s)
MAX_S = 0.305
CAPPED = 16
#: A screen still from its first look: the first look, then three more the same
STILL = 4

Label = tuple[str, tuple[float, float], tuple[float, float, float, float]]


def looks_taken(screen: Callable[[int], list[Label]]) -> int:
    """How many looks a settle takes at ``screen`` (the labels shown at frame 1, 2, ...)."""
    now, frame = [0.0], [0]
    steps = settled(max_s=MAX_S, look=lambda: look_of(screen(frame[0])), clock=lambda: now[0])
    for _ in steps:
        frame[0] += 1
        now[0] = frame[0] * FRAME_S
        assert frame[0] < 1000, "the settle never ended"
    return frame[0]


def button(y: float, text: str = "Done", size: tuple[float, float] = (80.0, 30.0)) -> Label:
    return (text, size, (10.0, y, 200.0, 60.0))


def test_a_still_screen_is_settled_after_three_frames_unchanged() -> None:
    assert looks_taken(lambda _f: [button(100.0), button(200.0, "Back")]) == STILL


def test_a_screen_that_stops_moving_is_settled_three_frames_after_it_stops() -> None:
    # 10 px a frame up to frame 6, then at rest: frame 6 is the first of the still ones, 9 the third after
    assert looks_taken(lambda f: [button(100.0 + 10 * min(f, 6))]) == 9


def test_a_screen_that_keeps_moving_is_left_at_the_cap_and_no_sooner() -> None:
    taken = looks_taken(lambda f: [button(100.0 + f)])
    assert taken == CAPPED and taken * FRAME_S >= 0.3


def test_words_that_change_every_frame_are_waited_on_to_the_cap() -> None:
    # a figure in words is not a ticking one: only a rate (fps), an age (ms) and a clock (m:ss) are
    assert looks_taken(lambda f: [button(100.0, f"aliquot {f} logged, {f * 4} mL given")]) == CAPPED


def test_a_clock_counting_down_is_not_waited_on() -> None:
    # the LAST watch's countdown, a second a frame here, and its hour-long tail
    def screen(f: int) -> list[Label]:
        return [button(100.0, f"last onset 4:{59 - f:02d} · last tail 1:{59 - f:02d}:{59 - f:02d}")]

    assert looks_taken(screen) == STILL


def test_a_sub_pixel_creep_is_at_rest() -> None:
    # a scroll view's spring in its last half pixel: 0.01 px a frame, 0.03 px over three frames
    assert looks_taken(lambda f: [button(302.0 + 0.01 * f)]) == STILL


def test_a_slow_creep_adds_up_over_the_frames_judged() -> None:
    # 0.2 px a frame: under half a pixel from one frame to the next, 0.6 px over three: still moving
    assert looks_taken(lambda f: [button(302.0 + 0.2 * f)]) == CAPPED


def test_the_probe_rate_and_frame_age_changing_every_frame_are_not_waited_on() -> None:
    def screen(f: int) -> list[Label]:
        age = f"probe {24 + f % 3} fps · {f * 7 % 130} ms"  # one digit more renders wider
        return [button(100.0), (age, (60.0 + 8 * len(age), 30.0), (400.0, 760.0, 300.0, 40.0))]

    assert looks_taken(screen) == STILL


def test_the_words_around_a_ticking_figure_are_still_judged() -> None:
    # the badge says LIVE and its rate until frame 3, then FROZEN: still from frame 3, settled at 6
    def screen(f: int) -> list[Label]:
        badge = f"LIVE  {20 + f} fps" if f < 3 else "FROZEN - NOT LIVE"
        return [(badge, (120.0, 30.0), (0.0, 0.0, 130.0, 40.0))]

    assert looks_taken(screen) == 6


def test_a_label_with_a_ticking_figure_that_moves_is_waited_on() -> None:
    # the figure's label pushed along by one pixel a frame: its place is judged, so never still
    assert looks_taken(lambda f: [("probe 25 fps", (90.0, 30.0), (400.0 + f, 760.0, 90.0, 40.0))]) == CAPPED


def test_a_text_that_comes_or_goes_is_a_change() -> None:
    # a toast shown at frame 2 and gone at frame 5: still from frame 5, settled at 8
    def screen(f: int) -> list[Label]:
        return [button(100.0), *([button(10.0, "saved")] if 2 <= f < 5 else [])]

    assert looks_taken(screen) == 8


def test_the_look_masks_only_rates_ages_and_clocks() -> None:
    looked: Look = look_of([("probe 25 fps · last frame 112 ms ago", (300.0, 30.0), (0.0, 0.0, 1.0, 1.0))])
    assert looked == [("probe # fps · last frame # ms ago", None, (0.0, 0.0, 1.0, 1.0))]
    assert look_of([("last onset 4:59 · tail 59:59", (9.0, 3.0), (0.0, 0.0, 1.0, 1.0))])[0][0] == (
        "last onset # · tail #"
    )
    kept = look_of([("weight 72 kg, 4 mL, 2 items", (100.0, 30.0), (0.0, 0.0, 1.0, 1.0))])
    assert kept == [("weight 72 kg, 4 mL, 2 items", (100.0, 30.0), (0.0, 0.0, 1.0, 1.0))]
