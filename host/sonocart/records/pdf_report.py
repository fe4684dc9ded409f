"""Render the report (from :func:`build_report`) as the chart note, with fpdf2.

Page 1 is the clinical summary (:mod:`summary`); then each image with its side, orientation mark and
a scale bar drawn from its calibration; then the journal as an audit appendix, ending with the
journal's signed head. Every page carries the patient banner. A de-identified chart note carries no
record id, no head hash, no dates beyond the offsets from the start, and no PDF metadata (no title,
creator or producer; its CreationDate is the constant 1970-01-01).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from fpdf import FPDF
from fpdf.output import OutputProducer, PDFInfo
from fpdf.syntax import PDFDate
from PIL import Image

SCALE_BAR_MM = 10.0
IMAGE_WIDTH_MM = 110.0
MARK_MM = 3.0


def latin1(text: str) -> str:
    """The core PDF fonts are Latin-1: keep every character readable rather than fail on one."""
    table = {
        "\u2013": "-",
        "\u2014": "-",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2265": ">=",
        "\u2264": "<=",
        "\u2192": "->",
    }
    text = "".join(table.get(ch, ch) for ch in text)
    return text.encode("latin-1", "replace").decode("latin-1")


#: The CreationDate of a de-identified PDF: a constant, so the file carries no date of its own.
DEIDENTIFIED_PDF_DATE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _creation_date(report: dict[str, Any]) -> dt.datetime:
    """The last journaled event's time (the same journal head gives the same bytes, hence the same SOP
    Instance may be sent again); a constant when de-identified (not the time of the export)."""
    last = report["journal"].get("last_wall")
    if report["deidentified"] or last is None:
        return DEIDENTIFIED_PDF_DATE
    return dt.datetime.fromtimestamp(float(last), tz=dt.UTC)


class _Anonymous(OutputProducer):  # type: ignore[misc]
    """Writes a document information dictionary with no title, creator or producer, and the constant
    creation date (no date of the export, nothing that names anyone)."""

    def _add_info(self) -> PDFInfo:
        date = PDFDate(DEIDENTIFIED_PDF_DATE, with_tz=True, encrypt=True)
        info = PDFInfo(None, None, None, None, None, None, date)
        self._add_pdf_obj(info)
        return info


class _Pdf(FPDF):  # type: ignore[misc]
    banner = ""
    subtitle = ""

    def header(self) -> None:
        self.set_font("Helvetica", "B", 9)
        self.cell(0, 4.5, latin1(self.banner), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 7.5)
        self.cell(0, 4, latin1(self.subtitle), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(120, 120, 120)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y() + 0.5, self.w - self.r_margin, self.get_y() + 0.5)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font("Helvetica", "", 7.5)
        self.cell(0, 4, latin1(f"{self.banner}  -  page {self.page_no()}/{{nb}}"), align="C")


def _heading(pdf: FPDF, title: str, size: float = 10.5) -> None:
    pdf.ln(1)
    pdf.set_font("Helvetica", "B", size)
    pdf.cell(0, 5.5, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8.5)


def _line(pdf: FPDF, text: str, height: float = 3.9) -> None:
    pdf.multi_cell(0, height, latin1(text), new_x="LMARGIN", new_y="NEXT")


def _field(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("Helvetica", "B", 8.5)
    pdf.cell(34, 3.9, latin1(label))
    pdf.set_font("Helvetica", "", 8.5)
    _line(pdf, value)


def _block(pdf: FPDF, title: str, lines: list[str], empty: str = "none") -> None:
    _heading(pdf, title, 9.5)
    for text in lines or [empty]:
        _line(pdf, f"- {text}")


def _summary_page(pdf: FPDF, s: dict[str, Any]) -> None:
    _heading(pdf, "Clinical summary", 13)
    _field(pdf, "Procedure", s["procedure"])
    _field(pdf, "Side", s["side"])
    _field(pdf, "Indication", s["indication"])
    _field(pdf, "Started", s["opened"])
    _field(pdf, "Status", s["status"])
    _block(pdf, "Team and roles", s["team"])
    _block(pdf, "Checks, vitals, needle and block", s["checks"], "none recorded")
    _block(pdf, "Drugs", [*s["drugs"], f"Local anaesthetic in total: {s['dose_total']}"])
    _block(pdf, "Images", s["images"], "no image captured")
    _block(pdf, "Overrides of hard stops", s["overrides"])
    if s["active_hard_stops"]:
        _block(pdf, "HARD STOPS STILL ACTIVE", s["active_hard_stops"])
    if s["corrections"]:
        _block(pdf, "Answers corrected", s["corrections"])
    _block(pdf, "Complications", [s["complications"]])
    _block(pdf, "Outcomes", s["outcomes"])
    if s["escalation"]:
        _block(pdf, "Escalation", [s["escalation"]])
    _block(pdf, "Discharge advice given", s["discharge"], "not yet given")
    _field(pdf, "Follow-up", s["follow_up"])
    _heading(pdf, "Signature", 9.5)
    for text in s["signature"]:
        _line(pdf, text, 5.5)


def _image_with_marks(
    pdf: FPDF, image: npt.NDArray[np.uint8], capture: dict[str, Any], caption: str, side: str
) -> None:
    rows, cols = image.shape[0], image.shape[1]
    width = IMAGE_WIDTH_MM
    height = width * rows / cols
    if pdf.get_y() + height + 14 > pdf.h - pdf.b_margin:
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y()
    pdf.image(Image.fromarray(image), x=x, y=y, w=width, h=height)
    # Orientation mark: a filled dot at the top left (the probe marker's side, skin at the top).
    pdf.set_fill_color(255, 200, 0)
    pdf.ellipse(x + 1.5, y + 1.5, MARK_MM, MARK_MM, style="F")
    pdf.set_text_color(255, 200, 0)
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_xy(x + width - 30, y + 1.5)
    pdf.cell(28, 4, latin1(side), align="R")
    pdf.set_text_color(0, 0, 0)
    page_mm_per_px = width / cols
    bar = SCALE_BAR_MM / float(capture["mm_per_px"]) * page_mm_per_px
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.8)
    pdf.line(x + width + 4, y, x + width + 4, y + bar)
    pdf.set_xy(x + width + 6, y + bar / 2 - 2)
    pdf.set_font("Helvetica", "", 8)
    pdf.cell(20, 4, f"{SCALE_BAR_MM:g} mm")
    pdf.set_xy(x, y + height + 1)
    _line(pdf, f"{caption}. {capture['mm_per_px']:g} mm per pixel; scale bar {SCALE_BAR_MM:g} mm.")
    pdf.ln(2)


def _appendix(pdf: FPDF, report: dict[str, Any]) -> None:
    pdf.add_page()
    _heading(pdf, "Audit appendix: the journal, event by event", 11)
    pdf.set_font("Helvetica", "", 7.2)
    for e in report["timeline"]:
        _line(pdf, f"{e['seq']:>4}  {e['time']}  {e['who']}: {e['what']}", 3.4)
    journal = report["journal"]
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 8)
    if report["deidentified"]:
        _line(
            pdf, f"Journal: {journal['events']} events (its signed head is kept with the identified record)."
        )
        return
    head = journal.get("signed_head") or {}
    _line(pdf, f"Signed head of the journal: {journal['events']} events, head hash {journal['head_hash']}")
    if head:
        pdf.set_font("Helvetica", "", 7.2)
        _line(pdf, f"Signature (HMAC-SHA256, this cart's key) over event {head['count']}: {head['sig']}")


def render_pdf(report: dict[str, Any], images: list[npt.NDArray[np.uint8]]) -> bytes:
    s = report["summary"]
    deid = bool(report["deidentified"])
    pdf = _Pdf(format="A4")
    pdf.banner = s["banner"]
    pdf.subtitle = f"{s['procedure']} - side {s['side']} - started {s['opened']}"
    pdf.set_creation_date(_creation_date(report))
    if not deid:
        pdf.subtitle += f" - record {report['record_id']}"
        pdf.set_title(latin1(f"Sonocart chart note: {s['procedure']}"))
        pdf.set_creator("sonocart")
    pdf.alias_nb_pages()
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    _summary_page(pdf, s)
    if images:
        pdf.add_page()
        _heading(pdf, "Images", 11)
        for image, capture, caption in zip(images, report["captures"], s["images"], strict=True):
            _image_with_marks(pdf, image, capture, caption, s["side"].split(" ")[0])
    _appendix(pdf, report)
    if deid:
        return bytes(pdf.output(output_producer_class=_Anonymous))
    return bytes(pdf.output())


def write_pdf(path: Path, report: dict[str, Any], images: list[npt.NDArray[np.uint8]]) -> Path:
    from sonocart.journal.private_fs import write_private

    return write_private(path, render_pdf(report, images))
