"""Drive the real cart app on a display: watch the image change, pull the probe, watch NO SIGNAL, replug.

Run by tests/ui/test_live_view.py in its own process (Kivy owns one window per
process). Writes observations to ``--report`` (JSON) and screenshots to ``--artifacts``;
the pytest side makes the assertions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sonocart_ui.kivy_setup import configure_kivy  # noqa: E402

configure_kivy(1280, 800)

import numpy as np  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from PIL import Image  # noqa: E402

from sonocart.devices.probe import ProbeClient  # noqa: E402
from sonocart_ui.app import CartApp  # noqa: E402
from tests.conftest import SimProcess  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--link", type=Path, required=True)
    ap.add_argument("--artifacts", type=Path, required=True)
    ap.add_argument("--report", type=Path, required=True)
    args = ap.parse_args()
    args.artifacts.mkdir(parents=True, exist_ok=True)
    sim_args = ["--lines", "96", "--samples", "384"]
    sim = SimProcess(args.link, sim_args).start()
    app = CartApp(probe=ProbeClient(str(args.link)).start(), clock=time.monotonic)
    report: dict[str, object] = {}

    def shot(name: str) -> np.ndarray:
        path = args.artifacts / f"{name}.png"
        app.save_screenshot(path)
        return np.asarray(Image.open(path).convert("L"), dtype=np.int16)

    def wait(cond: object, timeout_s: float, what: str) -> Iterator[None]:
        t0 = time.monotonic()
        while not cond():  # type: ignore[operator]
            if time.monotonic() - t0 > timeout_s:
                raise TimeoutError(what)
            yield

    def scenario() -> Iterator[None]:
        screen = app.live_screen
        assert screen is not None
        yield from wait(lambda: screen.live, 20, "live image")
        yield from wait(lambda: screen.textures_updated >= 5, 10, "5 texture updates")
        first = shot("1-live")
        n0 = screen.textures_updated
        t0 = time.monotonic()
        yield from wait(lambda: time.monotonic() - t0 > 2.0, 5, "two seconds")
        report["texture_updates_per_s"] = (screen.textures_updated - n0) / (time.monotonic() - t0)
        second = shot("2-live-later")
        report["live_pixels_changed"] = int((np.abs(first - second) > 8).sum())
        report["live_badge_text"] = screen.ids.live_badge.text
        sim.kill()
        killed = time.monotonic()
        yield from wait(lambda: not screen.live, 5, "NO SIGNAL")
        report["no_signal_after_s"] = time.monotonic() - killed
        yield from wait(lambda: time.monotonic() - killed > 0.5, 5, "overlay settled")
        shot("3-no-signal")
        report["no_signal_overlay_opacity"] = screen.ids.no_signal.opacity
        report["no_signal_reason"] = screen.no_signal_reason
        report["image_dimmed"] = list(screen.ids.image.color)
        report["live_badge_text_no_signal"] = screen.ids.live_badge.text
        sim.start()
        restarted = time.monotonic()
        yield from wait(lambda: screen.live, 20, "live again")
        report["recovered_after_s"] = time.monotonic() - restarted
        yield from wait(lambda: time.monotonic() - restarted > report["recovered_after_s"] + 0.5, 5, "settle")  # type: ignore[operator]
        shot("4-recovered")
        report["recovered_overlay_opacity"] = screen.ids.no_signal.opacity

    steps = scenario()

    def step(_dt: float) -> bool:
        try:
            next(steps)
        except StopIteration:
            report["completed"] = True
            app.stop()
            return False
        except Exception as exc:
            report["error"] = f"{type(exc).__name__}: {exc}"
            app.stop()
            return False
        return True

    Clock.schedule_interval(step, 0.02)
    try:
        app.run()
    finally:
        sim.stop()
        args.report.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
