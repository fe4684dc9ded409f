"""Exports: report JSON/PDF with timeline, doses and scaled images; DICOM US and Encapsulated PDF valid
under dciodvfy; de-identified copies carry no identifiers; every file is owner-only."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest
from pydicom import dcmread

from sonocart.records.export import export_record
from sonocart.records.record import ProcedureRecord


def dciodvfy(path: Path) -> str:
    done = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    return done.stdout + done.stderr


def test_dicom_objects_are_valid_under_dciodvfy_with_no_errors(
    finished_record: ProcedureRecord, tmp_path: Path
) -> None:
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    assert len(out.dicom) == 3
    for path in out.dicom:
        report = dciodvfy(path)
        assert "Error" not in report, report
        assert "Warning" not in report, report


def test_us_regions_carry_physical_deltas_from_the_calibration(
    finished_record: ProcedureRecord, tmp_path: Path
) -> None:
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    ds = dcmread(out.dicom[0])
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.6.1"
    region = ds.SequenceOfUltrasoundRegions[0]
    assert region.PhysicalUnitsXDirection == 3 and region.PhysicalUnitsYDirection == 3  # cm
    assert region.PhysicalDeltaX == pytest.approx(0.015) and region.PhysicalDeltaY == pytest.approx(0.015)
    assert (region.ReferencePixelX0, region.ReferencePixelY0) == (128, 0)
    assert ds.PatientName == "DOE^JANE" and ds.PatientID == "MRN0012345" and ds.Laterality == "L"
    pixels = finished_record.load_capture(finished_record.engine.state.captures[0])
    assert (ds.pixel_array == pixels).all()


def test_encapsulated_pdf_holds_the_report_pdf(finished_record: ProcedureRecord, tmp_path: Path) -> None:
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    ds = dcmread(out.dicom[-1])
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.104.1" and ds.Modality == "DOC"
    body = bytes(ds.EncapsulatedDocument)[: int(ds.EncapsulatedDocumentLength)]
    assert body == out.report_pdf.read_bytes()
    assert ds.StudyInstanceUID == dcmread(out.dicom[0]).StudyInstanceUID


def test_pdf_report_shows_timeline_doses_and_image_scale(
    finished_record: ProcedureRecord, tmp_path: Path
) -> None:
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out.report_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Ultrasound-guided femoral nerve block" in text
    assert "Ropivacaine 0.5 %, 5 mg/mL: 12 mL given = 60 mg" in text  # 3 x 4 mL of 0.5 % (5 mg/mL)
    assert "0.15 mm per pixel" in text and "10 mm" in text
    assert "Audit appendix" in text and "Aspiration negative" in text
    pages = subprocess.run(
        ["pdftoppm", "-r", "20", "-png", str(out.report_pdf), str(tmp_path / "pg")], check=True
    )
    assert pages.returncode == 0 and len(list(tmp_path.glob("pg*.png"))) >= 2


def test_json_report_has_timeline_answers_overrides_doses_and_captures(
    finished_record: ProcedureRecord, tmp_path: Path
) -> None:
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    report = json.loads(out.report_json.read_text())
    assert report["status"] == "completed"
    assert report["answers"]["consent_side"] == "left"
    assert report["overrides"] == []
    assert [a["volume_ml"] for a in report["dose"]["aliquots"]] == [4, 4, 4]
    assert report["captures"][0]["mm_per_px"] == 0.15
    assert report["timeline"][0]["event"] == "record_opened"
    assert report["journal"]["events"] == len(report["timeline"])


def test_deidentified_export_carries_no_patient_identifiers(
    finished_record: ProcedureRecord, tmp_path: Path
) -> None:
    out = export_record(finished_record, "dr_ana", tmp_path / "deid", deidentify=True)
    blob = out.report_json.read_text()
    pdf_text = subprocess.run(
        ["pdftotext", str(out.report_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "this morning" not in blob and "Femoral nerve, spread" not in blob  # free text people typed
    for identifier in ("DOE", "MRN0012345", "19580412", "2027"):
        assert identifier not in blob and identifier not in pdf_text
    for path in out.dicom:
        ds = dcmread(path)
        assert ds.PatientIdentityRemoved == "YES"
        assert (
            "DOE" not in str(ds.PatientName)
            and ds.PatientID.startswith("ANON-")
            and ds.PatientBirthDate == ""
        )
        assert "Error" not in dciodvfy(path)
    ident = export_record(finished_record, "dr_ana", tmp_path / "ident")
    assert dcmread(ident.dicom[0]).SOPInstanceUID != dcmread(out.dicom[0]).SOPInstanceUID


def test_exports_and_record_files_are_owner_only(finished_record: ProcedureRecord, tmp_path: Path) -> None:
    out = export_record(finished_record, "dr_ana")
    files = [out.report_json, out.report_pdf, *out.dicom, *finished_record.path.glob("captures/*.png")]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (
        out.folder,
        finished_record.path,
        finished_record.path / "captures",
        finished_record.path.parent,
    ):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_export_is_journaled_with_the_operator(finished_record: ProcedureRecord, tmp_path: Path) -> None:
    export_record(finished_record, "rn_ben", tmp_path / "out", deidentify=True)
    last = list(finished_record.journal.events())[-1]
    assert (last.type, last.operator, last.payload["deidentified"]) == ("export_written", "rn_ben", True)
    assert finished_record.journal.verify() == last.seq
