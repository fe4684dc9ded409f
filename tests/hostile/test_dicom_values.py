"""DICOM: a changed report is a new SOP Instance in the same series; times say they are UTC; patient
values a PACS would misread refuse the export in one line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydicom import dcmread

from sonocart.procedures.inputs import Note
from sonocart.records.export import export_record
from sonocart.records.record import ProcedureRecord
from sonocart.validation import dicom as dv
from sonocart.validation.values import Refused
from tests.records.conftest import finished_record

__all__ = ["finished_record"]


def report_dcm(paths: list[Path]) -> Path:
    return next(p for p in paths if p.name == "report.dcm")


def test_a_changed_report_is_a_new_instance_in_the_same_series(
    finished_record: ProcedureRecord, tmp_path: Path
) -> None:
    first = dcmread(report_dcm(export_record(finished_record, "dr_ana", tmp_path / "a").dicom))
    again = dcmread(report_dcm(export_record(finished_record, "dr_ana", tmp_path / "b").dicom))
    finished_record.engine.submit(Note("late addendum", "dr_ana"))
    changed = dcmread(report_dcm(export_record(finished_record, "dr_ana", tmp_path / "c").dicom))
    assert changed.SOPInstanceUID != first.SOPInstanceUID
    assert changed.SeriesInstanceUID == first.SeriesInstanceUID
    assert changed.StudyInstanceUID == first.StudyInstanceUID
    # an export journals itself, so even "again" follows a new event: still a new instance, same series
    assert again.SeriesInstanceUID == first.SeriesInstanceUID
    assert changed.TimezoneOffsetFromUTC == "+0000"


@pytest.mark.parametrize(
    ("fn", "value", "why"),
    [
        (dv.date, "19580230", "not a calendar date"),
        (dv.date, "29990101", "outside"),
        (dv.date, "18000101", "outside"),
        (dv.person_name, "DOE\\JANE", "backslash"),
        (dv.person_name, "A^B^C^D^E^F", "more than 5"),
        (dv.person_name, "DOE\x00JANE", "control"),
        (dv.person_name, "\u202eENAJ^EOD", "control or formatting"),
        (dv.person_name, "X" * 1_000_000, "characters long"),
        (dv.long_string, "MRN" * 30, "characters long"),
    ],
)
def test_values_a_pacs_would_misread_are_refused(fn: object, value: str, why: str) -> None:
    with pytest.raises(Refused, match=why):
        if fn is dv.date:
            dv.date("birth date", value, dt.date(2026, 12, 1))
        else:
            fn("field", value)  # type: ignore[operator]


def test_good_values_pass_unchanged() -> None:
    assert dv.date("d", "19580412", dt.date(2026, 12, 1)) == "19580412"
    assert dv.person_name("n", "DOE^JANE") == "DOE^JANE"
