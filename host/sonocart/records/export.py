"""Export a record: report JSON and PDF, each still as DICOM US, the report as DICOM Encapsulated PDF.

Exports are derived files, rebuilt from the verified journal at will; writing them is itself journaled
(who exported what, de-identified or not).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sonocart.journal.private_fs import private_dir, write_private
from sonocart.records.dicom_common import StudyContext, save
from sonocart.records.dicom_pdf import encapsulated_pdf
from sonocart.records.dicom_us import us_image
from sonocart.records.pdf_report import write_pdf
from sonocart.records.record import ProcedureRecord
from sonocart.records.report import Aliases, build_report


@dataclass
class Exported:
    folder: Path
    report_json: Path
    report_pdf: Path
    dicom: list[Path] = field(default_factory=list)


def export_record(
    record: ProcedureRecord, operator: str, out_dir: Path | None = None, deidentify: bool = False
) -> Exported:
    state = record.engine.state
    if out_dir is not None and out_dir.is_dir():
        folder = out_dir  # someone else's folder (e.g. shared): its mode is theirs; our files are 0600
    else:
        folder = private_dir(out_dir or record.path / ("exports-deidentified" if deidentify else "exports"))
    aliases = Aliases.fresh() if deidentify else None  # new for every de-identified export: no link back
    report = build_report(
        record.journal, state, deidentify=deidentify, aliases=aliases, catalogue=record.engine.catalogue
    )
    head = record.journal.signed_head()
    head_text = "" if deidentify else f"{head['count']}:{head['hash']}:{head['sig']}"
    if not deidentify:
        report["journal"]["signed_head"] = head
    images = [record.load_capture(c) for c in state.captures]
    report_json = write_private(
        folder / "report.json", json.dumps(report, indent=2, ensure_ascii=False).encode("utf-8")
    )
    report_pdf = write_pdf(folder / "report.pdf", report, images)
    ctx = StudyContext(
        state.record_id,
        state.patient,
        state.opened_wall,
        state.procedure.name,
        state.confirmed_side(),
        deidentify,
        side_change=state.side_change(),
        journal_head=head_text,
        report_version=head["hash"],
        aliases=aliases,
    )
    out = Exported(folder, report_json, report_pdf)
    for image, capture in zip(images, state.captures, strict=True):
        out.dicom.append(save(us_image(ctx, image, capture), folder / f"us_{int(capture['number']):03d}.dcm"))
    title = f"{state.procedure.name} - procedure report"
    out.dicom.append(save(encapsulated_pdf(ctx, report_pdf.read_bytes(), title), folder / "report.dcm"))
    record.journal.append(
        "export_written",
        {
            "folder": str(folder),
            "deidentified": deidentify,
            "files": [p.name for p in (report_json, report_pdf, *out.dicom)],
            "head_hash": report["journal"]["head_hash"],
            "signed_head": head_text,
        },
        operator,
        record.engine.clock.wall(),
    )
    return out
