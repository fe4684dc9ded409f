"""Debouncer behaviour; runs under CPython (pytest) and on the MicroPython unix port."""

from debounce import PRESS, RELEASE, Debouncer, ticks_diff


def _drive(samples, settle=20, start=0):
    """Feed (time_ms, level) samples; return the (time_ms, event) pairs produced."""
    d = Debouncer(start, settle)
    out = []
    for t, level in samples:
        ev = d.update(level, t)
        if ev:
            out.append((t, ev))
    return out


def _poll(levels_by_ms, until, period=2):
    """Sample a level function every ``period`` ms from 0 to ``until``."""
    return [(t, levels_by_ms(t)) for t in range(0, until, period)]


def test_bouncy_press_and_release_give_one_event_each():
    def level(t):
        if t < 10:
            return 0
        if t < 16:  # bounce on press
            return (t // 2) % 2
        if t < 200:
            return 1
        if t < 208:  # bounce on release
            return (t // 2) % 2 == 0
        return 0

    events = _drive(_poll(level, 400))
    assert [e for _, e in events] == [PRESS, RELEASE], events


def test_press_is_reported_within_settle_time_plus_one_poll():
    events = _drive(_poll(lambda t: 1 if t >= 50 else 0, 200))
    t, ev = events[0]
    assert ev == PRESS
    assert 50 + 20 <= t <= 50 + 20 + 2, t


def test_glitch_shorter_than_settle_is_ignored():
    events = _drive(_poll(lambda t: 1 if 40 <= t < 50 else 0, 200))
    assert events == [], events


def test_debounce_survives_tick_wraparound():
    start = (1 << 30) - 30
    samples = []
    for i in range(0, 100, 2):
        t = (start + i) & ((1 << 30) - 1)
        samples.append((t, 1 if i >= 10 else 0))
    events = _drive(samples, start=start)
    assert [e for _, e in events] == [PRESS], events


def test_ticks_diff_wraps():
    assert ticks_diff(5, (1 << 30) - 5) == 10
    assert ticks_diff((1 << 30) - 5, 5) == -10
