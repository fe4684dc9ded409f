"""Sending from the Summary screen's view-model to a real Orthanc (the records tests' fixture): queued with
the operator, flushed from a worker thread, kept queued while the PACS is down and sent once it is up."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from pydicom import dcmread

from sonocart.cart.pacs import counts, flush_record, queue_exports, result_message, target_of
from sonocart.cart.session import CartSession
from sonocart.clock import ManualClock
from sonocart.records.pacs_queue import FlushResult, PacsTarget
from tests.records.conftest import orthanc_factory, orthanc_ports  # noqa: F401  (fixtures reused)
from tests.ui.vm_fixtures import started


def _flush_in_worker(session: CartSession, target: PacsTarget) -> FlushResult:
    """As the screen does: flush on another thread than the one holding the record's journal."""
    record = session.record
    assert record is not None
    out: list[FlushResult] = []
    worker = threading.Thread(target=lambda: out.append(flush_record(record.path, target, session.clock)))
    worker.start()
    worker.join(60)
    assert out, "the worker did not finish"
    return out[0]


@pytest.mark.timeout(90)
def test_exports_stay_queued_while_the_pacs_is_down_and_are_sent_once_when_it_is_up(
    tmp_path: Path,
    orthanc_factory: Any,  # noqa: F811
    orthanc_ports: tuple[int, int],  # noqa: F811
) -> None:
    session, form = started(tmp_path, ManualClock(wall=1_800_000_000.0))
    dest = session.settings.pacs
    dest.host, dest.port, dest.called_aet = "127.0.0.1", orthanc_ports[0], "ORTHANC"
    target = target_of(dest, timeout_s=2)
    record = session.record
    assert record is not None

    queued = queue_exports(session)
    assert queued >= 1 and counts(session) == (0, queued)
    assert queue_exports(session) == 0  # pressing Send again does not queue the same files twice
    assert {e.operator for e in record.journal.events() if e.type == "pacs_queued"} == {"dr_ana"}

    down = _flush_in_worker(session, target)
    assert down.unreachable and not down.sent
    text, ok = result_message(down, counts(session)[1])
    assert (text, ok) == (f"PACS down: {queued} stay queued, nothing lost", False)
    assert counts(session) == (0, queued)

    pacs = orthanc_factory()
    up = _flush_in_worker(session, target)
    assert len(up.sent) == queued and not up.failed
    assert counts(session) == (queued, 0)
    assert result_message(up, 0) == (f"PACS: sent {queued}, 0 pending", True)
    files = [Path(str(e.payload["file"])) for e in record.journal.events() if e.type == "pacs_queued"]
    assert pacs.sop_instance_uids() == {str(dcmread(p).SOPInstanceUID) for p in files}

    # The engine keeps journaling on the same chain after the worker's appends.
    assert form.press("done"), session.feedback
    assert record.journal.verify() == max(e.seq for e in record.journal.events())
