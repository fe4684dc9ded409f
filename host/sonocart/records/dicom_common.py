"""Patient, study, series and equipment attributes shared by every DICOM object of one record.

Identified UIDs are derived from the record id, so exporting again gives the same objects and a PACS stores
them once. A de-identified export derives its UIDs from its own random salt (:class:`Aliases`): fresh for
every export, shared by its objects (one study, one series), never computable from the record.

An identified object carries the signed journal head it was made from in the SOP Common module's
Contributing Equipment Sequence (this cart as processing equipment, the head as the Contribution
Description, ST): the one standard free-text slot every IOD has, so the Encapsulated PDF carries it too and
``dciodvfy`` accepts it without a warning (a private attribute is "unrecognized"; a DICOM Digital
Signature, PS3.15, needs an X.509 certificate and an RSA/ECDSA profile the cart does not have).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, ExplicitVRLittleEndian, generate_uid

from sonocart.journal.private_fs import private_dir
from sonocart.records.report import Aliases
from sonocart.validation import dicom as dicom_values

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
    journal_head: str = ""  # "count:hash:hmac" of the signed journal head at export (identified only)
    report_version: str = ""  # the journal's last hash: a changed report is a new SOP Instance
    aliases: Aliases | None = None  # a de-identified export's random names (required when de-identified)

    def alias(self) -> Aliases:
        if self.aliases is None:
            raise ValueError("a de-identified export needs its aliases")
        return self.aliases

    def uid(self, *parts: object) -> UID:
        if self.deidentify:
            return generate_uid(entropy_srcs=[self.alias().uid_salt, *map(str, parts)])
        return generate_uid(entropy_srcs=[self.record_id, "ident", *map(str, parts)])

    def head_line(self) -> str:
        """The signed journal head as an Image Comments line ("" when de-identified or absent)."""
        return (
            f"sonocart journal head {self.journal_head}" if self.journal_head and not self.deidentify else ""
        )

    @property
    def when(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.opened_wall, tz=dt.UTC)


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
    if not ctx.deidentify:  # no dates in a de-identified object beyond the offsets of its report
        ds.InstanceCreationDate = when.strftime("%Y%m%d")
        ds.InstanceCreationTime = when.strftime("%H%M%S")
    ds.TimezoneOffsetFromUTC = "+0000"  # every date and time here is UTC (SOP Common, PS3.3 C.12.1)
    # Patient
    if ctx.deidentify:
        alias = ctx.alias().patient
        ds.PatientName = alias.replace("-", "^", 1)  # family^given form; the alias itself is the ID
        ds.PatientID = alias
        ds.PatientBirthDate = ""
        ds.PatientSex = ""
        ds.PatientIdentityRemoved = "YES"
        ds.DeidentificationMethod = "sonocart: pseudonym; dates, free text and staff names removed"
    else:
        # Checked against their value representations; a value a PACS would misread refuses the export.
        ds.PatientName = dicom_values.person_name("patient name", ctx.patient.get("name", ""))
        ds.PatientID = dicom_values.long_string("patient id", ctx.patient.get("id", ""))
        birth = str(ctx.patient.get("birth_date", "")).replace("-", "")
        ds.PatientBirthDate = dicom_values.date("birth date", birth, when.date())
        sex = str(ctx.patient.get("sex", "")).upper()
        ds.PatientSex = sex if sex in ("M", "F", "O") else ""
    # General Study
    ds.StudyInstanceUID = ctx.uid("study")
    ds.StudyDate = "" if ctx.deidentify else when.strftime("%Y%m%d")
    ds.StudyTime = "" if ctx.deidentify else when.strftime("%H%M%S")
    ds.ReferringPhysicianName = ""
    ds.StudyID = ctx.alias().record if ctx.deidentify else ctx.record_id[-6:]  # SH: 16 characters
    ds.AccessionNumber = ""
    ds.StudyDescription = ctx.procedure_name
    # General Series
    ds.Modality = modality
    ds.SeriesInstanceUID = ctx.uid("series", series)
    ds.SeriesNumber = series
    # General Equipment
    ds.Manufacturer = MANUFACTURER
    ds.SoftwareVersions = SOFTWARE
    if head := ctx.head_line():
        ds.ContributingEquipmentSequence = Sequence([_contribution(head)])
    return ds


def _contribution(head: str) -> Dataset:
    """This cart as processing equipment (DCM 109102), the signed head it exported from as the description."""
    purpose = Dataset()
    purpose.CodeValue = "109102"
    purpose.CodingSchemeDesignator = "DCM"
    purpose.CodeMeaning = "Processing Equipment"
    item = Dataset()
    item.PurposeOfReferenceCodeSequence = Sequence([purpose])
    item.Manufacturer = MANUFACTURER
    item.SoftwareVersions = SOFTWARE
    item.ContributionDescription = head  # ST, at most 1024 characters: the line is ~160
    return item


def save(ds: Dataset, path: Path) -> Path:
    """Write owner-only; DICOM files carry identifiers."""
    import os

    if not path.parent.is_dir():  # an existing folder keeps its mode (``export --out`` may be shared)
        private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        ds.save_as(fh, enforce_file_format=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path
