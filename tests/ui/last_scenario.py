"""LAST emergency mode on the real app at 800x480 (the smallest screen): the nav bar's LAST button is on
screen with every nav button, opens the LAST screen from the live screen, and a Done touch is journaled.

Run by tests/ui/test_last_screen.py in its own process (Kivy owns one window per process); writes what it
saw to ``--report`` and screenshots to ``--artifacts``. The simulated pedal board is real (its on-screen
buttons share the nav bar), so the layout is checked in its most crowded form.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sonocart_ui.kivy_setup import configure_kivy  # noqa: E402

configure_kivy(800, 480)

from kivy.core.window import Window  # noqa: E402

from sonocart.cart.cart import Cart  # noqa: E402
from sonocart.cart.settings import UiSettings, demo_operators  # noqa: E402
from sonocart.clock import SystemClock  # noqa: E402
from sonocart.devices.pedal import PedalBoard  # noqa: E402
from sonocart.devices.probe import ProbeClient  # noqa: E402
from sonocart.procedures.catalogue import load_catalogue  # noqa: E402
from sonocart.sim.pedal_board import start_simulated_board  # noqa: E402
from sonocart_ui.app import CartApp  # noqa: E402
from tests.conftest import SimProcess  # noqa: E402
from tests.ui.driver import Report, Steps, pause, run_scenario, settled, touch, wait  # noqa: E402
from tests.ui.forms_layout import forms  # noqa: E402
from tests.ui.layout import nav_layout, text_audit, visible_widgets, window_rect  # noqa: E402

NAV_IDS = (
    "nav_procedure",
    "nav_scan",
    "nav_alarms",
    "nav_last",
    "pedal_a",
    "pedal_b",
    "nav_settings",
    "nav_lock",
)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--link", type=Path, required=True)
    ap.add_argument("--artifacts", type=Path, required=True)
    ap.add_argument("--report", type=Path, required=True)
    args = ap.parse_args()
    args.artifacts.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sonocart-last-"))
    sim = SimProcess(args.link, ["--lines", "96", "--samples", "384"]).start()
    board = start_simulated_board(tmp / "pedal", tmp / "pedal.ctl")
    pedal = PedalBoard(str(tmp / "pedal"))
    cart = Cart(
        catalogue=load_catalogue(),
        records_root=tmp / "records",
        clock=SystemClock(),
        settings=UiSettings(operators=demo_operators()),
        probe=ProbeClient(str(args.link)),
        pedal=pedal,
    ).start()
    session = cart.session
    app = CartApp(cart=cart, pedal_remote=board.command)
    report = Report(args.report)

    def settle() -> Steps:
        """The redraw an action set off has run: every text still for 3 frames (0.3 s at most)."""
        yield from settled(max_s=0.3)

    def look() -> dict[str, object]:
        """Where the top prompt is on the LAST screen (the nav bar's band, wide or not, or the bar above),
        the nav bar, every text's fit, and where each widget of the LAST screen is."""
        nav, bar = app.root.ids.nav, app.root.ids.prompt
        place = (
            ("nav wide" if nav.prompt_wide else "nav") if nav.prompt_up else ("top" if bar.showing else "")
        )
        top = session.highest_prompt()
        return {
            "place": place,
            "shown": nav.ids.nav_prompt.text if nav.prompt_up else bar.text,
            "prompt_text": top.text if top else "",
            "nav": nav_layout(app),
            "cut": [
                t["text"] for t in text_audit(Window) if t["shortened"] or t["overflow"] or t["broken_word"]
            ],
            "screen": [window_rect(w) for w in visible_widgets(app.screens.current_screen)],
        }

    def scenario() -> Steps:
        yield
        session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 60.0, "dr_ana")
        yield from settle()
        nav = app.root.ids.nav
        report["nav"] = {
            i: {"text": nav.ids[i].text, "x": nav.ids[i].x, "right": nav.ids[i].right} for i in NAV_IDS
        }
        report["window_width"] = Window.width
        app.show("live")
        yield from settle()
        report["before"] = app.screens.current
        yield from touch(nav.ids.nav_lock)  # sign-in is not sterile: the cart locks
        yield from settle()
        report["locked"] = app.screens.current
        yield from touch(nav.ids.nav_last)  # the LAST button still works on a locked screen
        yield from settle()
        report["after_nav"] = app.screens.current
        screen = app.screens.current_screen
        yield from touch(screen.ids.start)
        yield from settle()
        report["start_label_after_one_touch"] = screen.ids.start.text
        report["active_after_one_touch"] = session.last_active()
        yield from touch(screen.ids.start)
        yield from wait(session.last_active, 3, "LAST mode active")
        yield from settle()
        report["locked_after_start"] = cart.lock.locked
        report["title"] = screen.ids.title.text
        report["prompt"] = app.root.ids.prompt.text
        report["plan"] = screen.ids.plan.text
        widget = screen.step_widget("stop_injecting")
        assert widget is not None
        yield from touch(widget.ids.done)
        yield from settle()
        report["toast"] = app.root.ids.toast.text
        widget = screen.step_widget("stop_injecting")
        report["done_label"] = "" if widget is None else widget.ids.done.text
        screen.ids.reason.text = "Patient recovered, handed to the ICU team"  # typed, not ended
        yield from settle()
        report["forms"] = forms(app)  # the reason keeps its name beside it once typed into
        report["look_unacked"] = look()
        # Acknowledged on its own target after reading it (the nav bar's whole band right of LAST, or the
        # bar above when too long for it): it stays shown and the light stays HIGH; no lock.
        yield from pause(1.2)
        bar = app.root.ids.prompt
        report["prompt_wide"] = app.root.ids.nav.prompt_wide and app.root.ids.nav.prompt_up
        yield from touch(app.prompt_target())
        yield from settle()
        report["prompt_after_ack"] = bar.text
        report["can_ack_after_ack"] = bar.can_ack
        report["light_after_ack"] = pedal.status().indicator
        report["look_acked"] = look()
        # Lock: its button, or (given way to the prompt's short form) what it calls: refused during LAST
        if nav.ids.nav_lock.get_root_window() is not None and not nav.ids.nav_lock.disabled:
            yield from touch(nav.ids.nav_lock)
        else:
            app.lock_now()
        yield from settle()
        report["screen_after_lock_touch"] = app.screens.current
        app.save_screenshot(args.artifacts / "last-800x480.png")
        record = session.record
        assert record is not None
        report["journal"] = [[e.type, e.operator, e.payload] for e in record.journal.events()]

    try:
        run_scenario(app, scenario(), report)
    finally:
        board.stop()
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
