"""After a restart the newest unfinished record is resumed; a finished or unreadable one is not."""

from __future__ import annotations

from pathlib import Path

from sonocart.cart.restart import open_record
from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import load_catalogue
from sonocart.records.record import ProcedureRecord


def test_the_open_record_is_found_and_a_damaged_one_is_left_alone(tmp_path: Path) -> None:
    cat, clock = load_catalogue(), ManualClock()
    assert open_record(tmp_path / "none", cat, clock) is None
    older = ProcedureRecord.create(tmp_path, cat, clock, "femoral_nerve_block", {"name": "A"}, "dr_ana")
    older.close()
    clock.advance(60)
    newer = ProcedureRecord.create(tmp_path, cat, clock, "femoral_nerve_block", {"name": "B"}, "dr_ana")
    newer.close()
    assert open_record(tmp_path, cat, clock) == newer.path
    (newer.path / "journal.sqlite").write_bytes(b"not a database")
    assert open_record(tmp_path, cat, clock) is None
