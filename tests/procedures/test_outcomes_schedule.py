"""Outcomes: baseline pain and function, % relief after diagnostic blocks, follow-up at 1/4/12 weeks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from procedure_drivers import advance_to

from sonocart.clock import ManualClock
from sonocart.procedures.inputs import RecordOutcome
from sonocart.procedures.outcomes import follow_up_dates, percent_relief
from sonocart.records.record import ProcedureRecord

NewRecord = Callable[..., ProcedureRecord]


def test_percent_relief_against_baseline() -> None:
    assert percent_relief(8, 2) == 75.0
    assert percent_relief(0, 0) is None
    with pytest.raises(ValueError, match="outside 0-10"):
        percent_relief(11, 2)


def test_follow_up_at_1_4_and_12_weeks() -> None:
    assert follow_up_dates(dt.date(2027, 1, 1), [1, 4, 12]) == [
        dt.date(2027, 1, 8),
        dt.date(2027, 1, 29),
        dt.date(2027, 3, 26),
    ]


def test_diagnostic_block_prompts_for_pain_at_each_set_time(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record("sacroiliac_joint_injection")
    advance_to(rec, clock, "procedure_recorded")
    assert rec.engine.state.procedure.diagnostic
    clock.advance(15 * 60)
    rec.engine.tick()
    assert "timer:post_pain_15" in rec.engine.state.prompts
    rec.engine.submit(RecordOutcome("pain_nrs_post", 1, "rn_ben", minutes_after=15))
    assert "timer:post_pain_15" not in rec.engine.state.prompts
    baseline = next(o for o in rec.engine.state.outcomes if o["measure"] == "pain_nrs")["value"]
    post = rec.engine.state.outcomes[-1]["value"]
    assert percent_relief(baseline, post) == pytest.approx(83.3, abs=0.1)


def test_baseline_function_records_the_chosen_test(new_record: NewRecord, clock: ManualClock) -> None:
    rec = new_record()
    advance_to(
        rec, clock, "site_marked", baseline_function={"test": "own_goal", "value": 3, "goal": "walk dog"}
    )
    fn = next(o for o in rec.engine.state.outcomes if o["measure"] == "function")
    assert fn["value"] == {"test": "own_goal", "value": 3.0, "goal": "walk dog"}


def test_follow_up_step_books_three_dates(new_record: NewRecord, clock: ManualClock) -> None:
    rec = new_record("knee_joint_injection")
    advance_to(rec, clock, "follow_up")
    from sonocart.procedures.inputs import Confirm

    rec.engine.submit(Confirm("follow_up", "rn_ben"))
    day = dt.datetime.fromtimestamp(clock.wall(), tz=dt.UTC).date()
    assert rec.engine.state.follow_up == [d.isoformat() for d in follow_up_dates(day, [1, 4, 12])]
    assert rec.engine.state.completed
