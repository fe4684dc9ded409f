"""PACS send queue in the journal, against a real Orthanc: nothing lost while it is down, all sent later."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydicom import dcmread

from sonocart.clock import ManualClock
from sonocart.journal.store import Journal
from sonocart.records.export import export_record
from sonocart.records.pacs_queue import PacsTarget, enqueue, flush, pending
from sonocart.records.record import ProcedureRecord


@pytest.mark.timeout(90)
def test_objects_queued_while_pacs_is_down_are_all_stored_when_it_returns(
    finished_record: ProcedureRecord, tmp_path: Path, orthanc_factory: Any, orthanc_ports: tuple[int, int]
) -> None:
    clock = ManualClock(wall=1_800_010_000.0)
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    target = PacsTarget("127.0.0.1", orthanc_ports[0], "ORTHANC", timeout_s=2)
    enqueue(finished_record.journal, out.dicom, "dr_ana", clock)

    down = flush(finished_record.journal, target, clock)
    assert down.unreachable and not down.sent
    assert len(pending(finished_record.journal)) == 3

    # The cart restarts before the PACS comes back: the queue is in the journal, not in memory.
    path = finished_record.path
    finished_record.close()
    with Journal(path / "journal.sqlite") as journal:
        assert len(pending(journal)) == 3
        pacs = orthanc_factory()
        up = flush(journal, target, clock)
        assert len(up.sent) == 3 and not up.failed
        assert pending(journal) == []
        assert flush(journal, target, clock).sent == []  # nothing is sent twice
        journal.verify()
    uids = {str(dcmread(p).SOPInstanceUID) for p in out.dicom}
    assert pacs.sop_instance_uids() == uids


@pytest.mark.timeout(60)
def test_wrong_called_ae_title_keeps_objects_queued(
    finished_record: ProcedureRecord, tmp_path: Path, orthanc_factory: Any, orthanc_ports: tuple[int, int]
) -> None:
    clock = ManualClock(wall=1_800_010_000.0)
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    enqueue(finished_record.journal, out.dicom[:1], "dr_ana", clock)
    orthanc_factory()
    result = flush(
        finished_record.journal, PacsTarget("127.0.0.1", orthanc_ports[0], "NOT_ORTHANC", timeout_s=2), clock
    )
    assert result.unreachable and len(pending(finished_record.journal)) == 1
    ok = flush(
        finished_record.journal, PacsTarget("127.0.0.1", orthanc_ports[0], "ORTHANC", timeout_s=2), clock
    )
    assert len(ok.sent) == 1


@pytest.mark.timeout(60)
def test_a_file_changed_after_queueing_is_not_sent_and_stays_queued(
    finished_record: ProcedureRecord, tmp_path: Path, orthanc_factory: Any, orthanc_ports: tuple[int, int]
) -> None:
    clock = ManualClock(wall=1_800_010_000.0)
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    enqueue(finished_record.journal, out.dicom[:2], "dr_ana", clock)
    out.dicom[0].write_bytes(out.dicom[0].read_bytes() + b"\0\0")
    pacs = orthanc_factory()
    result = flush(
        finished_record.journal, PacsTarget("127.0.0.1", orthanc_ports[0], "ORTHANC", timeout_s=2), clock
    )
    bad = str(dcmread(out.dicom[0]).SOPInstanceUID)
    assert "changed since it was queued" in result.failed[bad]
    assert len(result.sent) == 1
    assert [p["sop_instance_uid"] for p in pending(finished_record.journal)] == [bad]
    assert bad not in pacs.sop_instance_uids()
