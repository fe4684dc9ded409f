"""A whole femoral nerve block on the real app, as the team would do it: touches on the screen's
widgets and pedal presses on the simulated board (the real firmware on the unix-port MicroPython).

Records what is visible after each action (screen, step text, prompt bar, toast, side banner, status
bar, board light) into ``--report``; screenshots of every screen go to ``--artifacts``. Run by
tests/ui/test_procedure_e2e.py and by ``make screenshots`` (``--size 800x480`` and ``1280x800``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.ui.driver import scenario_args  # noqa: E402

ARGS = scenario_args("1280x800")

from sonocart.cart.cart import Cart  # noqa: E402
from sonocart.cart.settings import DEMO_PIN, UiSettings, demo_operators  # noqa: E402
from sonocart.clock import SystemClock  # noqa: E402
from sonocart.devices.pedal import PedalBoard  # noqa: E402
from sonocart.devices.probe import ProbeClient  # noqa: E402
from sonocart.procedures.catalogue import load_catalogue  # noqa: E402
from sonocart.sim.pedal_board import start_simulated_board  # noqa: E402
from sonocart_ui.app import CartApp  # noqa: E402
from sonocart_ui.widgets import to_top  # noqa: E402
from tests.conftest import SimProcess  # noqa: E402
from tests.records.conftest import free_port  # noqa: E402
from tests.ui.driver import Report, Steps, button_in, pause, run_scenario, touch, wait  # noqa: E402
from tests.ui.procedure_sterile import SterileMoves  # noqa: E402
from tests.ui.room_checks import (  # noqa: E402
    buttons_under_bar,
    check_alarms_room,
    check_settings_room,
    check_summary_room,
    drag,
    rows_cut_by_window,
)

#: A site file shortening the waits so a whole procedure fits in a test (pauses 1 s, observation 4 s).
SITE = """
[procedures.femoral_nerve_block]
observation_minutes = 0.0667
pause_s = 1
"""


def main() -> int:
    ARGS.artifacts.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sonocart-e2e-"))
    site = tmp / "site.toml"
    site.write_text(SITE)
    sim = SimProcess(ARGS.link, ["--lines", "96", "--samples", "384"]).start()
    board = start_simulated_board(tmp / "pedal", tmp / "pedal.ctl")
    pedal = PedalBoard(str(tmp / "pedal"))
    settings = UiSettings(operators=demo_operators())
    settings.pacs.port = free_port()  # nothing listens there: the PACS is down
    cart = Cart(
        catalogue=load_catalogue(site_file=site),
        records_root=tmp / "records",
        clock=SystemClock(),
        settings=settings,
        probe=ProbeClient(str(ARGS.link)),
        pedal=pedal,
    ).start()
    app = CartApp(cart=cart, pedal_remote=board.command)
    report = Report(ARGS.report)
    report["size"] = ARGS.size
    try:
        run_scenario(app, Scenario(app, board, report, ARGS.artifacts).run(), report)
    finally:
        board.stop()
        sim.stop()
    return 0


class Scenario(SterileMoves):
    """The femoral nerve block, sign-in to lock, as the team does it."""

    def run(self) -> Steps:
        app, r = self.app, self.report
        yield from wait(lambda: app.pedal_status is not None and app.pedal_status.fault is None, 30, "pedals")
        yield from wait(lambda: app.screens.current == "start", 5, "start screen")
        yield from self.settle()
        self.look("start")
        st = self.screen()
        yield from touch(button_in(st.ids.procedures, "femoral_nerve_block"))
        for field, value in (
            ("family_name", "Doe"),
            ("given_name", "Jane"),
            ("patient_id", "MRN0012345"),
            ("birth_date", "19580412"),
        ):
            st.ids[field].text = value
        st.ids.weight.text = "72"
        yield from touch(button_in(st.ids.operators, "dr_ana"))
        to_top(st.ids.form_scroll)  # the touch scrolled to the operators: the screen is shot from its top
        yield from self.settle()
        self.shot("01-start")
        assert not (cut := rows_cut_by_window(st)), f"the start form's window cuts {cut}"
        self.look("start filled")
        yield from touch(st.ids.start_button)
        yield from wait(lambda: app.screens.current == "sign_in", 5, "sign-in screen")
        yield from self.settle()
        self.look("started")
        yield from self.sign_in()
        yield from self.time_out()
        yield from self.sterile()
        yield from self.sign_out()
        yield from self.observation()
        yield from self.summary_and_lock()
        r["journal_operators"] = sorted({e.operator for e in app.session.record.journal.events()})  # type: ignore[union-attr]
        r["journal_types"] = [e.type for e in app.session.record.journal.events()]  # type: ignore[union-attr]
        raised: dict[str, float] = {}
        r["ack_delays_s"] = []
        for e in app.session.record.journal.events():  # type: ignore[union-attr]
            if e.type in ("prompt_raised", "hard_stop"):
                raised[e.payload.get("id") or f"hard_stop:{e.payload['rule']}"] = e.wall
            elif e.type == "prompt_acknowledged" and not e.payload.get("auto"):
                r["ack_delays_s"].append(e.wall - raised[e.payload["id"]])

    def sign_in(self) -> Steps:
        self.shot("02-sign-in-team")
        yield from self.press_step("done", "team")
        yield from self.press_step("confirm", "patient_identifiers")
        yield from self.press_step("yes", "consent_valid")
        yield from self.press_step("side:left", "consent_side")
        self.shot("03-sign-in-weight")
        yield from self.press_step("ok", "weight_kg")  # pre-filled from the start screen
        yield from self.press_step("done", "allergies")
        yield from self.press_step("done", "antithrombotics")
        yield from self.press_step("digit:0", "anticoagulant_last_dose_h")
        yield from self.press_step("ok")
        yield from self.press_step("opt:not_applicable", "pregnancy")
        yield from self.press_step("opt:not_required", "fasting")
        yield from self.press_step("digit:0", "diabetes_glucose")
        yield from self.press_step("ok")
        yield from self.press_step("yes", "no_infection_at_site")
        yield from self.press_step("yes", "prior_reactions")
        yield from self.press_step("opt:no_sedation", "sedation_driver")
        for step, digits in (("hr_before", "72"), ("sbp_before", "134"), ("spo2_before", "98")):
            for i, d in enumerate(digits):
                yield from self.press_step(f"digit:{d}", step if i == 0 else None)
            yield from self.press_step("ok")
        yield from self.press_step("yes", "monitoring_iv")
        yield from self.press_step("yes", "lipid_resus_kit")
        yield from self.press_step("digit:7", "baseline_pain")
        yield from self.press_step("ok")
        yield from self.press_step("digit:1", "baseline_function")
        yield from self.press_step("digit:8")
        yield from self.press_step("ok")
        yield from self.press_step("opt:pain_relief", "indication")

    def time_out(self) -> Steps:
        app = self.app
        yield from wait(lambda: app.screens.current == "time_out", 5, "time-out screen")
        yield from self.press_step("confirm", "site_marked")
        yield from self.press_step("med:ropivacaine", "medications")
        yield from self.press_step("strength:0.5")
        yield from self.press_step("add")
        self.shot("04-time-out-medications")
        r, st = self.report, self.screen()
        body = self.panel().ids.scroll  # the list scrolled to "add" by the touch, then by a finger's drag
        r["medications_shown"] = {"rows_cut": rows_cut_by_window(st), "under_bar": buttons_under_bar(st)}
        r["medications_scrollable"] = body.children[0].height > body.height
        yield from drag(body, body.height * 0.45)
        r["medications_dragged"] = {
            "scroll_y": float(body.scroll_y),
            "rows_cut": rows_cut_by_window(st),
            "under_bar": buttons_under_bar(st),
        }
        yield from self.press_step("done")  # not yet labelled: the engine refuses, the toast says why
        yield from self.press_step("label:A")
        yield from self.press_step("done")
        yield from self.press_step("opt:22g_80mm", "needle")
        yield from self.press_step("opt:in_plane", "approach")
        # A wrong side against the LEFT consent: a HIGH stop; the banner keeps the consent's side.
        yield from self.press_step("side:right", "timeout_side")
        r["banner_after_wrong_side"] = app.root.ids.status.banner
        r["bar_after_wrong_side"] = app.root.ids.prompt.text
        yield from touch(app.prompt_target())  # a hard stop: the prompt's own target opens the list
        yield from self.settle()
        alarms = self.screen()
        row = next(w for w in alarms.ids.rows.children if w.prompt_id == "hard_stop:side_not_confirmed")
        alarms.ids.reason.text = "a reason typed earlier for something else"
        yield from touch(row.ids.act)  # this stop's own form: the stop named, the reason empty
        yield from self.settle()
        r["override_reason_when_opened"] = alarms.ids.reason.text
        r["override_title"] = alarms.override_title
        alarms.ids.reason.text = "Patient now reports the right knee"
        yield from touch(alarms.ids.document)  # alone: refused, a wrong side needs a second person
        yield from self.settle()
        r["override_alone_toast"] = app.root.ids.toast.text
        for key in ("second:rn_ben", "digit:9", "digit:9", "digit:9", "digit:9"):
            yield from touch(button_in(alarms, key))
        yield from self.toast_gone()  # the refusal's toast names the rule by id (the core's text)
        self.look("override form")  # the second's PIN typed, before it is refused
        yield from touch(alarms.ids.document)
        yield from self.settle()
        r["override_wrong_pin_toast"] = app.root.ids.toast.text
        r["side_stop_still_active"] = "side_not_confirmed" in app.session.engine.state.hard_stops  # type: ignore[union-attr]
        app.show("settings")  # the prompt's Override opens the list from any screen
        yield from self.settle()
        r["override_label_on_settings"] = app.prompt_target().text
        yield from touch(app.prompt_target())
        yield from self.settle()
        r["override_from_settings"] = app.screens.current
        app.go_procedure()
        yield from self.press_step("side:left", "timeout_side")  # the corrected answer clears the stop
        yield from self.press_step("confirm", "timeout_items")
        for member in ("dr_ana", "rn_ben", "odp_cy"):  # each with their own PIN (the demo team's)
            for key in (f"confirm_as:{member}", *(f"digit:{d}" for d in DEMO_PIN), "member_ok"):
                yield from self.press_step(key, "timeout_team")
            if member == "dr_ana":  # the next one types once that toast has gone: looks without one too
                yield from self.toast_expired()

    def sign_out(self) -> Steps:
        app = self.app
        yield from wait(lambda: app.screens.current == "sign_out", 5, "sign-out screen")
        self.shot("08-sign-out")
        yield from self.press_step("confirm", "procedure_recorded")
        # "Images captured" completes by itself: two stills are in the record.
        yield from self.press_step("opt:none", "complications")
        yield from self.press_step("done")
        yield from self.press_step("no", "equipment_problems")
        yield from self.press_step("confirm", "recovery_concerns")

    def observation(self) -> Steps:
        app, r = self.app, self.report
        yield from wait(lambda: app.screens.current == "observation", 5, "observation screen")
        yield from self.settle()
        self.look("observation")
        # Waiting prompts (LAST watch among them): each acknowledged on the prompt bar, by touch.
        self.shot("09-observation-prompt")
        r["acknowledged_on_bar"] = []
        yield from self.acknowledge_all()
        yield from self.press_step("confirm", "observe")  # too early: a hard stop says so
        r["early_observation_prompt"] = app.root.ids.prompt.text
        yield from touch(app.prompt_target())  # top is the hard stop: its target opens the list
        yield from self.settle()
        r["ack_on_hard_stop_opens"] = app.screens.current
        alarms = self.screen()
        r["alarm_rows"] = [w.text for w in reversed(alarms.ids.rows.children)]
        self.shot("10-alarms")
        r["room_alarms"] = check_alarms_room(app, ARGS.artifacts)  # the list starts at its page's top
        self.look("alarm list")
        # When the time is up the hard stop clears by itself; the expiry prompt is left for a person.
        yield from wait(lambda: "timer:observation" in {p.id for p in app.session.prompts()}, 10, "obs over")
        yield from wait(lambda: not any(w.blocking for w in alarms.ids.rows.children), 5, "hard stop cleared")
        yield from self.settle()
        r["alarm_rows_when_time_up"] = [w.text for w in reversed(alarms.ids.rows.children)]
        row = next(w for w in alarms.ids.rows.children if w.prompt_id == "timer:observation")
        yield from pause(1.1)  # read it first: an acknowledgement needs its text on screen for 1 s
        yield from touch(row.ids.act)
        yield from self.settle()
        r["alarm_rows_after"] = [w.text for w in reversed(alarms.ids.rows.children)]
        self.look("observation complete")
        app.go_procedure()
        # a 0 too: the keypad is whole on the observation screen at 800x480 (its bottom row was once clipped)
        for step, digits in (("hr_after", "72"), ("sbp_after", "120"), ("spo2_after", "98")):
            for i, d in enumerate(digits):
                yield from self.press_step(f"digit:{d}", step if i == 0 else None)
            yield from self.press_step("ok")
        yield from self.press_step("opt:complete", "block_assessment")
        yield from wait(lambda: app.form.view().step_id == "post_pain", 5, "post pain step")
        yield from self.press_step("digit:2", "post_pain")
        yield from self.press_step("ok")
        yield from self.press_step("confirm", "discharge")
        yield from self.press_step("confirm", "follow_up")

    def acknowledge_all(self) -> Steps:
        """Touch Acknowledge on the prompt bar until only hard stops (if any) are left."""
        app = self.app
        first_seen: dict[str, float] = {}
        while any(not p.blocking for p in app.session.prompts()):
            text = app.root.ids.prompt.text
            self.report["acknowledged_on_bar"].append(text)
            # read first: an acknowledgement needs the prompt's text on screen for 1 s (alarms.toml)
            yield from pause(1.0 - (time.monotonic() - first_seen.setdefault(text, time.monotonic())))
            yield from touch(app.prompt_target())
            yield from self.settle()
        self.look("prompts acknowledged")

    def summary_and_lock(self) -> Steps:
        app, r = self.app, self.report
        yield from wait(lambda: app.screens.current == "summary", 5, "summary screen")
        yield from self.settle()
        sm = self.screen()
        yield from touch(sm.ids.export)
        yield from self.settle()
        self.look("exported")
        r["summary_text"] = sm.ids.lines.text
        # Send to the PACS saved in Settings (here a closed port): the send runs off the Kivy thread and
        # its result says the PACS is down and that everything stays queued.
        yield from touch(sm.ids.send)
        yield from wait(lambda: not sm.sending, 30, "PACS send finished")
        yield from self.settle()
        r["pacs_text"] = sm.ids.pacs.text
        r["captures_dir"] = str(app.session.record.path / "captures")  # type: ignore[union-attr]
        r["thumbnails"] = [
            {
                "source": t.source,
                "caption": t.children[0].text,
                "texture": list(t.ids.still.texture.size) if t.ids.still.texture else None,
                "drawn": list(t.ids.still.norm_image_size),
            }
            for t in reversed(sm.ids.thumbs.children)
        ]
        self.shot("11-summary")
        r["room_summary"] = check_summary_room(app, ARGS.artifacts)  # issue 14 item 7: the body's height
        # Lock (outside the sterile phase) and unlock as rn_ben with the PIN.
        yield from touch(app.root.ids.nav.ids.nav_lock)
        yield from self.settle()
        r["locked_screen"] = app.screens.current
        self.shot("12-lock")
        self.look("locked")
        yield from touch(app.root.ids.nav.ids.nav_alarms)  # a locked cart shows nothing else
        yield from self.settle()
        r["locked_after_nav"] = app.screens.current
        keypad = self.screen()  # who, the keys and Unlock
        for key in ("op:rn_ben", "digit:1", "digit:2", "digit:3", "digit:4", "ok"):
            yield from touch(button_in(keypad, key))
        yield from self.settle()
        r["unlocked_screen"] = app.screens.current
        r["operator_after_unlock"] = app.root.ids.status.operator
        app.show("settings")
        yield from self.settle()
        for field, value in (
            ("pacs_host", "pacs.hospital.example"),
            ("pacs_port", "11112"),
            ("pacs_aet", "PACS"),
        ):
            self.screen().ids[field].text = value  # typed, not saved
        yield from self.toast_gone()  # the unlock's toast names the operator by id (the core's text)
        self.shot("13-settings")
        self.look("settings filled")
        r["room_settings"] = check_settings_room(app, ARGS.artifacts)  # several pedal rows whole


if __name__ == "__main__":
    sys.exit(main())
