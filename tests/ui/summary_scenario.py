"""The Summary's PACS result in the real window: a part of the shared run (screens_scenario.py) for
tests/ui/test_summary_pacs_band.py.

A record is opened and the Summary shown; Send to PACS is touched with the cart's PACS on a port nothing
listens on (down; then the cart announces a send the PACS partly refused, its reason long), then on a
real Orthanc's (sent; the ports come from the test in the environment).
Each look reads the core's message, the toast in the status band, the result beside the actions and
every text on screen from the widget tree; the test holds the expected words.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sonocart.cart.events import PacsFinished
from tests.ui.driver import Report, Steps, settled, touch, wait
from tests.ui.layout import text_audit, visible_widgets, window_rect

#: The core's words for a send the PACS partly refused (cart/pacs.py result_message), written out here.
FAILED = "PACS sent 0, 1 failed and stay queued: C-STORE status 0xA700 (out of resources)"


def part(app: Any, report: Report, artifacts: Path, _tmp: Path) -> Steps:
    """From the start screen: the looks ``before``, ``down``, ``failed`` and ``sent``."""
    from kivy.core.window import Window

    ports = {
        "down": int(os.environ["SONOCART_TEST_PACS_DOWN"]),
        "sent": int(os.environ["SONOCART_TEST_PACS_UP"]),
    }

    def look(name: str) -> None:
        sm = app.screens.get_screen("summary")
        shown = list(visible_widgets(Window))
        band = sm.ids.pacs_result
        toast = app.root.ids.toast
        said = app.session.feedback
        report[name] = {
            "screen": app.screens.current,
            # the core's newest message, and what of it the status band shows
            "said": "" if said is None else (said.text if said.ok else f"[!] {said.text}"),
            "toast": toast.text if toast.opacity > 0 else "",
            "result": band.text if band in shown else None,
            "result_rect": window_rect(band),
            "result_texture": list(band.texture_size),
            "result_colour": list(band.color),
            "buttons": {k: window_rect(sm.ids[k]) for k in ("export", "send", "new")},
            "nav": window_rect(app.root.ids.nav),
            "body_end": sm.ids.pacs.text,
            "texts": text_audit(Window),
        }
        app.save_screenshot(artifacts / f"summary-{name}.png")

    app.session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
    yield from wait(lambda: app.screens.current != "start", 5, "the record's first screen")
    app.show("summary")
    yield from settled()
    look("before")
    sm = app.screens.get_screen("summary")
    for name, port in ports.items():
        app.session.settings.pacs.port = port
        yield from touch(sm.ids.send)
        yield from wait(lambda: not sm.sending and app.session.feedback is not None, 60, f"{name} send")
        yield from wait(lambda: "PACS" in app.session.feedback.text, 5, f"{name} said")
        yield from settled()
        look(name)
        if name == "down":  # a send some objects of which the PACS refused, as the cart announces it
            app.session.say(FAILED, ok=False)
            app.cart.emit(PacsFinished(FAILED, False))
            yield from settled()
            look("failed")
