"""The Summary at both cart screens (summary_scenario.py, a part of the shared screens run): how the
PACS send went is on screen without scrolling, beside the actions, in the core's words (down: queued,
nothing lost; up: sent to a real Orthanc), and shown once: the status band leaves it out (brief UB
defect 1: it was in both); whole, not over a button, above the nav bar; a refusal too long for its room at
7 inches gives way to the counts, moves no button, and the status band says it whole."""

from __future__ import annotations

import pytest

from tests.ui.layout import overlap
from tests.ui.screens import ScreensRuns


@pytest.mark.ui
@pytest.mark.timeout(360)
@pytest.mark.parametrize("size", ["800x480", "1280x800"])
def test_the_pacs_result_is_said_once_beside_the_send_button_in_the_cores_words(
    screens: ScreensRuns, size: str
) -> None:
    run = screens(size)
    r = run.part("summary")
    w, h = (int(v) for v in size.split("x"))
    assert r["before"]["result"] == "PACS: sent 0 / pending 0"
    # a record just opened exports one DICOM object (its report; no stills yet): Orthanc counts it below
    said = {
        "down": "[!] PACS down: 1 stay queued, nothing lost",
        "sent": "PACS: sent 1, 0 pending",
    }
    for name, words in said.items():
        look = r[name]
        assert look["screen"] == "summary", name
        assert look["said"] == words, (name, look["said"])
        assert look["result"] == words, (name, look["result"])  # beside the send button, as the core said
        assert look["toast"] == "", (name, look["toast"])  # and only there: the status band leaves it out
        x, y, rw, rh = look["result_rect"]
        tw, th = look["result_texture"]
        assert tw <= rw + 1 and th <= rh + 1, (name, look["result_rect"], look["result_texture"])
        assert 0 <= x <= x + rw <= w and 0 <= y <= y + rh <= h, (name, look["result_rect"])
        _nx, ny, _nw, nh = look["nav"]
        assert y >= ny + nh - 0.5, (name, "under the nav bar")
        for key, rect in look["buttons"].items():
            assert overlap(look["result_rect"], rect) == 0, (name, key, rect)
        # the result is not in the scrolled body: read where it is drawn, whole
        entry = [t for t in look["texts"] if t["text"] == words and t["scroll_owner"] == ""]
        assert entry and not (entry[0]["clipped"] or entry[0]["overflow"] or entry[0]["shortened"]), entry
        bad = [t for t in look["texts"] if t["shortened"] or t["overflow"] or t["broken_word"]]
        assert not bad, (name, bad)
    # a refusal with its reason: whole beside the actions when it fits (10 inches), else (7 inches, three
    # lines of room) the counts marked failed; the toast says it whole; the buttons never move for it
    failed = r["failed"]
    refused = "[!] PACS sent 0, 1 failed and stay queued: C-STORE status 0xA700 (out of resources)"
    assert failed["said"] == refused
    assert failed["result"] == (refused if size == "1280x800" else "[!] PACS: sent 0 / pending 1"), failed
    # said once: beside the button when it fits there, else whole in the status band
    assert failed["toast"] == ("" if size == "1280x800" else refused), failed["toast"]
    assert failed["result_texture"][1] <= failed["result_rect"][3] + 1, failed
    assert failed["buttons"] == r["before"]["buttons"] == r["sent"]["buttons"]
    assert all(overlap(failed["result_rect"], b) == 0 for b in failed["buttons"].values())
    assert refused in failed["body_end"]  # the whole text at the body's end
    # failure is told apart from success by more than its words: drawn in the medium alarm's yellow
    assert r["down"]["result_colour"] != r["sent"]["result_colour"]
    assert r["sent"]["body_end"].startswith("PACS: sent 1 / pending 0")
    assert len(run.pacs_uids) == 1  # what the PACS holds: the one object the screen says sent
