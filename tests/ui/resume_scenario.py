"""Crash and resume on the real app: ``--phase crash`` starts a procedure by touch and stays mid-way
(the test SIGKILLs this process); ``--phase resume`` starts a fresh app on the same records and takes the
offer to resume. Run by tests/ui/test_resume_after_crash.py; each phase writes what it saw to ``--report``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sonocart_ui.kivy_setup import configure_kivy  # noqa: E402

_ap = argparse.ArgumentParser()
_ap.add_argument("--phase", choices=("crash", "resume"), required=True)
_ap.add_argument("--records", type=Path, required=True)
_ap.add_argument("--link", type=Path, required=True, help="probe port (nothing need listen: NO SIGNAL)")
_ap.add_argument("--report", type=Path, required=True)
_ap.add_argument("--size", default="800x480")
ARGS = _ap.parse_args()
W, H = (int(v) for v in ARGS.size.split("x"))
configure_kivy(W, H)

from sonocart.cart.cart import Cart  # noqa: E402
from sonocart.cart.settings import UiSettings, demo_operators  # noqa: E402
from sonocart.clock import SystemClock  # noqa: E402
from sonocart.devices.probe import ProbeClient  # noqa: E402
from sonocart.procedures.catalogue import load_catalogue  # noqa: E402
from sonocart_ui.app import CartApp  # noqa: E402
from tests.ui.driver import Report, Steps, button_in, pause, run_scenario, touch, wait  # noqa: E402


def main() -> int:
    cart = Cart(
        catalogue=load_catalogue(),
        records_root=ARGS.records,
        clock=SystemClock(),
        settings=UiSettings(operators=demo_operators()),
        probe=ProbeClient(str(ARGS.link)),
    ).start()
    app = CartApp(cart=cart)
    report = Report(ARGS.report)
    steps = crash(app, report) if ARGS.phase == "crash" else resume(app, report)
    run_scenario(app, steps, report)
    return 0


def _where(app: CartApp) -> dict[str, Any]:
    eng = app.session.engine
    return {
        "screen": app.screens.current,
        "step": app.form.view().step_id,
        "phase": eng.state.current_phase_id() if eng else "",
        "side": eng.banner()["side"] if eng else "",
        "answers": sorted(eng.state.answers) if eng else [],
    }


def crash(app: CartApp, report: Report) -> Steps:
    yield from wait(lambda: app.screens.current == "start", 10, "start screen")
    yield from pause(0.3)
    st = app.screens.current_screen
    yield from touch(button_in(st.ids.procedures, "femoral_nerve_block"))
    for field, value in (
        ("family_name", "Doe"),
        ("given_name", "Jane"),
        ("patient_id", "MRN0012345"),
        ("birth_date", "19580412"),
    ):
        st.ids[field].text = value
    yield from touch(button_in(st.ids.operators, "dr_ana"))
    yield from touch(st.ids.start_button)
    yield from wait(lambda: app.screens.current == "sign_in", 5, "sign-in screen")
    for step, key in (("team", "done"), ("patient_identifiers", "confirm"), ("consent_valid", "yes")):
        yield from wait(lambda s=step: app.form.view().step_id == s, 5, step)
        yield from pause(0.3)
        yield from touch(button_in(app.screens.current_screen.ids.panel, key))
    yield from touch(button_in(app.screens.current_screen.ids.panel, "side:left"))
    yield from wait(lambda: app.form.view().step_id == "weight_kg", 5, "weight step")
    report["before_crash"] = _where(app)
    report["ready"] = True
    report.write()  # the test kills this process now, mid-procedure
    while True:
        yield


def resume(app: CartApp, report: Report) -> Steps:
    yield from wait(lambda: app.screens.current == "start", 10, "start screen")
    yield from pause(0.5)
    st = app.screens.current_screen
    report["offers"] = [b.text for b in reversed(st.ids.resume.children)]
    report["offer_shortened"] = [b.is_shortened for b in st.ids.resume.children]
    app.save_screenshot(ARGS.report.with_suffix(".png"))
    offer = st.ids.resume.children[-1]
    yield from touch(offer)  # no operator yet: refused, said on screen
    yield from pause(0.3)
    report["without_operator"] = {"screen": app.screens.current, "error": st.error}
    yield from touch(button_in(st.ids.operators, "rn_ben"))
    yield from touch(offer)
    yield from wait(lambda: app.screens.current != "start", 5, "resumed")
    yield from pause(0.3)
    report["after_resume"] = _where(app)
    report["operator"] = app.session.operator


if __name__ == "__main__":
    tempfile.tempdir = None
    sys.exit(main())
