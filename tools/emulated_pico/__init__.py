"""An emulated Raspberry Pi Pico: the official MicroPython rp2 image on the npm emulator rp2040js.

:class:`~tools.emulated_pico.pico.EmulatedPico` is the chip (pins, USB serial on a pty, flash in a
file, resets); :class:`~tools.emulated_pico.pedal_board.EmulatedPedalBoard` is our pedal board
on it (pedals, connector, light, buzzer by the names of ``hardware/pinmap.json``). See README.md.
"""

from tools.emulated_pico.binaries import RP2_DIR_ENV, missing_binaries, rp2_dir
from tools.emulated_pico.pico import EmulatedPico, PicoEvent

__all__ = ["RP2_DIR_ENV", "EmulatedPico", "PicoEvent", "missing_binaries", "rp2_dir"]
