"""The engine tries events on a fork of its state, not a deep copy: the fork never leaks into the state."""

from __future__ import annotations

import copy
from collections.abc import Callable

from sonocart.clock import ManualClock
from sonocart.journal.store import Event
from sonocart.records.record import ProcedureRecord
from tests.procedures.procedure_drivers import example_steps, play

NewRecord = Callable[..., ProcedureRecord]

TRIALS = [
    *[("confirmed", {"step": s, "side": "left"}) for s in ("stop_before_block", "timeout_team")],
    *[("confirmed", {"step": s, "side": None}) for s in ("site_marked", "patient_identifiers", "discharge")],
    ("stop_restated", {"step": "stop_before_block", "side": "right"}),
    ("note", {"text": "trial"}),
    ("answered", {"step": "weight_kg", "value": 70.0}),
    ("hard_stop", {"rule": "r", "step": "consent", "message": "m"}),
    ("timer_started", {"name": "t", "duration_s": 5.0, "started_wall": 1.0}),
    ("step_completed", {}),
]


def test_applying_trial_events_to_a_fork_leaves_the_state_as_a_deep_copy_saw_it(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    for i, step in enumerate(example_steps()):
        play(rec, clock, [step])
        state = rec.engine.state
        before = copy.deepcopy(state)  # the oracle: what the old code protected with a deep copy
        twin = state.fork()
        for n, (type_, payload) in enumerate(TRIALS):
            twin.apply(Event(state.last_seq + n + 1, 0.0, "trial_op", type_, payload, ""))
        assert state == before, f"a trial on the fork changed the state after script entry {i}"
