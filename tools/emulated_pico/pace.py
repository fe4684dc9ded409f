"""How well the emulated Pico keeps real time on this machine: ``python -m tools.emulated_pico.pace``.

Builds the pedal firmware, installs it on a blank emulated board with the technician tool, boots it
and prints, once a second, the board's clock, the time its core slept and how far it is behind the
wall clock. A diagnostic for the emulated-Pico tests' lag skips (docs/firmware.md), not a test.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sonocart.firmware_tool import flash as fw_flash
from sonocart.firmware_tool.build import build
from tools.emulated_pico.binaries import missing_binaries
from tools.emulated_pico.pedal_board import EmulatedPedalBoard


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="how long to watch the booted board")
    args = parser.parse_args()
    why = missing_binaries()
    if why is not None:
        print(f"emulated Pico unavailable: {why}")
        return 2
    with tempfile.TemporaryDirectory(prefix="sonocart-pace-") as tmp:
        work = Path(tmp)
        fw = build("pico", work / "fw", version=("0.0.0+pace", False, False))
        flash = work / "flash.bin"
        with EmulatedPedalBoard(flash, work / "blank").start() as blank:
            if not blank.pico.wait_link(15):
                print("blank board never enumerated")
                return 1
            report = fw_flash.flash(str(blank.link_path), fw=fw)
            if not report.ok:
                print(report.render())
                return 1
        with EmulatedPedalBoard(flash, work / "pedal").start() as board:
            t0 = time.monotonic()
            print("wall_s board_ms slept_ms lag_now_ms worst_lag_ms")
            for _ in range(args.seconds):
                time.sleep(1)
                s = board.pico.stats()
                print(
                    f"{time.monotonic() - t0:6.1f} {float(s['t_ms']):8.0f} {float(s['slept_ms']):8.0f}"
                    f" {float(s['lag_now_ms']):10.0f} {float(s['lag_ms']):12.0f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
