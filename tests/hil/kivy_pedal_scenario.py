"""The real Kivy app on the rig's devices (run by test_kivy_app_on_rig.py in its own process).

Opens a procedure, says it is ready (a file), then waits for a pedal tap made by the rig and records
what a person would see: the toast, the live screen's FROZEN state, a screenshot, and when it showed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sonocart_ui.kivy_setup import configure_kivy  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--probe", required=True)
ap.add_argument("--pedal", required=True)
ap.add_argument("--records", type=Path, required=True)
ap.add_argument("--artifacts", type=Path, required=True)
ap.add_argument("--report", type=Path, required=True)
ap.add_argument("--ready-file", type=Path, required=True)
ARGS = ap.parse_args()
configure_kivy(1280, 800)

from sonocart.cart.cart import Cart  # noqa: E402
from sonocart.cart.events import CartEvent, PedalActed  # noqa: E402
from sonocart.cart.settings import UiSettings, demo_operators  # noqa: E402
from sonocart.clock import SystemClock  # noqa: E402
from sonocart.devices.pedal import PedalBoard  # noqa: E402
from sonocart.devices.probe import ProbeClient  # noqa: E402
from sonocart.procedures.catalogue import load_catalogue  # noqa: E402
from sonocart_ui.app import CartApp  # noqa: E402
from tests.ui.driver import Report, Steps, pause, run_scenario, wait  # noqa: E402


def main() -> int:
    ARGS.artifacts.mkdir(parents=True, exist_ok=True)
    cart = Cart(
        catalogue=load_catalogue(),
        records_root=ARGS.records,
        clock=SystemClock(),
        settings=UiSettings(operators=demo_operators()),
        probe=ProbeClient(ARGS.probe),
        pedal=PedalBoard(ARGS.pedal),
    ).start()
    app = CartApp(cart=cart)
    report = Report(ARGS.report)
    acted: list[tuple[float, PedalActed]] = []

    def on_event(ev: CartEvent) -> None:
        if isinstance(ev, PedalActed):
            acted.append((time.monotonic(), ev))

    cart.subscribe(on_event)

    def scenario() -> Steps:
        yield from wait(lambda: app.pedal_status is not None and app.pedal_status.fault is None, 30, "pedals")
        cart.open_procedure("femoral_nerve_block", {"name": "RIG^KIVY", "id": "R1"}, 70.0, "dr_ana")
        yield from wait(lambda: app.screens.current == "sign_in", 5, "the sign-in screen")
        app.show("live")  # the team looks at the image (the Image button)
        live = app.live_screen
        assert live is not None
        yield from wait(lambda: live.live, 30, "the live image")
        ARGS.ready_file.write_text("ready")
        yield from wait(lambda: bool(acted), 20, "the rig's pedal tap acted on")
        t_acted, ev = acted[0]
        toast_at = None
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and toast_at is None:
            if "pedal A tap" in app.root.ids.toast.text:
                toast_at = time.monotonic()
            yield
        yield from pause(0.3)
        app.save_screenshot(ARGS.artifacts / "pedal-freeze.png")
        report["acted_at"] = t_acted
        report["toast_at"] = toast_at
        report["action"] = ev.action
        report["outcome"] = ev.outcome
        report["toast"] = app.root.ids.toast.text
        report["frozen_badge"] = live.frozen and not live.live
        report["light"] = cart.light

    run_scenario(app, scenario(), report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
