"""Patient, study, series and equipment attributes shared by every DICOM object of one record.

UIDs are derived from the record id (and a de-identification marker), so exporting again gives the same
objects, a PACS stores them once, and a de-identified copy never shares a UID with the original.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, ExplicitVRLittleEndian, generate_uid

from sonocart.journal.private_fs import private_dir
from sonocart.records.report import pseudonym

MANUFACTURER = "Sonocart"
SOFTWARE = "sonocart 0.1"


@dataclass(frozen=True)
class StudyContext:
    record_id: str
    patient: dict[str, Any]
    opened_wall: float
    procedure_name: str
    side: str | None
    deidentify: bool
    #: "side changed from LEFT — overridden by ..." when the side is not the consent's ("" otherwise).
    side_change: str = ""

    def uid(self, *parts: object) -> UID:
        marker = "deid" if self.deidentify else "ident"
        return generate_uid(entropy_srcs=[self.record_id, marker, *map(str, parts)])

    @property
    def when(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.opened_wall, tz=dt.UTC)


def _date(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits if len(digits) == 8 else ""


def base_dataset(ctx: StudyContext, sop_class: UID, sop_instance: UID, modality: str, series: int) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_instance
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop_instance
    when = ctx.when
    ds.InstanceCreationDate = when.strftime("%Y%m%d")
    ds.InstanceCreationTime = when.strftime("%H%M%S")
    # Patient
    if ctx.deidentify:
        alias = pseudonym(ctx.record_id, ctx.patient)
        ds.PatientName = alias.replace("-", "^", 1)  # family^given form; the alias itself is the ID
        ds.PatientID = alias
        ds.PatientBirthDate = ""
        ds.PatientSex = ""
        ds.PatientIdentityRemoved = "YES"
        ds.DeidentificationMethod = "sonocart: pseudonym; dates, free text and staff names removed"
    else:
        ds.PatientName = str(ctx.patient.get("name", ""))
        ds.PatientID = str(ctx.patient.get("id", ""))
        ds.PatientBirthDate = _date(str(ctx.patient.get("birth_date", "")))
        sex = str(ctx.patient.get("sex", "")).upper()
        ds.PatientSex = sex if sex in ("M", "F", "O") else ""
    # General Study
    ds.StudyInstanceUID = ctx.uid("study")
    ds.StudyDate = "" if ctx.deidentify else when.strftime("%Y%m%d")
    ds.StudyTime = "" if ctx.deidentify else when.strftime("%H%M%S")
    ds.ReferringPhysicianName = ""
    ds.StudyID = ctx.record_id[-6:]
    ds.AccessionNumber = ""
    ds.StudyDescription = ctx.procedure_name
    # General Series
    ds.Modality = modality
    ds.SeriesInstanceUID = ctx.uid("series", series)
    ds.SeriesNumber = series
    # General Equipment
    ds.Manufacturer = MANUFACTURER
    ds.SoftwareVersions = SOFTWARE
    return ds


def save(ds: Dataset, path: Path) -> Path:
    """Write owner-only; DICOM files carry identifiers."""
    import os

    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        ds.save_as(fh, enforce_file_format=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path
