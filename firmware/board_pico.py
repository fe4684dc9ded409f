"""The Raspberry Pi Pico / Pico 2 board: the only module that knows pins (from pinmap, built from
hardware/pinmap.json). USB CDC stdio is the pedal link."""

import os
import select
import sys
import time

import machine
import micropython
import neopixel

from mpcompat import const
from pinmap import BUZZER, LIGHT_DATA, PEDAL_A, PEDAL_B, PEDAL_PRESENT
from sonocart.wire import pedal_codec as pc

_READ_MAX = const(64)
_MAINTENANCE_FLAG = "/maintenance"
# Why the chip last reset, beyond what machine.reset_cause() says (RP2040 datasheet 4.7.6
# WATCHDOG REASON, 2.10.8 VREG_AND_CHIP_RESET CHIP_RESET; RP2350: WATCHDOG at 0x400d8000).
_WATCHDOG_REASON_RP2040 = const(0x40058008)
_WATCHDOG_REASON_RP2350 = const(0x400D8008)
_CHIP_RESET_RP2040 = const(0x40064008)
_REASON_TIMER = const(1)
_HAD_RUN = const(1 << 16)


def _reset_cause() -> int:
    """The last reset as a pedal-link reset cause.

    MicroPython's reset_cause() is WDT_RESET whenever the watchdog rebooted the chip, which it
    also does for machine.reset() (mpremote reset, flash, maintenance): only the watchdog's
    REASON register tells an expiry (TIMER) from a forced reboot. Without a watchdog reboot
    it says PWRON_RESET; on an RP2040 CHIP_RESET tells the RUN pin (reset button) apart.
    """
    rp2040 = "RP2040" in sys.implementation._machine  # type: ignore[attr-defined]
    if machine.reset_cause() == machine.WDT_RESET:
        reason = machine.mem32[_WATCHDOG_REASON_RP2040 if rp2040 else _WATCHDOG_REASON_RP2350]
        return pc.RESET_WATCHDOG if reason & _REASON_TIMER else pc.RESET_SOFT
    if rp2040 and machine.mem32[_CHIP_RESET_RP2040] & _HAD_RUN:
        return pc.RESET_OTHER
    return pc.RESET_POWER_ON


def _ticks() -> int:
    """time.ticks_ms() as the plain int it is on the board (the stubs call it _TicksMs)."""
    return time.ticks_ms()  # type: ignore[return-value]


class PicoBoard:
    def __init__(self) -> None:
        # Foot switch contacts are normally open to ground: pull-ups, active low.
        self._pedals = [
            machine.Pin(PEDAL_A, machine.Pin.IN, machine.Pin.PULL_UP),
            machine.Pin(PEDAL_B, machine.Pin.IN, machine.Pin.PULL_UP),
        ]
        # The connector loops the present line to ground inside the pedal plug.
        self._present = machine.Pin(PEDAL_PRESENT, machine.Pin.IN, machine.Pin.PULL_UP)
        self._light = neopixel.NeoPixel(machine.Pin(LIGHT_DATA, machine.Pin.OUT), 1)
        self._buzzer = machine.Pin(BUZZER, machine.Pin.OUT, value=0)
        self._in = sys.stdin.buffer  # type: ignore[attr-defined]
        self._out = sys.stdout.buffer  # type: ignore[attr-defined]
        self._poll = select.poll()
        self._poll.register(self._in, select.POLLIN)
        self._wdt: machine.WDT | None = None
        self._cause = _reset_cause()
        self._boot_id = int.from_bytes(os.urandom(4), "little")

    def ticks_ms(self) -> int:
        return _ticks()

    def reset_cause(self) -> int:
        return self._cause

    def boot_id(self) -> int:
        return self._boot_id

    def board_id(self) -> str:
        return "".join("%02x" % b for b in machine.unique_id())

    def pedal_raw(self, i: int) -> bool:
        return self._pedals[i].value() == 0

    def pedal_present_raw(self) -> bool:
        return self._present.value() == 0

    def set_rgb(self, r: int, g: int, b: int) -> None:
        self._light[0] = (r, g, b)
        self._light.write()

    def set_buzzer(self, on: bool) -> None:
        self._buzzer.value(1 if on else 0)

    def link_read(self) -> bytes:
        out = bytearray()
        while len(out) < _READ_MAX and self._poll.poll(0):
            b = self._in.read(1)
            if not b:
                break
            out.extend(b)
        return bytes(out)

    def link_write(self, data: bytes) -> None:
        self._out.write(data)

    def wdt_start(self, timeout_ms: int) -> None:
        self._wdt = machine.WDT(timeout=timeout_ms)

    def wdt_feed(self) -> None:
        if self._wdt is not None:
            self._wdt.feed()

    def enter_maintenance(self) -> None:
        """Reboot into the REPL: the watchdog cannot be stopped, so go through a reset."""
        with open(_MAINTENANCE_FLAG, "w") as f:
            f.write("1")
        machine.reset()

    def extra_tasks(self, app: object) -> list[tuple[str, object]]:
        return []

    def maintenance_requested(self) -> bool:
        """Pedal A held at power-up, or a MAINTENANCE request before the last reset."""
        try:
            os.remove(_MAINTENANCE_FLAG)
            return True
        except OSError:
            pass
        return self.pedal_raw(0) and self.pedal_present_raw()

    def binary_link(self) -> None:
        """Ctrl-C (0x03) is data in binary frames: stop it raising KeyboardInterrupt."""
        micropython.kbd_intr(-1)
