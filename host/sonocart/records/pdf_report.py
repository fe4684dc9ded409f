"""Render the report (from :func:`build_report`) to PDF with fpdf2: timeline, answers, overrides, doses,
and each image with a scale bar drawn from its calibration."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from fpdf import FPDF
from PIL import Image

SCALE_BAR_MM = 10.0
IMAGE_WIDTH_MM = 120.0


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
    }
    text = "".join(table.get(ch, ch) for ch in text)
    return text.encode("latin-1", "replace").decode("latin-1")


class _Pdf(FPDF):
    title_text = ""

    def header(self) -> None:
        self.set_font("Helvetica", "B", 9)
        self.cell(0, 5, latin1(self.title_text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 5, f"Page {self.page_no()}/{{nb}}", align="C")


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)


def _line(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, 4.5, latin1(text), new_x="LMARGIN", new_y="NEXT")


def _value(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def _image_with_scale(pdf: FPDF, image: npt.NDArray[np.uint8], capture: dict[str, Any]) -> None:
    rows, cols = image.shape[0], image.shape[1]
    width = IMAGE_WIDTH_MM
    height = width * rows / cols
    if pdf.get_y() + height + 14 > pdf.h - pdf.b_margin:
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y()
    pdf.image(Image.fromarray(image), x=x, y=y, w=width, h=height)
    page_mm_per_px = width / cols
    bar = SCALE_BAR_MM / float(capture["mm_per_px"]) * page_mm_per_px
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.8)
    pdf.line(x + width + 4, y, x + width + 4, y + bar)
    pdf.set_xy(x + width + 6, y + bar / 2 - 2)
    pdf.set_font("Helvetica", "", 8)
    pdf.cell(20, 4, f"{SCALE_BAR_MM:g} mm")
    pdf.set_xy(x, y + height + 1)
    u, v = capture["origin_px"]
    _line(
        pdf,
        f"Image {capture['number']}: {capture.get('label') or ''}  {cols}x{rows} px, "
        f"{capture['mm_per_px']:g} mm/px (square), origin (transducer face centre) at px ({u:g}, {v:g}); "
        f"SHA-256 {capture['sha256'][:16]}...",
    )


#: The CreationDate of a de-identified PDF: a constant, so the file carries no date of its own.
DEIDENTIFIED_PDF_DATE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _creation_date(report: dict[str, Any]) -> dt.datetime:
    """The last journaled event's time (the same journal head gives the same bytes, hence the same SOP
    Instance may be sent again); a constant when de-identified (not the time of the export)."""
    if report["deidentified"] or not report["timeline"]:
        return DEIDENTIFIED_PDF_DATE
    last = dt.datetime.strptime(report["timeline"][-1]["time"], "%Y-%m-%d %H:%M:%S UTC")
    return last.replace(tzinfo=dt.UTC)


def render_pdf(report: dict[str, Any], images: list[npt.NDArray[np.uint8]]) -> bytes:
    pdf = _Pdf(format="A4")
    pdf.title_text = f"Sonocart procedure record {report['record_id']}" + (
        " (de-identified)" if report["deidentified"] else ""
    )
    pdf.set_title(latin1(pdf.title_text))
    pdf.set_creator("sonocart")
    pdf.set_creation_date(_creation_date(report))
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 9, latin1(report["procedure"]["name"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    patient = report["patient"]
    who = ", ".join(f"{k}: {v}" for k, v in patient.items())
    _line(pdf, f"Patient: {who}")
    _line(
        pdf,
        f"Side: {(report['side'] or '-').upper()}   Opened: {report['opened']}   Status: {report['status']}",
    )
    if report.get("side_change"):
        _line(pdf, f"SIDE CHANGED: {report['side_change'].upper()}")
    _line(pdf, f"Journal: {report['journal']['events']} events, head hash {report['journal']['head_hash']}")

    _section(pdf, "Overrides of hard stops")
    if not report["overrides"]:
        _line(pdf, "none")
    for o in report["overrides"]:
        _line(pdf, f"{o['time']}  {o['rule']}  by {o['operator']}: {o['reason']}")
    if report["active_hard_stops"]:
        _line(pdf, f"ACTIVE HARD STOPS: {', '.join(report['active_hard_stops'])}")

    _section(pdf, "Local anaesthetic dose")
    dose = report["dose"]
    totals = ", ".join(f"{d} {mg:g} mg" for d, mg in dose["mg_by_drug"].items()) or "none"
    _line(pdf, f"Total: {totals}; {dose['fraction_of_max']:.0%} of the maximum for {dose['weight_kg']} kg")
    for a in dose["aliquots"]:
        flag = "  OVER LIMIT" if a["over_limit"] else ""
        flag += "".join(f"; {f.upper()}" for f in a.get("flags", ()))
        rate = f", {a['rate_ml_per_min']:g} mL/min" if a["rate_ml_per_min"] else ""
        _line(
            pdf,
            f"{a['time']}  {a['volume_ml']:g} mL syringe {a['syringe']}{rate},"
            f" via {a['via']} by {a['operator']}{flag}",
        )

    _section(pdf, "Checklist answers")
    for step, value in report["answers"].items():
        _line(pdf, f"{step}: {_value(value)}")

    _section(pdf, "Outcomes and follow-up")
    for o in report["outcomes"]:
        _line(pdf, f"{o['time']}  {o['measure']}: {_value(o['value'])}")
    for r in report["relief"]:
        _line(pdf, f"Relief at {r['minutes_after']} min: NRS {r['nrs']:g}, {r['percent_relief']}% relief")
    _line(pdf, "Follow-up: " + (", ".join(report["follow_up"]) or "not booked"))
    for text in report["discharge_instructions"]:
        _line(pdf, f"- {text}")
    if report["last_actions"]:
        _section(pdf, "LAST emergency actions")
        for a in report["last_actions"]:
            _line(pdf, f"{a['time']}  {a['step']} by {a['operator']}")

    if images:
        _section(pdf, "Images")
        for image, capture in zip(images, report["captures"], strict=True):
            _image_with_scale(pdf, image, capture)

    _section(pdf, "Timeline")
    pdf.set_font("Helvetica", "", 7.5)
    for e in report["timeline"]:
        pdf.multi_cell(
            0,
            3.8,
            latin1(f"{e['seq']:>4}  {e['time']}  {e['operator']:<10} {e['what']}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())


def write_pdf(path: Path, report: dict[str, Any], images: list[npt.NDArray[np.uint8]]) -> Path:
    from sonocart.journal.private_fs import write_private

    return write_private(path, render_pdf(report, images))
