"""The PACS queue journals exactly what was sent, per attempt: the SOP Instance UID, the file bytes read for
that attempt, and the SHA-256 of the dataset bytes that left in the P-DATA PDUs — checked against the copy
a real Orthanc stored."""

from __future__ import annotations

import hashlib
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from pydicom import dcmread
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_preamble

from sonocart.clock import ManualClock
from sonocart.records.export import export_record
from sonocart.records.pacs_queue import PacsTarget, enqueue, flush
from sonocart.records.record import ProcedureRecord


def stored_dataset_sha256(http_port: int, sop_uid: str) -> str:
    """SHA-256 of the dataset bytes of Orthanc's stored file: everything after the file meta group."""
    with urllib.request.urlopen(
        f"http://127.0.0.1:{http_port}/tools/lookup", data=sop_uid.encode(), timeout=5
    ) as resp:
        found = json.loads(resp.read())
    (instance,) = [f["ID"] for f in found if f["Type"] == "Instance"]
    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/instances/{instance}/file", timeout=5) as r:
        data = r.read()
    # Independent of the code under test: parse the meta group's length from the bytes (PS3.10 7.1).
    fp = DicomBytesIO(data)
    read_preamble(fp, False)
    assert data[132:140] == b"\x02\x00\x00\x00UL\x04\x00"  # (0002,0000) File Meta Information Group Length
    group_length = int.from_bytes(data[140:144], "little")
    return hashlib.sha256(data[144 + group_length :]).hexdigest()


def pacs_events(record: ProcedureRecord) -> list[tuple[str, dict[str, Any]]]:
    return [(e.type, dict(e.payload)) for e in record.journal.events() if e.type.startswith("pacs_")]


@pytest.mark.timeout(90)
def test_each_attempt_journals_the_uid_and_the_hash_of_the_bytes_the_pacs_received(
    finished_record: ProcedureRecord, tmp_path: Path, orthanc_factory: Any, orthanc_ports: tuple[int, int]
) -> None:
    clock = ManualClock(wall=1_800_010_000.0)
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    enqueue(finished_record.journal, out.dicom, "dr_ana", clock)
    target = PacsTarget("127.0.0.1", orthanc_ports[0], "ORTHANC", timeout_s=2)
    flush(finished_record.journal, target, clock)  # down: no attempt, nothing sent
    assert [t for t, _ in pacs_events(finished_record)][-1] == "pacs_unreachable"

    orthanc_factory()
    result = flush(finished_record.journal, target, clock)
    assert len(result.sent) == 3
    events = pacs_events(finished_record)
    attempts = [p for t, p in events if t == "pacs_send_attempt"]
    sent = [p for t, p in events if t == "pacs_sent"]
    assert len(attempts) == len(sent) == 3
    for path, attempt, done in zip(out.dicom, attempts, sent, strict=True):
        uid = str(dcmread(path).SOPInstanceUID)
        assert attempt == {
            "sop_instance_uid": uid,
            "attempt": 1,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "called_aet": "ORTHANC",
        }
        assert done["sop_instance_uid"] == uid and done["attempt"] == 1
        assert done["sent_bytes"] > 0 and done["transfer_syntax"]
        # the oracle: what the PACS itself stored, read back over its REST API
        assert done["sent_sha256"] == stored_dataset_sha256(orthanc_ports[1], uid), path.name
    finished_record.journal.verify()


@pytest.mark.timeout(90)
def test_a_refused_attempt_is_journaled_with_what_was_sent_and_the_retry_counts_on(
    finished_record: ProcedureRecord, tmp_path: Path, orthanc_factory: Any, orthanc_ports: tuple[int, int]
) -> None:
    clock = ManualClock(wall=1_800_010_000.0)
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    enqueue(finished_record.journal, out.dicom[:1], "dr_ana", clock)
    original = out.dicom[0].read_bytes()
    out.dicom[0].write_bytes(original + b"\0\0")  # changed after queueing: not sent
    orthanc_factory()
    target = PacsTarget("127.0.0.1", orthanc_ports[0], "ORTHANC", timeout_s=2)
    assert flush(finished_record.journal, target, clock).failed
    failed = [p for t, p in pacs_events(finished_record) if t == "pacs_send_failed"]
    assert failed[-1]["attempt"] == 1 and failed[-1]["sent_sha256"] == "" and failed[-1]["sent_bytes"] == 0
    assert "changed since it was queued" in failed[-1]["reason"]

    out.dicom[0].write_bytes(original)
    assert len(flush(finished_record.journal, target, clock).sent) == 1
    done = [p for t, p in pacs_events(finished_record) if t == "pacs_sent"]
    assert done[-1]["attempt"] == 2
