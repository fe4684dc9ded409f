"""The rig board (a Raspberry Pi Pico): the only rig module that knows pins (hardware/rig/wiring.md).

Outputs drive opto-couplers and load switches, so the board under test never shares a ground
with the rig except through the USB host: PEDAL_x and PRESENT close the pedal lines to the
pedal board's ground, RUN pulls the Pico under test's RUN pin low, DUT_POWER and PROBE switch
VBUS (and, for the probe, D+/D-) of their USB cables. BUZZ_SENSE reads the buzzer drive
through an opto-coupler (low while sounding); the light is read by a TCS34725 over it.
"""

import time

import machine
from colour_sensor import ColourSensor

PEDAL_PINS = (10, 11)  # high = opto on = pedal contact closed
PRESENT_PIN = 12  # high = present loop closed (connector in)
RUN_PIN = 13  # high = RUN of the board under test held low (reset)
DUT_POWER_PIN = 14  # high = pedal board VBUS on (TPS2051B enable)
PROBE_PIN = 15  # high = probe USB connected (TPS2051B + TS3USB221 enable)
BUZZ_SENSE_PIN = 16  # input, pull-up: low while the buzzer sounds
I2C_ID, SDA_PIN, SCL_PIN = 0, 4, 5
LIGHT_FULL_SCALE = 1024  # calibrate per rig (docs/hil.md)


class RigBoard:
    def __init__(self):
        out = machine.Pin.OUT
        self._pedals = [machine.Pin(p, out, value=0) for p in PEDAL_PINS]
        self._present = machine.Pin(PRESENT_PIN, out, value=1)
        self._run = machine.Pin(RUN_PIN, out, value=0)
        self._power = machine.Pin(DUT_POWER_PIN, out, value=1)
        self._probe = machine.Pin(PROBE_PIN, out, value=1)
        self._buzz = machine.Pin(BUZZ_SENSE_PIN, machine.Pin.IN, machine.Pin.PULL_UP)
        i2c = machine.I2C(I2C_ID, sda=machine.Pin(SDA_PIN), scl=machine.Pin(SCL_PIN), freq=400000)
        self._sensor = ColourSensor(i2c, LIGHT_FULL_SCALE)
        self._us = 0
        self._last = time.ticks_us()

    def now_us(self):
        """Microseconds since boot, unwrapped (ticks_us wraps after about 18 minutes)."""
        t = time.ticks_us()
        self._us += time.ticks_diff(t, self._last)
        self._last = t
        return self._us

    def sleep_ms(self, ms):
        time.sleep_ms(ms)

    def set_pedal(self, i, closed):
        self._pedals[i].value(1 if closed else 0)

    def set_present(self, present):
        self._present.value(1 if present else 0)

    def set_reset(self, asserted):
        self._run.value(1 if asserted else 0)

    def set_dut_power(self, on):
        self._power.value(1 if on else 0)

    def set_probe(self, connected):
        self._probe.value(1 if connected else 0)

    def read_rgb(self):
        return self._sensor.read()

    def buzzer_on(self):
        return self._buzz.value() == 0
