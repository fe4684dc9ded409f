"""A step held by a hard stop raised at an earlier step, on the real app at one size: the step panel says
why, in the core's words, on a checklist screen and in the live screen's column.

The femoral block is answered as the buttons would; at the sign-in's weight step (a keypad step) and at
the prep step (the live screen) the consent is corrected to "no" through the core's intent, as
tests/cart/test_held_by.py does: the step is held. Each moment is measured from the widget tree
(tests/ui/layout.py) with a screenshot; the step's confirmation is pressed on the held step (accepted,
still held); at sign-in the consent is corrected back (released). Run by tests/ui/test_step_held.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.ui.driver import scenario_args  # noqa: E402

ARGS = scenario_args("800x480")

from kivy.core.window import Window  # noqa: E402
from kivy.graphics import Color  # noqa: E402

from sonocart.procedures.inputs import Correct  # noqa: E402
from sonocart_ui.bars import TOAST_S  # noqa: E402
from tests.ui.column_geometry import within  # noqa: E402
from tests.ui.driver import Report, Steps, run_scenario, settled, start_cart_app, wait  # noqa: E402
from tests.ui.layout import (  # noqa: E402
    _broken_word,
    _drawn_part,
    live_layout,
    nav_layout,
    overlap,
    text_audit,
    visible_texts,
    window_rect,
)
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP  # noqa: E402


def main() -> int:
    ARGS.artifacts.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sonocart-held-"))
    app, stop = start_cart_app(ARGS.link, tmp)
    report = Report(ARGS.report)

    def panel() -> Any:
        return app.live_screen.step_panel if app.screens.current == "live" else app.current().ids.panel

    def buttons(p: Any) -> dict[str, Any]:
        """Where each of the step's touch targets is now (grid, keypad, fixed closing button)."""
        out = {f"grid:{b.key}": window_rect(b) for b in p.ids.actions.children}
        if p.ids.keypad.shown:
            out |= {f"pad:{b.key}": window_rect(b) for b in p.ids.keypad.ids.pad_keys.children}
        if p.submit_label:
            out["submit"] = window_rect(p.ids.submit)
        return out

    def measure(name: str) -> Steps:
        # the layout settles (the prompt placed, the redraw trigger run): every text still for 3 frames
        yield from settled(max_s=0.6)
        if app.screens.current == "live":
            live = app.live_screen

            def image_fits() -> bool:
                stage, tex = live.ids.stage, live.ids.image.texture
                drawn_1to1 = tex is not None and tuple(tex.size) == (
                    int(stage.width) // 4 * 4,
                    int(stage.height),
                )
                return bool(live.live) and drawn_1to1

            yield from wait(image_fits, 20, "live image at the stage's size")
        p = panel()
        live = app.screens.current == "live"
        # under the step's body ("foot"), first in it ("body": no room under it), or across the image
        places = {"foot": p.ids.held, "body": p.ids.held_body}
        if live:
            places["across"] = app.live_screen.ids.held_across
        shown = [k for k, w in places.items() if w.height > 0 and w.opacity > 0]
        place = shown[0] if len(shown) == 1 else ",".join(shown)
        held = places.get(place, p.ids.held)
        fill = [list(i.rgba) for i in held.canvas.before.children if isinstance(i, Color)]
        seen: dict[str, Any] = {
            "screen": app.screens.current,
            "step": app.form.view().step_id,
            "held_by": app.session.held_by(),
            "held_place": place,
            "held": {
                "text": held.text,
                "rect": window_rect(held),
                "size": [held.width, held.height],
                "texture_size": list(held.texture_size),
                "opacity": held.opacity,
                "colour": list(held.color),
                "fill": fill[-1] if fill else None,
                "shortened": bool(held.is_shortened),
                "broken_word": _broken_word(held),
                "drawn": _drawn_part(held, window_rect(held)),  # inside its scroll view's window
            },
            "step_text_colour": list(p.ids.step_text.color),
            # other texts drawn where it is (their parts inside their scroll view's window)
            "under_it": [
                t.text
                for t, r in visible_texts(Window)
                if t.text != held.text
                and overlap(_drawn_part(t, r), _drawn_part(held, window_rect(held))) > 1
            ],
            "panel": [p.height, p.ids.scroll.height, p.ids.foot.height, p.ids.keypad.height],
            "body_window": window_rect(p.ids.scroll),  # the step body's scroll view, on screen
            # where the stop's prompt is: the nav bar's band, the window's bar above the screen, the live
            # screen's (beside or across the image), or none up
            "prompt_place": prompt_place(app),
            "nav": nav_layout(app),
            "toast": app.root.ids.toast.text,
            "buttons": buttons(p),
            "window": list(Window.size),
            "prompt_priority": top.priority.name if (top := app.session.highest_prompt()) else "",
            "texts": text_audit(Window),
        }
        if live:
            seen["live"] = live_layout(app)
            seen["column"] = column_room(app.live_screen)
        report[name] = seen
        app.save_screenshot(ARGS.artifacts / f"held-{name}.png")

    def column_room(live: Any) -> dict[str, Any]:
        """The live column's body and the feedback in it, laid out by Kivy's text layout (CoreLabel) in the
        feedback's font: the body's height, one line's height, the lines the body holds, the feedback's
        lines at the body's width, the fewest parts it can be cut in (this function's own cut: from each
        part's first word, as many words as lay out with a mark " (9/9)" in the lines the body holds),
        and the body's texts drawn now."""
        from kivy.core.text import Label as CoreLabel

        panel, style = live.step_panel, live.column_pages.feedback
        width, text = float(panel.ids.scroll.width), live.toast_text

        def height(words: str) -> float:
            label = CoreLabel(text=words, font_size=style.font_size, bold=style.bold, text_size=(width, None))
            label.refresh()
            return float(label.content_height)

        line, body = height("0"), float(panel.ids.scroll.height)
        holds = int(body // line)
        words, fewest, first = text.split(" "), 0, 0
        while text and first < len(words):
            last = first + 1
            while (
                last < len(words)
                and height(" ".join(words[first : last + 1]) + "\u00a0(9/9)") <= holds * line
            ):
                last += 1
            fewest, first = fewest + 1, last
        return {
            "body": body,
            "line": line,
            "holds": holds,
            "toast": text,
            "lines": round(height(text) / line) if text else 0,
            "fewest": fewest,
            "drawn": [t.text for t, _r in visible_texts(Window) if within(t, panel.ids.scroll)],
        }

    def toast_expired() -> Steps:
        """The core's newest message has lived its toast's seconds (bars.TOAST_S after it was said)."""
        s = app.session
        yield from wait(lambda: s.feedback is None or app.clock() - s.feedback.at >= TOAST_S, 5, "toast")

    def prompt_place(app: Any) -> str:
        if app.root.ids.nav.prompt_up:
            return "nav"
        if app.screens.current == "live":
            return "live" if app.live_screen.prompt_text else ""
        return "top" if app.root.ids.prompt.showing else ""

    def answer_up_to(step_id: str) -> None:
        """The femoral block's answers as the buttons send them, from the current step up to ``step_id``."""
        for step, key in SIGN_IN_TO_PREP:
            if step == step_id:
                return
            if app.form.view().step_id == step:
                app.step_action(key)

    def correct_consent(value: bool, why: str) -> None:
        assert app.session.submit(lambda op: Correct("consent_valid", value, op, why), "input")

    def scenario() -> Steps:
        yield from wait(lambda: app.pedal_status is not None and app.pedal_status.fault is None, 30, "pedals")
        yield from wait(lambda: app.screens.current == "start", 10, "start screen")
        app.session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
        app.go_procedure()
        answer_up_to("weight_kg")
        yield from wait(lambda: app.form.view().step_id == "weight_kg", 5, "the weight step")
        yield from wait(lambda: app.screens.current == "sign_in", 5, "the sign-in screen")
        yield from measure("sign_in_before")
        correct_consent(False, "form signed for the other knee")
        yield from measure("sign_in_held_toast")  # the core's feedback says it too, for its seconds
        yield from toast_expired()
        yield from measure("sign_in_held")
        app.step_action("ok")  # accepted, and the step does not go on: it still says why
        yield from measure("sign_in_confirmed")
        correct_consent(True, "re-signed for this knee")
        yield from measure("sign_in_released")
        answer_up_to("allergies")  # a step of buttons with its fixed closing one (no keypad)
        yield from wait(lambda: app.form.view().step_id == "allergies", 5, "the allergies step")
        yield from measure("allergies_before")
        correct_consent(False, "form signed for the other knee")
        yield from toast_expired()
        yield from measure("allergies_held")
        correct_consent(True, "re-signed for this knee")
        answer_up_to("prep_done")
        yield from wait(lambda: app.form.view().step_id == "prep_done", 5, "the prep step")
        app.go_procedure()
        yield from wait(lambda: app.screens.current == "live", 5, "the live screen")
        yield from measure("live_before")
        correct_consent(False, "form signed for the other knee")
        yield from measure("live_held_toast")
        yield from toast_expired()
        yield from measure("live_held")
        app.step_action("confirm")
        yield from measure("live_confirmed")

    try:
        run_scenario(app, scenario(), report)
    finally:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
