"""Drive the real cart app on a display: watch the image change, pull the probe, watch NO SIGNAL, replug.

Run by tests/ui/test_live_view.py in its own process (Kivy owns one window per process). Writes
observations to ``--report`` (JSON) and screenshots to ``--artifacts``; the pytest side makes the assertions.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sonocart_ui.kivy_setup import configure_kivy  # noqa: E402

configure_kivy(1280, 800)

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from sonocart.cart.cart import Cart  # noqa: E402
from sonocart.cart.settings import UiSettings, demo_operators  # noqa: E402
from sonocart.clock import SystemClock  # noqa: E402
from sonocart.devices.probe import ProbeClient  # noqa: E402
from sonocart.procedures.catalogue import load_catalogue  # noqa: E402
from sonocart_ui.app import CartApp  # noqa: E402
from tests.conftest import SimProcess  # noqa: E402
from tests.ui.driver import Report, Steps, pause, run_scenario, wait  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--link", type=Path, required=True)
    ap.add_argument("--artifacts", type=Path, required=True)
    ap.add_argument("--report", type=Path, required=True)
    args = ap.parse_args()
    args.artifacts.mkdir(parents=True, exist_ok=True)
    sim = SimProcess(args.link, ["--lines", "96", "--samples", "384"]).start()
    records = Path(tempfile.mkdtemp(prefix="sonocart-records-"))
    cart = Cart(
        catalogue=load_catalogue(),
        records_root=records,
        clock=SystemClock(),
        settings=UiSettings(operators=demo_operators()),
        probe=ProbeClient(str(args.link)),
    ).start()
    app = CartApp(cart=cart)
    report = Report(args.report)

    def shot(name: str) -> np.ndarray:
        path = args.artifacts / f"{name}.png"
        app.save_screenshot(path)
        return np.asarray(Image.open(path).convert("L"), dtype=np.int16)

    def scenario() -> Steps:
        screen = app.live_screen
        assert screen is not None
        yield
        app.show("live")
        yield from wait(lambda: screen.live, 20, "live image")
        yield from wait(lambda: screen.textures_updated >= 5, 10, "5 texture updates")
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

    try:
        run_scenario(app, scenario(), report)
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
