"""Settings in the real window at both cart screens (settings_scenario.py, a part of the shared screens
run): each PACS field opens with
the value the cart sends to, under its label; a saved destination is what the fields show on reopening
and what the settings file holds; an entry the core refuses is said in words, and the destination in
use (and in the file) stays as it was."""

from __future__ import annotations

import json

import pytest

from tests.ui.screens import ScreensRuns

LABELLED = (("PACS host", "pacs_host"), ("Port", "pacs_port"), ("Called AE title", "pacs_aet"))


def _values(look: dict[str, dict[str, dict[str, object]]]) -> tuple[object, ...]:
    return tuple(look["fields"][k]["text"] for k in ("pacs_host", "pacs_port", "pacs_aet"))


@pytest.mark.ui
@pytest.mark.timeout(360)
@pytest.mark.parametrize("size", ["800x480", "1280x800"])
def test_pacs_fields_open_filled_keep_a_saved_value_and_refuse_a_bad_one_in_words(
    screens: ScreensRuns, size: str
) -> None:
    r = screens(size).part("settings")
    w, h = (int(v) for v in size.split("x"))
    # opened: the destination the cart was given, in each field
    assert _values(r["opened"]) == ("pacs.ward7.example", "11112", "WARD7PACS")
    for name in ("opened", "saved", "reopened", "refused"):
        look = r[name]
        assert look["screen"] == "settings", name
        for key, f in look["fields"].items():
            x, y, fw, fh = f["rect"]
            assert f["visible"] and 0 <= x <= x + fw <= w and 0 <= y <= y + fh <= h, (name, key, f)
        # each label shown once, whole, above its field (filled or not)
        for label, key in (
            ("PACS host", "pacs_host"),
            ("Port", "pacs_port"),
            ("Called AE title", "pacs_aet"),
        ):
            rects = look["labels"][label]
            assert len(rects) == 1, (name, label, rects)
            lx, ly, lw, _lh = rects[0]
            fx, fy, fw, fh = look["fields"][key]["rect"]
            assert ly >= fy + fh - 1 and fx - 1 <= lx and lx + lw <= fx + fw + 1, (name, label, rects, fx, fy)
        bad = [t for t in look["texts"] if t["shortened"] or t["overflow"] or t["broken_word"]]
        assert not bad, (name, bad)
    # saved: in use, in the file, and in the fields when Settings is opened again
    assert r["saved"]["toast"] == "settings saved"
    saved = {"host": "10.1.2.3", "port": 104, "called_aet": "ARCHIVE", "calling_aet": "SONOCART"}
    assert r["saved"]["pacs"] == saved
    assert json.loads(r["saved"]["file"])["pacs"] == saved
    assert _values(r["reopened"]) == ("10.1.2.3", "104", "ARCHIVE")
    # refused: the core's reason in the screen's words; nothing changed in use or in the file
    assert r["refused"]["toast"] == (
        "[!] PACS not saved: Called AE title = 'WARDSEVENARCHIVES' is not text of 1 to 16 characters"
    )
    assert r["port_refused"]["toast"] == "[!] PACS not saved: Port = 70000 is out of range 1..65535"
    for name in ("refused", "port_refused"):
        assert r[name]["pacs"] == saved, name
        assert r[name]["file"] == r["saved"]["file"], name
    # the refused entry stays in its field to be corrected
    assert _values(r["refused"])[2] == "WARDSEVENARCHIVES"
