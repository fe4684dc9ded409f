"""A de-identified export leads back to nothing: every DICOM tag (dumped by dcdump, not pydicom), the PDF's
text, metadata and embedded images, and the JSON hold no identifier, record id, head hash, identified UID,
capture hash or date; UIDs and pseudonyms are fresh per export. Identified exports carry the signed head in
every DICOM object, the Encapsulated PDF included. dciodvfy: return code 0 and nothing beyond the
allowlist below."""

from __future__ import annotations

import hmac
import json
import re
import subprocess
import zlib
from hashlib import sha256
from pathlib import Path

import pydicom
import pytest
from PIL import Image

from sonocart.journal.keys import cart_key
from sonocart.records.export import Exported, export_record
from sonocart.records.record import ProcedureRecord

#: dciodvfy output lines accepted, with why. The IOD name line is its normal output. A de-identified object
#: has no Study Date/Time by design (PS3.15 Annex E, Basic Application Level Confidentiality Profile: Z,
#: zero-length); dciodvfy says only that a DICOMDIR could not be built from it. Nothing else is allowed.
IOD_LINE = re.compile(r"^(USImage|EncapsulatedPDF)$")
DEIDENTIFIED_ALLOWED = {
    "Warning - Missing attribute or value that would be needed to build DICOMDIR - Study Date",
    "Warning - Missing attribute or value that would be needed to build DICOMDIR - Study Time",
}


def dciodvfy_problems(path: Path, allowed: set[str]) -> list[str]:
    done = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert any(IOD_LINE.match(line) for line in lines), lines  # it did recognise the IOD
    return [line for line in lines if not IOD_LINE.match(line) and line not in allowed]


def dump(path: Path) -> str:
    done = subprocess.run(["dcdump", str(path)], capture_output=True, text=True, check=False, timeout=60)
    assert "Error" not in done.stderr, done.stderr
    return done.stdout + done.stderr


def pdf_dump(pdf: Path, work: Path) -> str:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(
        ["pdfinfo", "-isodates", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    meta = subprocess.run(["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True, check=True).stdout
    images = work / "img"
    images.mkdir()
    subprocess.run(["pdfimages", "-png", str(pdf), str(images / "i")], check=True)
    pngs = sorted(images.glob("*.png"))
    assert pngs, "the report's images were not found in the PDF"
    png_meta = [json.dumps(Image.open(p).info, default=repr) for p in pngs]
    return "\n".join([text, info, meta, *png_meta, pdf_bytes_readable(pdf.read_bytes())])


STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def pdf_bytes_readable(raw: bytes) -> str:
    """The PDF's bytes as a reader would search them: every dictionary and plain part as written, each Flate
    stream inflated, image streams left out (pdfimages above extracted those and their metadata). Compressed
    bytes would hold a short identifier such as "DOE" by chance now and then (about 1 run in 100)."""
    out: list[bytes] = []
    at = 0
    for m in STREAM.finditer(raw):
        head = raw[at : m.start()]
        out.append(head)
        at = m.end()
        dictionary = head[head.rfind(b"obj") :]  # this object's dictionary, nested ones too
        if b"/Image" in dictionary:
            continue
        body = m.group(1)
        out.append(zlib.decompress(body) if b"/FlateDecode" in dictionary else body)
    out.append(raw[at:])
    return b"".join(out).decode("latin-1")


def identifiers(record: ProcedureRecord, ident: Exported) -> list[str]:
    """What must not appear in a de-identified export, read from the identified one and the record."""
    state = record.engine.state
    head = json.loads(ident.report_json.read_text())["journal"]["signed_head"]
    out = [state.record_id, state.record_id.split("-")[-1], head["hash"], head["sig"], head["hash"][:16]]
    out += ["DOE", "Jane", "JANE", "MRN0012345", "19580412", "1958-04-12", "2027", "20270115"]
    out += [c["sha256"] for c in state.captures] + [c["sha256"][:16] for c in state.captures]
    for path in ident.dicom:
        ds = pydicom.dcmread(path)
        out += [ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID]
    return out


def test_a_deidentified_export_holds_nothing_that_leads_back_to_the_record(
    finished_record: ProcedureRecord, tmp_path: Path
) -> None:
    ident = export_record(finished_record, "dr_ana", tmp_path / "ident")
    deid = export_record(finished_record, "dr_ana", tmp_path / "deid", deidentify=True)
    assert sorted(p.name for p in deid.folder.iterdir()) == sorted(
        p.name for p in (deid.report_json, deid.report_pdf, *deid.dicom)
    )  # nothing else leaves: no PNG files, no temp files
    dumps = {p.name: dump(p) for p in deid.dicom}
    dumps["report.pdf"] = pdf_dump(deid.report_pdf, tmp_path)
    dumps["report.json"] = deid.report_json.read_text()
    for needle in identifiers(finished_record, ident):
        for name, text in dumps.items():
            assert needle not in text, f"{needle!r} in {name}"
    for name in (p.name for p in deid.dicom):
        assert re.search(r"Patient Identity Removed.*<YES", dumps[name]), name
        assert not re.search(r"\bD[AT]\b.*<\d{8}", dumps[name]), name  # no DA/DT value at all
    assert "1970-01-01T00:00:00" in dumps["report.pdf"]  # the PDF's CreationDate is a constant


def test_every_deidentified_export_has_fresh_uids_and_pseudonyms(
    finished_record: ProcedureRecord, tmp_path: Path
) -> None:
    first = export_record(finished_record, "dr_ana", tmp_path / "a", deidentify=True)
    second = export_record(finished_record, "dr_ana", tmp_path / "b", deidentify=True)
    a = [pydicom.dcmread(p) for p in first.dicom]
    b = [pydicom.dcmread(p) for p in second.dicom]
    assert len({ds.StudyInstanceUID for ds in a}) == 1  # one study within an export
    assert {ds.StudyInstanceUID for ds in a}.isdisjoint({ds.StudyInstanceUID for ds in b})
    assert {ds.SOPInstanceUID for ds in a}.isdisjoint({ds.SOPInstanceUID for ds in b})
    assert a[0].PatientID != b[0].PatientID and a[0].StudyID != b[0].StudyID
    ja, jb = (json.loads(e.report_json.read_text()) for e in (first, second))
    assert ja["patient"]["pseudonym"] == a[0].PatientID  # one alias across the JSON and DICOM of an export
    assert ja["record_id"] == a[0].StudyID and ja["record_id"] != jb["record_id"]


@pytest.mark.parametrize("deidentify", [False, True])
def test_every_dicom_object_passes_dciodvfy_with_return_code_0_and_only_allowlisted_output(
    finished_record: ProcedureRecord, tmp_path: Path, deidentify: bool
) -> None:
    out = export_record(finished_record, "dr_ana", tmp_path / "out", deidentify=deidentify)
    allowed = DEIDENTIFIED_ALLOWED if deidentify else set()
    for path in out.dicom:
        assert dciodvfy_problems(path, allowed) == [], path


def test_dciodvfy_check_fails_on_a_real_error(finished_record: ProcedureRecord, tmp_path: Path) -> None:
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    ds = pydicom.dcmread(out.dicom[-1])
    ds.PatientSex = "X"  # not an enumerated value
    bad = tmp_path / "bad.dcm"
    ds.save_as(bad)
    done = subprocess.run(["dciodvfy", str(bad)], capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "Error" in done.stdout + done.stderr


def test_the_encapsulated_pdf_and_every_image_carry_the_signed_head(
    finished_record: ProcedureRecord, tmp_path: Path
) -> None:
    out = export_record(finished_record, "dr_ana", tmp_path / "out")
    head = json.loads(out.report_json.read_text())["journal"]["signed_head"]
    expected = hmac.new(cart_key(), f"head:{head['count']}:{head['hash']}".encode(), sha256).hexdigest()
    assert head["sig"] == expected  # oracle: stdlib HMAC under the cart key's seed
    line = f"sonocart journal head {head['count']}:{head['hash']}:{head['sig']}"
    assert [p.name for p in out.dicom][-1] == "report.dcm"
    for path in out.dicom:
        text = dump(path)  # dcdump, not pydicom
        assert "Contribution Description" in text and line in text, path
        item = pydicom.dcmread(path).ContributingEquipmentSequence[0]
        assert item.PurposeOfReferenceCodeSequence[0].CodeValue == "109102"
    deid = export_record(finished_record, "dr_ana", tmp_path / "deid", deidentify=True)
    for path in deid.dicom:
        assert "ContributingEquipmentSequence" not in pydicom.dcmread(path)
