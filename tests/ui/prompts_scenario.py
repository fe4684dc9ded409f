"""The live screen at the injection with each of the longest prompts the injection raises, at one size.

The femoral block is answered up to the injection as the buttons would; then the core raises its own
prompts, each measured on the live screen (tests/ui/layout.py) with a screenshot: an aliquot logged without
aspirating (one lapse), one logged again at once (two lapses: the longest text the injection raises), a
positive aspiration (HIGH); and between the first two, the first acknowledged and gone (cleared). Run by
tests/ui/test_live_prompts.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.ui.driver import scenario_args  # noqa: E402

ARGS = scenario_args("800x480")

from kivy.core.window import Window  # noqa: E402

from tests.ui.driver import Report, Steps, pause, run_scenario, start_cart_app, touch, wait  # noqa: E402
from tests.ui.layout import live_layout, text_audit  # noqa: E402
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP  # noqa: E402

#: The injection's prompts, raised by the core from these presses (what the strip's buttons send).
PROMPTS = (
    ("one_lapse", "aliquot"),  # MEDIUM: logged without a negative aspiration first
    ("two_lapses", "aliquot"),  # MEDIUM: again at once, inside the pause as well
    ("positive", "aspirate:positive"),  # HIGH: blood or CSF
)


def short_forms_fit(nav: object) -> dict[str, bool]:
    """Whether each short form in the alarm table fits whole in the room right of Alarms, as the screen
    shows it acknowledged (its own priority's marker and word, and the longest one's, MEDIUM's)."""
    from sonocart.procedures.catalogue import load_catalogue
    from sonocart.procedures.prompts import Priority
    from sonocart_ui.viewmodels.alarm_style import style_of

    out = {}
    for key, rule in load_catalogue().alarms.items():
        for prio in {Priority[rule.priority], Priority.MEDIUM} if rule.short else ():
            st = style_of(prio)
            text = f"{st.marker} {st.word}: {rule.short} (acknowledged)"
            out[f"{key} {prio.name}"] = bool(nav.prompt_fits(text, wide=False))  # type: ignore[attr-defined]
    return out


def main() -> int:
    ARGS.artifacts.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sonocart-prompts-"))
    app, stop = start_cart_app(ARGS.link, tmp)
    report = Report(ARGS.report)

    def measure(name: str) -> Steps:
        live = app.live_screen
        assert live is not None

        def settled() -> bool:
            """Live, and drawn at the stage's size (the image re-rendered for the prompt's place)."""
            stage, tex = live.ids.stage, live.ids.image.texture
            return (
                live.live
                and tex is not None
                and tuple(tex.size) == (int(stage.width) // 4 * 4, int(stage.height))
            )

        for _attempt in range(10):  # measured while live (NO SIGNAL is rightly drawn over the image)
            yield from pause(0.5)  # the layout settles at the prompt's place
            yield from wait(settled, 20, "live image at the stage's size")
            lay = live_layout(app)
            if settled():
                break
        lay["texts"] = text_audit(Window)
        lay["prompt_id"] = top.id if (top := app.session.highest_prompt()) else ""
        report[name] = lay
        app.save_screenshot(ARGS.artifacts / f"prompt-{name}.png")

    def scenario() -> Steps:
        yield from wait(lambda: app.pedal_status is not None and app.pedal_status.fault is None, 30, "pedals")
        yield from wait(lambda: app.screens.current == "start", 10, "start screen")
        app.session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
        app.go_procedure()
        for _step, key in SIGN_IN_TO_PREP:
            app.step_action(key)
        for key in ("confirm", "stop:dr_ana:left", "stop:rn_ben:left"):  # skin prepared; the STOP
            app.step_action(key)
        yield from wait(lambda: app.form.view().kind == "injection", 5, "the injection step")
        app.go_procedure()
        yield from wait(lambda: app.screens.current == "live", 5, "the live screen")
        yield from measure("none")
        for name, key in PROMPTS:
            app.step_action(key)
            yield from wait(lambda: app.session.highest_prompt() is not None, 3, f"{name} prompt")
            yield from measure(name)
            yield from pause(1.1)  # read before acknowledged (no blind acknowledgement)
            app.acknowledge_top()
            if name == "one_lapse":  # acknowledged, it is gone: no prompt up, everything back
                yield from wait(lambda: not app.session.prompts(), 5, "no prompt up")
                yield from measure("cleared")
        # the HIGH one acknowledged: if still up, it leaves the whole band, navigation comes back
        yield from wait(
            lambda: (t := app.session.highest_prompt()) is None or t.acknowledged, 5, "acknowledged"
        )
        yield from measure("positive_acked")
        # its short form's tap opens the Alarms list, where its whole text is
        nav = app.root.ids.nav
        target = nav.ids.nav_prompt
        report["acked_tap"] = {"opens_list": nav.prompt_opens_list, "enabled": not target.disabled}
        yield from touch(target)
        yield from wait(lambda: app.screens.current == "alarms", 5, "the Alarms list")
        yield from pause(0.3)
        report["acked_tap"]["screen"] = app.screens.current
        report["acked_tap"]["texts"] = [t["text"] for t in text_audit(Window)]
        report["short_forms_fit"] = short_forms_fit(nav)
        app._prompt_bar()  # the probe above laid other words out in the prompt: back to the top prompt

    try:
        run_scenario(app, scenario(), report)
    finally:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
