"""A cart session on the real catalogue, journal and a manual clock: view-models tested without a window."""

from __future__ import annotations

from pathlib import Path

from sonocart.cart.session import CartSession
from sonocart.cart.settings import DEMO_PIN, UiSettings
from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import load_catalogue
from sonocart_ui.viewmodels.step_form import StepForm
from tests.conftest import demo_team

SIGN_IN_TO_PREP = [
    ("team", "done"),
    ("patient_identifiers", "confirm"),
    ("consent_valid", "yes"),
    ("consent_side", "side:left"),
    ("weight_kg", "ok"),
    ("allergies", "done"),
    ("antithrombotics", "done"),
    ("anticoagulant_last_dose_h", "digit:0"),
    ("anticoagulant_last_dose_h", "ok"),
    ("pregnancy", "opt:not_applicable"),
    ("fasting", "opt:not_required"),
    ("diabetes_glucose", "digit:0"),
    ("diabetes_glucose", "ok"),
    ("no_infection_at_site", "yes"),
    ("prior_reactions", "yes"),
    ("sedation_driver", "opt:no_sedation"),
    ("hr_before", "digit:7"),
    ("hr_before", "digit:2"),
    ("hr_before", "ok"),
    ("sbp_before", "digit:1"),
    ("sbp_before", "digit:3"),
    ("sbp_before", "digit:4"),
    ("sbp_before", "ok"),
    ("spo2_before", "digit:9"),
    ("spo2_before", "digit:8"),
    ("spo2_before", "ok"),
    ("monitoring_iv", "yes"),
    ("lipid_resus_kit", "yes"),
    ("baseline_pain", "digit:7"),
    ("baseline_pain", "ok"),
    ("baseline_function", "digit:9"),
    ("baseline_function", "ok"),
    ("indication", "opt:pain_relief"),
    ("site_marked", "confirm"),
    ("medications", "med:ropivacaine"),
    ("medications", "strength:0.5"),
    ("medications", "add"),
    ("medications", "label:A"),
    ("medications", "done"),
    ("needle", "opt:22g_80mm"),
    ("approach", "opt:in_plane"),
    ("timeout_side", "side:left"),
    ("timeout_items", "confirm"),
    *[
        ("timeout_team", key)
        for member in ("dr_ana", "rn_ben", "odp_cy")  # each with their own PIN (the demo team's)
        for key in (f"confirm_as:{member}", *(f"digit:{d}" for d in DEMO_PIN), "member_ok")
    ],
]


def new_session(tmp_path: Path, clock: ManualClock | None = None) -> CartSession:
    settings = UiSettings(operators=demo_team())
    return CartSession(
        load_catalogue(), tmp_path / "records", clock or ManualClock(), settings, tmp_path / "s.json"
    )


def started(tmp_path: Path, clock: ManualClock | None = None) -> tuple[CartSession, StepForm]:
    session = new_session(tmp_path, clock)
    session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
    return session, StepForm(session)


def to_prep(form: StepForm) -> None:
    """Press through sign-in and time-out exactly as the buttons would."""
    for step, key in SIGN_IN_TO_PREP:
        assert form.view().step_id == step, (form.view().step_id, step, form.session.feedback)
        assert form.press(key), form.session.feedback
