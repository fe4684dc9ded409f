"""The medications step by touch on the real engine: the catalogue's stock, and the engine's rules reached.

Strengths, epinephrine variants and dose limits in the expectations are read off the drug labels cited in
drugs.toml (Xylocaine: 0.5-2 %, plain and with epinephrine 1:200,000; max 4.5 mg/kg or 300 mg plain,
7 mg/kg or 500 mg with epinephrine), not from the catalogue code.
"""

from __future__ import annotations

from pathlib import Path

from sonocart.cart.session import CartSession
from sonocart.cart.settings import DEMO_PIN
from sonocart.clock import ManualClock
from sonocart_ui.viewmodels.step_form import StepForm
from tests.ui.vm_fixtures import new_session, started, to_prep

#: Look-alike local anaesthetics in tall-man letters (ISMP; docs/clinical/catalogue.md), written out here.
FEMORAL_DRUGS = [
    "Lidocaine",
    "BUPIVAcaine",
    "levoBUPIVAcaine",
    "ROPIVAcaine",
    "dexAMETHasone sodium phosphate",
    "Methylprednisolone acetate",
    "Triamcinolone acetonide",
]


def _labels(form: StepForm, prefix: str) -> list[str]:
    return [a.label for a in form.view().actions if a.key.startswith(prefix)]


PLAUSIBLE = {"hr_before": "72", "sbp_before": "134", "spo2_before": "98"}


def _walk_to(form: StepForm, target: str, allergies: tuple[str, ...] = ()) -> None:
    """Answer every step as the buttons would (the usual safe answer) until ``target`` is shown."""
    for _ in range(40):
        view = form.view()
        if view.step_id == target:
            return
        keys = [a.key for a in view.actions]
        if view.kind == "allergies":
            for allergy in allergies:
                assert form.press(f"allergy:{allergy}")
            press = ["done"]
        elif view.kind in ("number", "outcome"):
            typed = PLAUSIBLE.get(view.step_id, "0")  # vitals have a floor: 0 beats/min is refused
            press = ([] if view.entry else [f"digit:{d}" for d in typed]) + ["ok"]
        elif view.kind == "choice":
            press = [keys[0]]
        else:
            press = [next(k for k in keys if k in ("done", "confirm", "yes") or k.startswith("side:"))]
        for key in press:
            assert form.press(key), (view.step_id, key, form.session.feedback)
    raise AssertionError(f"never reached {target}")


def _caudal(tmp_path: Path, clock: ManualClock | None = None) -> tuple[CartSession, StepForm]:
    session = new_session(tmp_path, clock)
    session.start("caudal_epidural", {"name": "DOE^JANE", "id": "MRN1"}, 70.0, "dr_ana")
    return session, StepForm(session)


def _draw(form: StepForm, drug: str, strength: str, epinephrine: bool = False) -> None:
    assert form.press(f"med:{drug}")
    if epinephrine:
        assert form.press("epi:yes")
    assert form.press(f"strength:{strength}"), _labels(form, "strength:")
    assert form.press("add")


def test_the_step_offers_the_stocked_drugs_strengths_and_epinephrine_variants_with_human_labels(
    tmp_path: Path,
) -> None:
    _, form = started(tmp_path)
    _walk_to(form, "medications")
    assert _labels(form, "med:") == FEMORAL_DRUGS  # no contrast for a femoral nerve block
    form.press("med:lidocaine")
    assert _labels(form, "epi:") == ["Plain", "With epinephrine 1:200,000"]
    assert _labels(form, "strength:") == ["0.5 %", "1 %", "1.5 %", "2 %"]
    form.press("epi:yes")
    assert _labels(form, "strength:")[1] == "1 % with epinephrine 1:200,000"
    form.press("med:ropivacaine")  # no presentation with epinephrine: no such button
    assert _labels(form, "epi:") == [] and _labels(form, "strength:") == ["0.2 %", "0.5 %", "0.75 %", "1 %"]
    form.press("med:dexamethasone")
    assert _labels(form, "strength:") == ["4 mg/mL", "10 mg/mL"]
    assert all("_" not in a.label for a in form.view().actions)
    _, caudal = _caudal(tmp_path / "caudal")
    _walk_to(caudal, "medications")
    assert _labels(caudal, "med:")[-1] == "Iohexol"
    caudal.press("med:iohexol")
    assert _labels(caudal, "strength:") == ["180 mg iodine/mL", "240 mg iodine/mL", "300 mg iodine/mL"]


def test_an_unlabelled_syringe_is_refused_on_screen_and_the_picks_are_journaled_once_labelled(
    tmp_path: Path,
) -> None:
    session, form = started(tmp_path)
    _walk_to(form, "medications")
    _draw(form, "lidocaine", "1", epinephrine=True)
    form.press("next_syringe")
    _draw(form, "dexamethasone", "4")
    for _ in range(18):  # 20 mL (the procedure's typical total) down to 2 mL
        form.press("mvol:-")
    form.press("label:B")  # syringe B labelled, A not
    assert not form.press("done")
    assert session.feedback is not None and not session.feedback.ok
    assert "syringe A must be labelled before the time-out" in session.feedback.text
    assert form.view().step_id == "medications" and "NOT labelled" in form.view().detail
    assert session.engine is not None and "medications" not in session.engine.state.answers
    form.press("label:A")
    assert form.press("done"), session.feedback
    assert session.engine.state.answers["medications"] == [
        {
            "id": "A",
            "labelled": True,
            "volume_ml": 20.0,
            "contents": [{"drug": "lidocaine", "percent": 1.0, "epinephrine": True}],
        },
        {
            "id": "B",
            "labelled": True,
            "volume_ml": 2.0,
            "contents": [{"drug": "dexamethasone", "mg_per_ml": 4.0}],
        },
    ]


def test_iodine_allergy_with_a_particulate_steroid_drawn_is_a_hard_stop_cleared_by_dexamethasone(
    tmp_path: Path,
) -> None:
    session = new_session(tmp_path)  # the sacroiliac joint: the caudal epidural offers no particulate steroid
    session.start("sacroiliac_joint_injection", {"name": "DOE^JANE", "id": "MRN1"}, 70.0, "dr_ana")
    form = StepForm(session)
    _walk_to(form, "medications", allergies=("iodinated_contrast",))
    _draw(form, "lidocaine", "1")
    _draw(form, "triamcinolone_acetonide", "40")
    form.press("label:A")
    form.press("done")
    top = session.highest_prompt()
    assert top is not None and top.id == "hard_stop:allergy_conflict"
    assert "triamcinolone_acetonide" in top.text and "dexamethasone" in top.text
    assert form.view().step_id == "medications"  # the step cannot be left
    form.press("empty")
    _draw(form, "lidocaine", "1")
    _draw(form, "dexamethasone", "4")
    form.press("label:A")
    assert form.press("done"), session.feedback
    assert session.engine is not None and not session.engine.state.hard_stops
    assert form.view().step_id == "needle"


def _inject_5ml_aliquots(form: StepForm, clock: ManualClock, count: int) -> None:
    form.press("confirm")  # prep done
    form.press("stop:dr_ana:left")
    form.press("stop:odp_cy:left")
    assert form.view().kind == "injection"
    form.press("vol:+")  # 4 -> 5 mL
    for _ in range(count):
        form.press("aspirate:negative")
        clock.advance(60)  # past the pause between aliquots, well under 10 mL/min
        assert form.press("aliquot"), form.session.feedback


def _lidocaine_session(tmp_path: Path, epinephrine: bool) -> tuple[CartSession, StepForm, ManualClock]:
    clock = ManualClock()
    session = new_session(tmp_path, clock)
    session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 70.0, "dr_ana")
    form = StepForm(session)
    _walk_to(form, "medications")
    _draw(form, "lidocaine", "1.5", epinephrine)
    form.press("label:A")
    assert form.press("done"), session.feedback
    _walk_to(form, "timeout_team")
    for member in ("dr_ana", "rn_ben", "odp_cy"):
        for key in (f"confirm_as:{member}", *(f"digit:{d}" for d in DEMO_PIN), "member_ok"):
            form.press(key)
    return session, form, clock


def test_lidocaine_with_epinephrine_picked_on_screen_gets_the_higher_limit(tmp_path: Path) -> None:
    # 4 x 5 mL of 1.5 % (15 mg/mL) = 300 mg in 70 kg: plain max min(4.5 x 70, 300) = 300 mg -> 100 %;
    # with epinephrine max min(7 x 70, 500) = 490 mg -> 61 %.
    plain, plain_form, plain_clock = _lidocaine_session(tmp_path / "plain", epinephrine=False)
    _inject_5ml_aliquots(plain_form, plain_clock, 4)
    assert plain.engine is not None and abs(plain.engine.state.dose_fraction - 300 / 300) < 1e-3
    plain_form.press("aspirate:negative")  # another aliquot would pass the maximum: a hard stop
    assert "dose_above_limit" in plain.engine.state.hard_stops
    # Given past the stop anyway: recorded as given (never refused), over the limit and flagged.
    plain_clock.advance(30)
    assert plain_form.press("aliquot")
    given = plain.engine.state.aliquots[-1]
    assert given.over_limit and "past the dose hard stop" in given.flags

    epi, epi_form, epi_clock = _lidocaine_session(tmp_path / "epi", epinephrine=True)
    _inject_5ml_aliquots(epi_form, epi_clock, 5)
    assert epi.engine is not None and abs(epi.engine.state.dose_fraction - 375 / 490) < 1e-3
    assert not epi.engine.state.hard_stops


def test_the_sterile_phases_come_from_the_catalogue(tmp_path: Path) -> None:
    session, form = started(tmp_path)
    assert not session.sterile()  # sign-in
    to_prep(form)
    assert session.phase() == "prep_stop_block" and session.sterile()
