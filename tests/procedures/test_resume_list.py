"""Records left open are found for resumption (sonocart.cart.resume): not completed, newest first, at the
step their journal reached; a completed one is not offered; a damaged one is listed with its reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from procedure_drivers import advance_to, example_steps, play

from sonocart.cart.resume import open_records
from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import Catalogue
from sonocart.records.record import JOURNAL_NAME, ProcedureRecord

NewRecord = Callable[..., ProcedureRecord]


def test_open_records_are_offered_newest_first_at_their_step_and_completed_ones_are_not(
    new_record: NewRecord, clock: ManualClock, catalogue: Catalogue, tmp_path: Path
) -> None:
    root = tmp_path / "records"
    assert open_records(root, catalogue, clock) == []
    done = new_record()
    play(done, clock, example_steps())
    assert done.engine.state.completed
    clock.advance(60.0)
    older = new_record()
    opened_older = clock.wall()
    clock.advance(60.0)
    newer = new_record()
    opened_newer = clock.wall()
    advance_to(newer, clock, "weight_kg")
    for rec in (done, older, newer):
        rec.close()
    found = open_records(root, catalogue, clock)
    assert [r.path for r in found] == [newer.path, older.path]
    # what the catalogue says of the step the journal reached (sign-in, the weight)
    proc = catalogue.procedure("femoral_nerve_block")
    phase = next(p for p in proc.phases if any(s.id == "weight_kg" for s in p.steps))
    assert found[0].procedure == proc.name and found[0].phase == phase.title
    assert found[0].step == next(s.text for s in phase.steps if s.id == "weight_kg")
    assert (found[0].opened_wall, found[1].opened_wall) == (opened_newer, opened_older)
    assert all(r.error == "" for r in found)
    # listing wrote nothing: each journal still ends where it did
    assert ProcedureRecord.open(newer.path, catalogue, clock).engine.current_step().id == "weight_kg"  # type: ignore[union-attr]


def test_a_damaged_record_is_listed_with_its_reason_not_dropped(
    catalogue: Catalogue, clock: ManualClock, tmp_path: Path
) -> None:
    bad = tmp_path / "20261201T000000Z-bad"
    bad.mkdir()
    (bad / JOURNAL_NAME).write_bytes(b"not a database at all" * 50)
    found = open_records(tmp_path, catalogue, clock)
    assert len(found) == 1 and found[0].path == bad and found[0].error
