"""First start on the real app: a new cart (empty roster, no demo) registers its administrator by touch.

Run by tests/ui/test_first_start_screen.py; screenshots go to ``--artifacts``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sonocart_ui.kivy_setup import configure_kivy  # noqa: E402

_ap = argparse.ArgumentParser()
_ap.add_argument("--state", type=Path, required=True)
_ap.add_argument("--artifacts", type=Path, required=True)
_ap.add_argument("--report", type=Path, required=True)
_ap.add_argument("--size", default="1280x800")  # make screenshots takes both cart screens
ARGS = _ap.parse_args()
configure_kivy(*(int(n) for n in ARGS.size.split("x")))

from sonocart.cart.cart import Cart  # noqa: E402
from sonocart.cart.settings import load_settings  # noqa: E402
from sonocart.clock import SystemClock  # noqa: E402
from sonocart.devices.probe import ProbeClient  # noqa: E402
from sonocart.procedures.catalogue import load_catalogue  # noqa: E402
from sonocart_ui.app import CartApp  # noqa: E402
from tests.ui.driver import Report, Steps, pause, run_scenario, touch, wait  # noqa: E402
from tests.ui.forms_layout import forms  # noqa: E402


def main() -> int:
    ARGS.artifacts.mkdir(parents=True, exist_ok=True)
    settings_path = ARGS.state / "settings.json"
    cart = Cart(
        catalogue=load_catalogue(),
        records_root=ARGS.state / "records",
        clock=SystemClock(),
        settings=load_settings(settings_path, demo=False),
        settings_path=settings_path,
        probe=ProbeClient(str(ARGS.state / "no-probe")),
    ).start()
    app = CartApp(cart=cart)
    report = Report(ARGS.report)

    def fill(screen: object, admin: str, name: str, pin: str, again: str) -> None:
        ids = screen.ids  # type: ignore[attr-defined]
        ids.admin_id.text, ids.admin_name.text, ids.pin.text, ids.pin_again.text = admin, name, pin, again

    def scenario() -> Steps:
        yield from wait(lambda: app.screens.current == "first_start", 10, "first start screen")
        screen = app.screens.get_screen("first_start")
        yield from pause(0.5)  # laid out, as a person sees it, before the first touch
        report.see("opened", screen=app.screens.current, message=screen.message)
        app.save_screenshot(ARGS.artifacts / "1-first-start.png")
        fill(screen, "dr_smith", "Dr Smith", "111111", "111111")
        yield from pause(0.3)
        report.see("filled", forms=forms(app))
        yield from touch(screen.ids.create)
        report.see(
            "weak pin",
            screen=app.screens.current,
            error=screen.error,
            pin=screen.ids.pin.text,
            saved=settings_path.exists(),
        )
        app.save_screenshot(ARGS.artifacts / "2-refused.png")
        fill(screen, "dr_smith", "Dr Smith", "480215", "480215")
        yield from touch(screen.ids.create)
        yield from wait(lambda: app.screens.current == "start", 5, "start screen")
        start = app.screens.get_screen("start")
        report.see(
            "registered",
            screen=app.screens.current,
            operators=[b.key for b in start.ids.operators.children],
            note=start.roster_note,
        )
        app.save_screenshot(ARGS.artifacts / "3-start.png")

    try:
        run_scenario(app, scenario(), report)
    finally:
        cart.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
