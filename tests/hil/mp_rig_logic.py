"""Rig board protocol on a fake board; runs under CPython (pytest) and on the MicroPython unix port."""

from rig import Rig


class FakeBoard:
    def __init__(self):
        self.us = 1000
        self.pins = {}
        self.rgb = (0, 0, 0)
        self.buzz = False
        self.history = []

    def now_us(self):
        self.us += 7
        return self.us

    def sleep_ms(self, ms):
        self.us += ms * 1000

    def _set(self, name, v):
        self.pins[name] = v
        self.history.append((self.us, name, v))

    def set_pedal(self, i, closed):
        self._set("pedal" + str(i), closed)

    def set_present(self, present):
        self._set("present", present)

    def set_reset(self, asserted):
        self._set("reset", asserted)

    def set_dut_power(self, on):
        self._set("power", on)

    def set_probe(self, connected):
        self._set("probe", connected)

    def read_rgb(self):
        return self.rgb

    def buzzer_on(self):
        return self.buzz


def test_boots_safe_with_pedals_open_and_everything_connected():
    b = FakeBoard()
    Rig(b)
    assert b.pins == {
        "pedal0": False,
        "pedal1": False,
        "present": True,
        "reset": False,
        "power": True,
        "probe": True,
    }


def test_press_and_release_answer_with_the_rig_clock_at_the_switch():
    b = FakeBoard()
    r = Rig(b)
    reply = r.handle("press B").split()
    assert reply[0] == "ok" and int(reply[1]) > 1000
    assert b.pins["pedal1"] is True
    r.handle("release b")
    assert b.pins["pedal1"] is False
    assert r.handle("press C").startswith("error")


def test_reset_is_a_pulse_on_run_and_answers_when_it_started():
    b = FakeBoard()
    r = Rig(b)
    at = int(r.handle("reset").split()[1])
    pulses = [(t, v) for t, name, v in b.history if name == "reset"]
    assert pulses[-2][1] is True and pulses[-1][1] is False
    assert pulses[-1][0] - at >= 50000


def test_faults_switch_their_lines_and_safe_restores_them():
    b = FakeBoard()
    r = Rig(b)
    for line in ("unplug", "power off", "probe 0", "press A"):
        assert r.handle(line).startswith("ok ")
    assert not b.pins["present"] and not b.pins["power"] and not b.pins["probe"] and b.pins["pedal0"]
    r.handle("safe")
    assert b.pins["present"] and b.pins["power"] and b.pins["probe"] and not b.pins["pedal0"]


def test_light_and_buzzer_changes_are_reported_only_while_watching_and_noise_is_not():
    b = FakeBoard()
    r = Rig(b)
    b.rgb = (250, 150, 0)
    assert r.poll() == []
    r.handle("watch 1")
    b.rgb = (0, 0, 250)
    b.buzz = True
    lines = r.poll()
    assert [ln.split()[0] for ln in lines] == ["L", "Z"]
    assert lines[0].split()[2:] == ["0", "0", "250"] and lines[1].split()[2] == "1"
    b.rgb = (5, 3, 245)  # sensor noise
    assert r.poll() == []
    assert r.handle("light") == "rgb 5 3 245" and r.handle("buzzer") == "buzzer 1"


def test_hello_names_the_rig_and_unknown_commands_are_errors():
    r = Rig(FakeBoard())
    assert r.handle("hello").startswith("ok sonocart-rig ")
    assert r.handle("dance").startswith("error")
    assert r.handle("").startswith("error")
