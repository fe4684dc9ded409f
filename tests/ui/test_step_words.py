"""The words the step form, the timers line, the summary and the settings rows show come from data: the
catalogue's option names and step titles, the core's timer and pedal-action tables (#14 item 3), never an
identifier with its underscores turned into spaces ("22g 50mm", "weight kg = 72", "aliquot pause").

Every expected text is written out here from the catalogue's own files (phases.toml's ``option_names`` and
``title``s) or from what the team is told to call a thing, not computed by the code under test.
"""

from __future__ import annotations

from pathlib import Path

from sonocart.cart.settings import PEDAL_ACTIONS
from sonocart.clock import ManualClock
from sonocart.procedures import inputs as I
from sonocart.procedures.pedal_words import PEDAL_ACTION_WORDS
from sonocart_ui.viewmodels.settings import SettingsForm
from sonocart_ui.viewmodels.summary import summary_lines
from tests.human_text import MACHINE_TEXT
from tests.procedures.procedure_drivers import advance_to
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP, new_session, started, to_prep

#: phases.toml, the needle step's option_names, in its options' order
NEEDLES = ["22 G, 50 mm", "22 G, 80 mm", "22 G, 100 mm", "25 G, 38 mm", "20 G, 90 mm Tuohy"]


def _said_through_time_out(tmp_path: Path) -> dict[tuple[str, str], str]:
    """Every press of the sign-in and time-out and what the core then said, by (step, key)."""
    session, form = started(tmp_path)
    said = {}
    for step, key in SIGN_IN_TO_PREP:
        assert form.press(key), session.feedback
        assert session.feedback is not None
        said[(step, key)] = session.feedback.text
    return said


def test_a_choice_shows_and_says_the_catalogues_name_of_each_option(tmp_path: Path) -> None:
    session, form = started(tmp_path)
    for step, key in SIGN_IN_TO_PREP:
        if step == "needle":
            break
        assert form.press(key), session.feedback
    view = form.view()
    assert view.step_id == "needle"
    assert [a.label for a in view.actions] == NEEDLES
    assert form.press("opt:20g_90mm_tuohy")
    assert session.feedback is not None and session.feedback.text == "Needle: 20 G, 90 mm Tuohy"


def test_what_a_step_says_names_the_step_by_its_title_with_the_value_and_unit(tmp_path: Path) -> None:
    said = _said_through_time_out(tmp_path)
    assert said[("weight_kg", "ok")] == "Weight: 72 kg"  # prefilled at start (vm_fixtures.started)
    assert said[("spo2_before", "ok")] == "SpO2 before: 98 %"
    assert said[("sedation_driver", "opt:no_sedation")] == "Sedation: no sedation"
    assert said[("fasting", "opt:not_required")] == "Fasting: not required (no sedation)"
    assert said[("baseline_function", "ok")] == "Function before: Sit-to-stand time 9 s"
    assert said[("antithrombotics", "done")] == "Anticoagulants and antiplatelets: recorded"
    assert said[("medications", "done")] == "Medications drawn and labelled: recorded"
    machine = sorted({t for t in said.values() if MACHINE_TEXT.search(t)})
    assert machine == []


def test_the_timers_line_names_each_running_timer_in_words(tmp_path: Path) -> None:
    clock = ManualClock()
    _session, form = started(tmp_path, clock)
    to_prep(form)
    assert form.press("confirm")  # prep done
    assert form.press("stop:dr_ana:left") and form.press("stop:odp_cy:left")
    assert form.view().kind == "injection"
    assert form.press("aspirate:negative")
    assert form.press("aliquot")  # the catalogue's pause between aliquots starts
    assert form.timers_line().startswith("pause between aliquots 0:")


def test_the_summary_names_the_complications_in_the_catalogues_words(tmp_path: Path) -> None:
    clock = ManualClock()
    session = new_session(tmp_path, clock)
    session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
    assert session.record is not None and session.engine is not None
    advance_to(session.record, clock, "complications")
    picked = ["vasovagal", "suspected_intravascular"]
    session.engine.submit(I.Answer("complications", picked, "dr_ana"))
    lines = [line for line in summary_lines(session) if line.startswith("complications:")]
    assert lines == ["complications: vasovagal reaction, suspected intravascular injection"]


def test_each_pedal_action_in_the_settings_rows_is_the_cores_short_words(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    form = SettingsForm(session)
    row = "sterile/A tap"
    seen = []
    for _ in PEDAL_ACTIONS:
        form.cycle_pedal(row)
        seen.append(dict(form.rows())[row].split(" = ")[1])
    # the cycle from the default (A tap freezes): written out as the 7-inch buttons must read
    expected = ["capture still", "capture clip", "ack / confirm", "log aliquot", "aspirate neg.", "nothing"]
    assert seen == [*expected, "freeze"]
    assert set(PEDAL_ACTION_WORDS) == set(PEDAL_ACTIONS)  # the core names every action it knows
