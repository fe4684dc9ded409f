"""The procedure report as DICOM Encapsulated PDF, so the PACS holds the record beside the images."""

from __future__ import annotations

from pydicom.dataset import Dataset
from pydicom.uid import EncapsulatedPDFStorage

from sonocart.records.dicom_common import StudyContext, base_dataset

DOC_SERIES = 2


def encapsulated_pdf(ctx: StudyContext, pdf: bytes, title: str) -> Dataset:
    if not pdf.startswith(b"%PDF"):
        raise ValueError("not a PDF document")
    ds = base_dataset(ctx, EncapsulatedPDFStorage, ctx.uid("pdf", ctx.report_version), "DOC", DOC_SERIES)
    ds.SeriesDescription = "Procedure report"
    ds.ConversionType = "WSD"  # SC Equipment: workstation-made document
    ds.InstanceNumber = 1
    ds.ContentDate = ds.StudyDate
    ds.ContentTime = ds.StudyTime
    ds.AcquisitionDateTime = "" if ctx.deidentify else ctx.when.strftime("%Y%m%d%H%M%S")
    ds.BurnedInAnnotation = "NO" if ctx.deidentify else "YES"
    ds.DocumentTitle = title[:64]
    ds.ConceptNameCodeSequence = []
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocumentLength = len(pdf)
    ds.EncapsulatedDocument = pdf + (b"\0" if len(pdf) % 2 else b"")
    return ds
