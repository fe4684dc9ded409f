"""Firmware logic with a simulated clock; the same file runs on CPython and on MicroPython."""

from buzzer import BURSTS, Buzzer
from indicator import PATTERNS, Indicator
from pedals import HOLD_MS, STUCK_MS, Pedals
from sonocart.wire import pedal_codec as pc


def _run(script, until, poll=5):
    """script(t) -> (a, b, present); returns [(t, name, fields)] from a Pedals polled every ``poll`` ms."""
    p = Pedals(0)
    out = []
    for t in range(0, until, poll):
        a, b, present = script(t)
        for name, fields in p.update([a, b], present, t):
            out.append((t, name, fields))
    return p, out


def _kinds(out):
    return [(f["pedal"], pc.EVENT_NAMES[f["kind"]]) for _, n, f in out if n == "PEDAL_EVENT"]


def test_short_press_is_press_release_tap():
    _, out = _run(lambda t: (100 <= t < 250, False, True), 600)
    assert _kinds(out) == [(0, "press"), (0, "release"), (0, "tap")], out


def test_long_press_is_press_hold_release_without_tap():
    _, out = _run(lambda t: (100 <= t < 100 + HOLD_MS + 300, False, True), 1500)
    assert _kinds(out) == [(0, "press"), (0, "hold"), (0, "release")], out
    hold_t = next(t for t, n, f in out if n == "PEDAL_EVENT" and f["kind"] == pc.EV_HOLD)
    press_t = out[0][0]
    assert hold_t - press_t == HOLD_MS or hold_t - press_t == HOLD_MS + 5, (press_t, hold_t)


def test_events_carry_the_board_time_they_happened():
    _, out = _run(lambda t: (100 <= t < 250, False, True), 600)
    assert [f["board_ts_ms"] for _, n, f in out] == [t for t, n, f in out]


def test_stuck_pedal_fault_is_raised_after_the_limit_and_cleared_on_release():
    _, out = _run(lambda t: (0 < t < STUCK_MS + 1000, False, True), STUCK_MS + 1500, poll=10)
    f = [(t, fl["active"]) for t, n, fl in out if n == "FAULT" and fl["code"] == pc.FAULT_STUCK_PEDAL]
    assert len(f) == 2 and f[0][1] == 1 and f[1][1] == 0, f
    assert STUCK_MS <= f[0][0] <= STUCK_MS + 50


def test_unplug_raises_fault_releases_held_pedal_without_tap_and_ignores_contacts():
    def script(t):
        present = not (300 <= t < 800)
        return (100 <= t < 400 or 500 <= t < 600, False, present)

    p, out = _run(script, 1200)
    assert _kinds(out) == [(0, "press"), (0, "release")], out
    faults = [(fl["code"], fl["active"]) for _, n, fl in out if n == "FAULT"]
    assert faults == [(pc.FAULT_PEDAL_UNPLUGGED, 1), (pc.FAULT_PEDAL_UNPLUGGED, 0)], faults
    assert p.present


def test_both_pedals_are_independent():
    _, out = _run(lambda t: (100 <= t < 200, 120 <= t < 900, True), 1200)
    assert sorted(_kinds(out)) == sorted(
        [(0, "press"), (0, "release"), (0, "tap"), (1, "press"), (1, "hold"), (1, "release")]
    )


def _flash(state, ms=10000):
    ind = Indicator(0, state)
    on = 0
    rises = 0
    prev = False
    for t in range(ms):
        lit = ind.colour(t) != (0, 0, 0)
        on += lit
        rises += lit and not prev
        prev = lit
    return rises * 1000.0 / ms, on / ms


def test_high_priority_light_is_red_between_1_4_and_2_8_hz_with_20_to_60_percent_on():
    freq, duty = _flash(pc.IND_ALARM_HIGH)
    assert PATTERNS[pc.IND_ALARM_HIGH][0] == (255, 0, 0)
    assert 1.4 <= freq <= 2.8 and 0.2 <= duty <= 0.6, (freq, duty)


def test_medium_priority_light_is_yellow_between_0_4_and_0_8_hz():
    freq, duty = _flash(pc.IND_ALARM_MEDIUM, 16000)
    r, g, b = PATTERNS[pc.IND_ALARM_MEDIUM][0]
    assert r > 200 and g > 100 and b == 0
    assert 0.4 <= freq <= 0.8 and 0.2 <= duty <= 0.6, (freq, duty)


def test_low_priority_and_non_alarm_states_are_steady():
    for state in (pc.IND_ALARM_LOW, pc.IND_IDLE, pc.IND_READY, pc.IND_IMAGING, pc.IND_RECORDING):
        assert PATTERNS[state][1] == 0, state
    assert _flash(pc.IND_ALARM_LOW)[1] == 1.0


def test_flash_starts_lit_when_the_state_is_entered():
    ind = Indicator(0, pc.IND_READY)
    ind.set_state(pc.IND_ALARM_HIGH, 1234)
    assert ind.colour(1234) == (255, 0, 0)


def test_buzzer_plays_each_burst_once_then_falls_silent():
    for priority, pulses in ((pc.BUZZ_HIGH, 10), (pc.BUZZ_MEDIUM, 3), (pc.BUZZ_LOW, 2)):
        bz = Buzzer()
        bz.start(priority, 0)
        rises, prev = 0, False
        for t in range(6000):
            on = bz.on(t)
            rises += on and not prev
            prev = on
        assert rises == pulses == len(BURSTS[priority]), (priority, rises)
        assert bz.priority == pc.BUZZ_OFF


def test_lower_priority_burst_does_not_interrupt_a_higher_one():
    bz = Buzzer()
    bz.start(pc.BUZZ_HIGH, 0)
    bz.start(pc.BUZZ_LOW, 50)
    assert bz.priority == pc.BUZZ_HIGH
    assert not bz.start(9, 60)


def _edges_after(values):
    """Oracle: for each instant, how many ms until ``values`` (one per ms) next differs (None: never)."""
    out = [None] * len(values)
    for t in range(len(values) - 2, -1, -1):
        out[t] = 1 if values[t + 1] != values[t] else (None if out[t + 1] is None else out[t + 1] + 1)
    return out


def test_light_tells_exactly_when_its_colour_next_changes():
    # The light's task sleeps until then: an edge it announced late would stretch a flash.
    for state in PATTERNS:
        ind = Indicator(0, pc.IND_OFF)
        ind.set_state(state, 37)
        colours = [ind.colour(37 + u) for u in range(4200)]
        want = _edges_after(colours)
        for u in range(2100):  # the longest period is 2000 ms: every edge is followed by another
            got = ind.ms_to_change(37 + u)
            assert (got == want[u]) if want[u] is not None else got > 4200, (state, u, got, want[u])


def test_buzzer_tells_exactly_when_it_next_turns_on_or_off():
    for priority in BURSTS:
        probe = Buzzer()  # on() ends a burst, so the oracle looks at a twin started alike
        probe.start(priority, 11)
        sounds = [probe.on(11 + u) for u in range(4000)]
        want = _edges_after(sounds)
        bz = Buzzer()
        bz.start(priority, 11)
        for u in range(4000):
            got = bz.ms_to_change(11 + u)
            assert bz.on(11 + u) == sounds[u]
            if want[u] is None:  # silent for good: the burst is over, or ends now
                assert got == 0 or bz.priority == pc.BUZZ_OFF, (priority, u, got)
            else:
                assert got == want[u], (priority, u, got, want[u])
