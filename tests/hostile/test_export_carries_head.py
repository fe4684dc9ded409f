"""Every identified export and DICOM image carries the journal's signed head; de-identified ones do not."""

from __future__ import annotations

import hmac
import json
from hashlib import sha256
from pathlib import Path

import pydicom

from sonocart.journal.keys import cart_key
from sonocart.records.export import export_record
from sonocart.records.record import ProcedureRecord
from tests.records.conftest import finished_record

__all__ = ["finished_record"]


def test_each_exported_object_names_the_signed_head_it_was_made_from(
    finished_record: ProcedureRecord, tmp_path: Path
) -> None:
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    report = json.loads(out.report_json.read_text())
    head = report["journal"]["signed_head"]
    # the oracle: the HMAC computed here with the standard library over the documented message
    expected = hmac.new(cart_key(), f"head:{head['count']}:{head['hash']}".encode(), sha256).hexdigest()
    assert head["sig"] == expected and head["hash"] == report["journal"]["head_hash"]
    images = [p for p in out.dicom if p.name.startswith("us_")]
    assert images
    for path in images:
        ds = pydicom.dcmread(path)
        line = str(ds.ImageComments).split("\r\n")[-1]
        assert line == f"sonocart journal head {head['count']}:{head['hash']}:{head['sig']}"


def test_a_deidentified_export_carries_no_head(finished_record: ProcedureRecord, tmp_path: Path) -> None:
    out = export_record(finished_record, "dr_ana", tmp_path / "deid", deidentify=True)
    assert "signed_head" not in json.loads(out.report_json.read_text())["journal"]
    for path in out.dicom:
        assert "journal head" not in str(pydicom.dcmread(path).get("ImageComments", ""))


def test_export_into_an_existing_folder_leaves_its_mode_and_writes_owner_only_files(
    finished_record: ProcedureRecord, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    out = export_record(finished_record, "dr_ana", shared)
    assert shared.stat().st_mode & 0o777 == 0o755
    for path in (out.report_json, out.report_pdf, *out.dicom):
        assert path.stat().st_mode & 0o777 == 0o600, path
