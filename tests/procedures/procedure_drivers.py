"""Drivers for procedure tests: play the example script, or walk any procedure with default answers."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sonocart.clock import ManualClock
from sonocart.records.record import ProcedureRecord
from sonocart.scripted.script import Capture, Wait, load_script

EXAMPLE = Path(__file__).resolve().parents[2] / "host/sonocart/procedures/examples/femoral_block.toml"
PATIENT = {"name": "DOE^JANE", "id": "MRN0012345", "birth_date": "19580412", "sex": "F"}


def example_steps() -> list[Any]:
    return load_script(EXAMPLE).steps


def play(record: ProcedureRecord, clock: ManualClock, steps: list[Any]) -> None:
    for step in steps:
        if isinstance(step, Wait):
            clock.advance(step.seconds)
            record.engine.tick()
        elif isinstance(step, Capture):
            image = np.tile(np.arange(step.columns, dtype=np.uint8), (step.rows, 1))
            record.add_capture(image, step.mm_per_px, (step.columns / 2, 0.0), step.operator, step.label)
        else:
            record.engine.submit(step)


def play_until(record: ProcedureRecord, clock: ManualClock, stop: Callable[[Any], bool]) -> list[Any]:
    """Play the example script up to (not including) the first entry for which ``stop`` is true."""
    steps = example_steps()
    for i, step in enumerate(steps):
        if stop(step):
            play(record, clock, steps[:i])
            return steps[i:]
    raise AssertionError("stop condition never met")


def at_step(step_id: str) -> Callable[[Any], bool]:
    return lambda s: getattr(s, "step", None) == step_id


LIDOCAINE_1PC = [{"id": "A", "labelled": True, "contents": [{"drug": "lidocaine", "percent": 1.0}]}]

#: A plausible answer for each answer step that needs one (a 70 kg adult, one syringe of lidocaine 1 %).
DEFAULT_ANSWERS: dict[str, Any] = {
    "team": ["dr_ana", "rn_ben"],
    "weight_kg": 70,
    "diabetes_glucose": 0,
    "baseline_pain": 6,
    "post_pain": 2,
    "baseline_function": {"test": "two_minute_walk_m", "value": 120},
    "allergies": [],
    "antithrombotics": [],
    "medications": LIDOCAINE_1PC,
    "anticoagulant_last_dose_h": 0,
    "hr_before": 72,
    "sbp_before": 134,
    "spo2_before": 98,
    "hr_after": 70,
    "sbp_after": 128,
    "spo2_after": 98,
}


def default_answer(rec: ProcedureRecord, step_id: str, kind: str) -> Any:
    proc = rec.engine.state.procedure
    step = rec.engine.current_step()
    assert step is not None
    if step_id in DEFAULT_ANSWERS:
        return copy.deepcopy(DEFAULT_ANSWERS[step_id])  # a fresh one each time, as before
    if kind == "yesno":
        return True if step.expect is None else step.expect
    if kind == "side":
        return rec.engine.state.answers.get("consent_side", proc.sides[0])
    if kind == "choice":
        return [step.options[0]] if step.multiple else step.options[0]
    raise AssertionError(f"no default for {step_id}")


def confirm_routine(eng: Any, step: Any, aliquot_ml: float, before_aliquot: Callable[[], object]) -> bool:
    """The step answered as every driver answers it, if it is a confirmation, the team's, the two-person STOP
    or the injection (a negative aspiration, ``before_aliquot()``, one aliquot, finished); False otherwise."""
    from sonocart.procedures import inputs as I

    kind = step.kind
    if kind in ("confirm", "discharge", "follow_up"):
        eng.submit(I.Confirm(step.id, "dr_ana"))
    elif kind == "team_confirm":
        for member in eng.state.team():
            eng.submit(I.Confirm(step.id, member))
    elif kind == "two_person_stop":
        side = eng.state.answers["consent_side"]
        eng.submit(I.Confirm(step.id, "dr_ana", side=side))
        eng.submit(I.Confirm(step.id, "rn_ben", side=side))
    elif kind == "injection":
        eng.submit(I.Aspirate("negative", "dr_ana"))
        before_aliquot()
        eng.submit(I.LogAliquot(aliquot_ml, "dr_ana"))
        eng.submit(I.FinishInjection("dr_ana"))
    else:
        return False
    return True


def advance_to(rec: ProcedureRecord, clock: ManualClock, step_id: str, **answers: Any) -> None:
    """Drive any procedure with default answers (or the given ones) until ``step_id`` is current."""
    from sonocart.procedures import inputs as I

    eng = rec.engine
    for _ in range(200):
        step = eng.current_step()
        assert step is not None, f"procedure completed before {step_id}"
        if step.id == step_id:
            return
        kind = step.kind
        if confirm_routine(eng, step, 3, lambda: clock.advance(20)):
            continue
        if kind == "captures":
            rec.add_capture(np.zeros((64, 64), np.uint8), 0.2, (32, 0), "dr_ana")
        elif kind == "observation":
            clock.advance(proc_minutes(rec) * 60)
            eng.tick()
        else:
            value = answers[step.id] if step.id in answers else default_answer(rec, step.id, kind)
            eng.submit(I.Answer(step.id, value, "dr_ana"))
    raise AssertionError(f"never reached {step_id}")


def proc_minutes(rec: ProcedureRecord) -> float:
    return rec.engine.state.procedure.observation_minutes
