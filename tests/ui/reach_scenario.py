"""Every screen the team needs stays reachable while a hard stop fills the nav bar's band: a part of the
shared run (screens_scenario.py) for tests/ui/test_reach_under_stop.py.

Consent is answered "no" at the sign-in: the core raises its hard stop, a prompt no tap acknowledges
(its tap opens the Alarms list, for a documented override). From where that tap leads, the part
touches Settings, Steps, Image (the live screen) and back; then starts LAST and, with the LAST prompt
read and acknowledged, touches Lock from the Alarms list: the core refuses the lock during LAST. Each
look records the nav bar and the screen; the test holds what must be true. LAST stays active at its
end: the shared run takes it last.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ui.driver import Report, Steps, pause, settled, touch, wait
from tests.ui.layout import nav_layout, text_audit
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP


def part(app: Any, report: Report, artifacts: Path, _tmp: Path) -> Steps:
    """From the start screen, no record open: the looks ``start``, ``stop``, ``list``, ``settings``,
    ``live``, ``back``, ``last``, ``last list`` and ``last lock``."""
    from kivy.core.window import Window

    report["looks"] = {}

    def look(name: str) -> None:
        nav = app.root.ids.nav
        top = app.session.highest_prompt()
        report["looks"][name] = {
            "screen": app.screens.current,
            "nav": nav_layout(app),
            "enabled": {i: not nav.ids[i].disabled for i in ("nav_settings", "nav_lock", "nav_alarms")},
            "prompt_bar": app.root.ids.prompt.showing,
            "top": None
            if top is None
            else {"id": top.id, "blocking": top.blocking, "acked": top.acknowledged},
            "locked": app.cart.lock.locked,
            "toast": app.root.ids.toast.text,
            "texts": [t["text"] for t in text_audit(Window)],
            "cut": [t["text"] for t in text_audit(Window) if t["shortened"] or t["overflow"]],
        }
        app.save_screenshot(artifacts / f"reach-{len(report['looks']):02d}-{name}.png")

    def go(button: str, screen: str) -> Steps:
        yield from touch(app.root.ids.nav.ids[button])
        yield from wait(lambda: app.screens.current == screen, 5, f"{button} -> {screen}")
        yield from settled()

    yield from settled()
    look("start")  # every nav button on screen: the oracle for where each one is
    app.session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
    app.go_procedure()
    for step, key in SIGN_IN_TO_PREP:
        if step == "consent_valid":
            break
        app.step_action(key)
    yield from wait(lambda: app.form.view().step_id == "consent_valid", 5, "the consent step")
    app.step_action("no")  # the core's hard stop
    yield from wait(lambda: app.root.ids.nav.prompt_wide, 5, "the stop in the band")
    yield from settled()
    look("stop")
    yield from pause(1.1)  # read first
    yield from touch(app.root.ids.nav.ids.nav_prompt)  # "Tap to override": the Alarms list
    yield from wait(lambda: app.screens.current == "alarms", 5, "the Alarms list")
    yield from settled()
    look("list")
    yield from go("nav_settings", "settings")
    look("settings")
    yield from go("nav_alarms", "alarms")
    yield from go("nav_scan", "live")
    look("live")  # the stop fills the band here too: its tap leads to the list, and on from there
    yield from touch(app.root.ids.nav.ids.nav_prompt)
    yield from wait(lambda: app.screens.current == "alarms", 5, "the Alarms list again")
    yield from settled()
    yield from go("nav_procedure", "sign_in")
    look("back")
    # LAST: its screen from the band's left edge, two touches to start
    yield from go("nav_last", "last")
    screen = app.screens.current_screen
    yield from touch(screen.ids.start)
    yield from touch(screen.ids.start)
    yield from wait(app.session.last_active, 3, "LAST mode active")
    yield from settled()
    look("last")
    yield from pause(1.2)  # read first
    yield from touch(app.prompt_target())  # LAST's prompt is acknowledged (it stays up, short)
    yield from wait(lambda: not app.root.ids.nav.prompt_wide, 5, "LAST's prompt acknowledged")
    yield from go("nav_alarms", "alarms")
    look("last list")
    yield from touch(app.root.ids.nav.ids.nav_lock)
    yield from settled()
    look("last lock")
