"""Every input the engine de-duplicates is on the record as such, never dropped silently."""

from __future__ import annotations

from collections.abc import Callable

from sonocart.clock import ManualClock
from sonocart.devices.pedal_events import PedalEvent
from sonocart.procedures.inputs import Aspirate, LogAliquot
from sonocart.records.record import ProcedureRecord
from tests.procedures.procedure_drivers import advance_to

NewRecord = Callable[..., ProcedureRecord]


def test_a_redelivered_aliquot_press_is_journaled_as_a_duplicate_and_not_acted_on(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    advance_to(rec, clock, "inject")
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    clock.advance(20)
    first = rec.engine.submit(LogAliquot(3, "dr_ana", via="pedal", press_id="p-17"))
    assert rec.engine.submit(LogAliquot(3, "dr_ana", via="pedal", press_id="p-17")) == []
    assert rec.engine.submit(LogAliquot(3, "dr_ana", via="pedal", press_id="p-17")) == []
    dups = [e for e in rec.journal.events() if e.type == "input_duplicate"]
    acted = [e for e in first if e.payload.get("press_id") == "p-17"]
    assert len(rec.engine.state.aliquots) == 1
    assert [d.payload for d in dups] == [
        {"input": "LogAliquot", "press_id": "p-17", "first_seq": acted[0].seq}
    ] * 2
    rec.journal.verify()


def test_press_ids_of_presses_a_sequence_wrap_apart_differ() -> None:
    a = PedalEvent("A", "tap", board_ts=1_000, seq=42, boot_id=0xB007)
    b = PedalEvent("A", "tap", board_ts=1_000 + 16_384_250, seq=42, boot_id=0xB007)  # 65 536 frames later
    assert a.press_id != b.press_id
    assert a.press_id == "0000b007:000003e8:42"
