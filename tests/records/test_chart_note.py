"""The chart note (issue 13, items 7 and 9), read back from the real PDF with pypdf, an independent reader.

The scripted femoral block: 72 kg, ropivacaine 0.5 % = 5 mg/mL, maximum min(3 mg/kg x 72 kg, 300 mg) =
216 mg; three 4 mL aliquots = 12 mL = 60 mg = 27.8 % -> "28%". The record opens at wall 1 800 000 000 =
2027-01-15 08:00 UTC = 09:00 in Paris (UTC+01:00 in January); follow-up at 1, 4 and 12 weeks is
Fri 22 Jan, Fri 12 Feb and Fri 09 Apr 2027. Written out by hand, not taken from the code.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from sonocart.records.export import export_record
from sonocart.records.record import ProcedureRecord

BANNER = "Family name: DOE, given name: JANE · Date of birth: 12 Apr 1958 · MRN: MRN0012345"


@pytest.fixture(autouse=True)
def paris(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages]


def test_every_page_carries_the_patient_banner(finished_record: ProcedureRecord) -> None:
    pages = _pages(export_record(finished_record, "dr_ana").report_pdf)
    assert len(pages) >= 3
    for n, text in enumerate(pages, 1):
        assert text.startswith(BANNER), (n, text[:200])
        assert f"{BANNER}  -  page {n}/{len(pages)}" in text


def test_page_one_is_the_clinical_summary_with_hand_worked_figures(finished_record: ProcedureRecord) -> None:
    first = _pages(export_record(finished_record, "dr_ana").report_pdf)[0]
    for expected in (
        "Clinical summary",
        "Procedure Ultrasound-guided femoral nerve block",
        "Side LEFT",
        "Indication therapeutic pain relief",
        "Started 15 Jan 2027 09:00 (UTC+01:00)",
        "Dr Ana: performed the injection, STOP side check, confirmed the time-out with their PIN",
        "RN Ben: confirmed the time-out with their PIN",
        "Syringe A: Ropivacaine 0.5 %, 5 mg/mL: 12 mL given = 60 mg, 28% of the 216 mg maximum",
        "Image 1 (Femoral nerve, pre-injection): side LEFT; orientation mark top left",
        "Image 2 (Femoral nerve, spread): side LEFT",
        "Before: heart rate 72 /min, systolic blood pressure 134 mmHg, SpO2 98 %",
        "After: heart rate 70 /min, systolic blood pressure 128 mmHg, SpO2 98 %",
        "Needle: 22 G, 80 mm",
        "Approach: in plane",
        "Block assessment: complete",
        "Fasting: not required (no sedation)",
        "Complications",
        "Pain before: NRS 7 of 10",
        "Pain after: NRS 2 of 10 (71.4 % relief)",  # (7 - 2) / 7 = 71.4 %
        "Seek help urgently for fever",
        "Follow-up Fri 22 Jan 2027, Fri 12 Feb 2027, Fri 09 Apr 2027",
        "Performed by: Dr Ana",
        "Signature: ____",
    ):
        assert expected in first, expected
    assert "Audit appendix" not in first  # the summary is one page; the journal follows


def test_the_note_speaks_human_words_throughout(finished_record: ProcedureRecord) -> None:
    text = "\n".join(_pages(export_record(finished_record, "dr_ana").report_pdf))
    # prior_reactions: true means there was NO prior reaction: it must read so.
    assert "No prior reaction to a previous injection" in text
    assert "Complications: none" in text and "No equipment problems" in text
    body = text.replace(BANNER, "")
    assert not re.findall(r"\b[a-z]+_[a-z0-9_]+\b", body), "snake_case left in the note"
    for raw in ("None", "True", "False", "true", "false", "{", "}", "^", "/tmp", ".png", "UTC\n"):
        assert raw not in body, raw


def test_the_audit_appendix_ends_with_the_journals_signed_head(finished_record: ProcedureRecord) -> None:
    head = finished_record.journal.signed_head()  # read before the export journals itself
    pages = _pages(export_record(finished_record, "dr_ana").report_pdf)
    last = pages[-1].replace(BANNER + f"  -  page {len(pages)}/{len(pages)}", "").rstrip()
    assert f"Signed head of the journal: {head['count']} events, head hash {head['hash']}" in last
    assert last.endswith(head["sig"])


def test_a_deidentified_note_has_no_record_id_head_dates_names_or_metadata(
    finished_record: ProcedureRecord,
) -> None:
    record_id = finished_record.engine.state.record_id
    head = finished_record.journal.signed_head()
    pdf = export_record(finished_record, "dr_ana", deidentify=True).report_pdf
    reader = pypdf.PdfReader(str(pdf))
    assert dict(reader.metadata or {}) == {"/CreationDate": "D:19700101000000Z"}  # a constant, nothing else
    assert b"Producer" not in pdf.read_bytes() and b"/Title" not in pdf.read_bytes()
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert text.startswith("Patient ANON-") and "(de-identified)" in text
    for leak in (
        record_id,
        record_id[:8],
        head["hash"],
        head["hash"][:16],
        "DOE",
        "JANE",
        "MRN0012345",
        "1958",
        "2027",
        "Dr Ana",
        "RN Ben",
        "Jan",
        "pre-injection",
    ):
        assert leak not in text, leak
    assert "(UTC" not in text and "T+00:01:55" in text  # offsets from the start only, no clock times
    assert not re.findall(r"\d{1,2}:\d{2}", re.sub(r"T\+\d{2}:\d{2}:\d{2}", "", text))
    assert "Follow-up week 1, week 4, week 12" in text


def test_the_scripted_example_captures_a_distinct_image_at_each_point(
    finished_record: ProcedureRecord,
) -> None:
    caps = finished_record.engine.state.captures
    assert len(caps) == 2 and caps[0]["sha256"] != caps[1]["sha256"]
    images = [finished_record.load_capture(c) for c in caps]
    assert (images[0] != images[1]).mean() > 0.01  # more than a few pixels apart
    pdf = pypdf.PdfReader(str(export_record(finished_record, "dr_ana").report_pdf))
    embedded = [img.data for page in pdf.pages for img in page.images]
    assert len(embedded) == 2 and embedded[0] != embedded[1]
