"""The live screen on the real app: watch the image change, pull the probe, watch NO SIGNAL, replug.

A part of the shared screens run (screens_scenario.py, at 1280x800 only) for tests/ui/test_live_view.py:
the run's own probe simulator is killed (a pulled cable) and started again on the same link, so the
parts after it see a live probe again. Writes observations to its section of the report and screenshots
to its artifacts; the test makes the assertions.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.ui.driver import Report, Steps, pause, wait


def part(app: Any, report: Report, artifacts: Path, _tmp: Path, *, sim: Any) -> Steps:
    """From the start screen, no record open: the live screen live, then with ``sim`` killed, then
    with it started again."""
    import numpy as np
    from PIL import Image

    def shot(name: str) -> Any:
        path = artifacts / f"{name}.png"
        app.save_screenshot(path)
        return np.asarray(Image.open(path).convert("L"), dtype=np.int16)

    screen = app.live_screen
    assert screen is not None
    yield
    app.show("live")
    yield from wait(lambda: screen.live, 20, "live image")
    n_start = screen.textures_updated
    yield from wait(lambda: screen.textures_updated >= n_start + 5, 10, "5 texture updates")
    first = shot("1-live")
    n0 = screen.textures_updated
    t0 = time.monotonic()
    yield from pause(2.0)
    report["texture_updates_per_s"] = (screen.textures_updated - n0) / (time.monotonic() - t0)
    second = shot("2-live-later")
    report["live_pixels_changed"] = int((np.abs(first - second) > 8).sum())
    report["live_badge_text"] = screen.ids.live_badge.text
    sim.kill()
    killed = time.monotonic()
    yield from wait(lambda: not screen.live, 5, "NO SIGNAL")
    report["no_signal_after_s"] = time.monotonic() - killed
    yield from pause(0.5)
    shot("3-no-signal")
    report["no_signal_overlay_opacity"] = screen.ids.no_signal.opacity
    report["no_signal_reason"] = screen.no_signal_reason
    report["image_dimmed"] = list(screen.ids.image.color)
    report["live_badge_text_no_signal"] = screen.ids.live_badge.text
    sim.start()
    restarted = time.monotonic()
    yield from wait(lambda: screen.live, 20, "live again")
    report["recovered_after_s"] = time.monotonic() - restarted
    yield from pause(0.5)
    shot("4-recovered")
    report["recovered_overlay_opacity"] = screen.ids.no_signal.opacity
