"""Display-rate benchmark (``make bench-ui``): the live screen under Xvfb while everything else updates.

A procedure is open at the injection step with a HIGH prompt flashing on the bar, the step panel, status
bar and toast refreshing, and the simulated pedal board connected. Prints how many new ultrasound images
per second reached the screen and how many window frames per second Kivy drew, for both cart screens.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sonocart_ui.kivy_setup import configure_kivy  # noqa: E402

_ap = argparse.ArgumentParser()
_ap.add_argument("--size", default="1280x800")
_ap.add_argument("--seconds", type=float, default=10.0)
_ap.add_argument("--report", type=Path)
ARGS = _ap.parse_args()
W, H = (int(v) for v in ARGS.size.split("x"))
from sonocart.launch.xvfb import Xvfb  # noqa: E402

XVFB = Xvfb(1280, 800)  # always measured on a private Xvfb (software GL), the worst case we ship
XVFB.start()
os.environ.update(XVFB.client_env())
configure_kivy(W, H)

from kivy.clock import Clock  # noqa: E402

from sonocart.cart.cart import Cart  # noqa: E402
from sonocart.cart.settings import UiSettings, demo_operators  # noqa: E402
from sonocart.clock import SystemClock  # noqa: E402
from sonocart.devices.pedal import PedalBoard  # noqa: E402
from sonocart.devices.probe import ProbeClient  # noqa: E402
from sonocart.procedures.catalogue import load_catalogue  # noqa: E402
from sonocart.sim.pedal_board import start_simulated_board  # noqa: E402
from sonocart_ui.app import CartApp  # noqa: E402
from tests.conftest import SimProcess  # noqa: E402
from tests.ui.driver import Report, Steps, pause, run_scenario, wait  # noqa: E402
from tests.ui.vm_fixtures import to_prep  # noqa: E402


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="sonocart-bench-"))
    sim = SimProcess(tmp / "probe", []).start()  # the simulator's default 128 lines x 512 samples, 30 fps
    board = start_simulated_board(tmp / "pedal", tmp / "pedal.ctl")
    cart = Cart(
        catalogue=load_catalogue(),
        records_root=tmp / "records",
        clock=SystemClock(),
        settings=UiSettings(operators=demo_operators()),
        probe=ProbeClient(str(tmp / "probe")),
        pedal=PedalBoard(str(tmp / "pedal")),
    ).start()
    session = cart.session
    app = CartApp(cart=cart, pedal_remote=board.command)
    report = Report(ARGS.report or tmp / "bench.json")

    def scenario() -> Steps:
        yield
        session.start("femoral_nerve_block", {"name": "BENCH^B", "id": "B1"}, 72.0, "dr_ana")
        to_prep(app.form)
        for key in ("confirm", "stop:dr_ana:left", "stop:odp_cy:left", "aspirate:positive"):
            app.form.press(key)
        live = app.live_screen
        assert live is not None
        yield from wait(lambda: app.screens.current == "live" and live.live, 30, "live image")
        yield from pause(2.0)
        n0, frames0, t0 = live.textures_updated, Clock.frames_displayed, time.monotonic()
        yield from pause(ARGS.seconds)
        dt = time.monotonic() - t0
        report["size"] = ARGS.size
        report["images_per_s"] = (live.textures_updated - n0) / dt
        report["window_frames_per_s"] = (Clock.frames_displayed - frames0) / dt
        report["probe_fps"] = app.probe.status().fps
        report["prompt"] = app.root.ids.prompt.text

    try:
        run_scenario(app, scenario(), report)
    finally:
        board.stop()
        sim.stop()
        XVFB.stop()
    r = report.data
    if "error" in r:
        print(f"bench-ui {ARGS.size}: FAILED {r['error']}", file=sys.stderr)
        return 1
    print(
        f"bench-ui {ARGS.size}: {r['images_per_s']:.1f} new images/s on screen "
        f"({r['window_frames_per_s']:.1f} window frames/s, probe {r['probe_fps']:.1f} fps) "
        f"with a flashing HIGH prompt, step panel and status bar updating"
    )
    print(json.dumps({k: r[k] for k in ("size", "images_per_s", "window_frames_per_s", "probe_fps")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
