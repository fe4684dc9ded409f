"""A whole procedure on the real app under Xvfb, driven by touches and by pedal presses on the simulated
board running the real firmware; asserts what a person would see at each step (procedure_scenario.py)."""

from __future__ import annotations

import itertools
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import ARTIFACTS
from tests.human_text import MACHINE_TEXT
from tests.test_logs import no_patient_identifiers
from tests.ui.forms_checks import assert_closing_fixed, assert_fields_labelled, assert_one_keypad
from tests.ui.layout import nav_moved

SCENARIO = Path(__file__).with_name("procedure_scenario.py")


def _seen(report: dict[str, Any], label: str) -> dict[str, Any]:
    hits = [s for s in report["seen"] if s["label"] == label]
    assert hits, f"nothing recorded for {label!r}: {[s['label'] for s in report['seen']]}"
    return dict(hits[0])


#: The cart's screens: size -> (diagonal in inches, least fraction of the screen the image must take).
SCREENS = {"1280x800": (10.1, 0.70), "800x480": (7.0, 0.60)}
#: The live screen measured: imaging, the STOP (a HIGH hard stop up), the injection, a MEDIUM prompt of
#: three lines across the image and a LOW one of one or two lines.
LIVE_MOMENTS = ("layout_prep", "layout_stop", "layout_injection", "layout_prompt", "layout_prompt_short")


@pytest.mark.ui
@pytest.mark.parametrize("size", list(SCREENS))
def test_a_whole_procedure_by_touch_and_pedal_shows_each_step_prompt_and_result(
    ui_env: dict[str, str], tmp_path: Path, size: str
) -> None:
    artifacts = ARTIFACTS / "ui" / f"procedure-{size}"
    report_path = tmp_path / "report.json"
    args = ["--link", str(tmp_path / "probe"), "--artifacts", str(artifacts), "--report", str(report_path)]
    args += ["--size", size]
    proc = subprocess.run(
        [sys.executable, str(SCENARIO), *args],
        env=dict(ui_env, JOURNAL_STREAM="8:1"),  # logs as the cart's service writes them to the journal
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert report_path.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    r = json.loads(report_path.read_text())
    assert "error" not in r and r.get("completed"), (r.get("error"), r.get("traceback"))
    # every layout converged before its frame: Kivy never warned "too much iteration" (tests/ui/clock_log.py)
    assert r["clock_too_much_iteration"] == [], r["clock_too_much_iteration"]
    # The whole procedure's log (everything the app printed) names no patient (tests/test_logs.py).
    patient = {"name": "Doe^Jane", "id": "MRN0012345", "birth_date": "19580412"}  # as the scenario types them
    assert no_patient_identifiers(proc.stdout + proc.stderr, patient) == []
    assert (
        "<6>kivy: Window: Provider: sdl2" in proc.stderr or "<6>kivy: Window: Provider: sdl2" in proc.stdout
    )
    # the measured image fractions, for the closing note and the README (artifacts/ui/procedure-<size>/)
    fractions = {m: r[m]["image_fraction"] for m in LIVE_MOMENTS}
    (artifacts / "image-fractions.json").write_text(json.dumps(fractions, indent=2))
    _assert_image_first(r, size)
    _assert_human_language(r)
    _assert_nothing_cut(r)
    _assert_depth_numbers_on_the_ticks(r["layout_prompt"], artifacts / "07-live-prompt.png")
    _assert_forms(r, size)
    _assert_prompt_moves_nothing(r, size, artifacts)

    # Start -> sign-in: the procedure and operator are shown; the weight from the start screen is pre-filled.
    # Who the record is for, on every screen with a record open but the live one (its band is the image's)
    banners = {s["screen"]: s["patient"] for s in r["seen"] if s["screen"] not in ("live", "start", "lock")}
    assert banners and set(banners.values()) == {"DOE, Jane · born 12 Apr 1958 · MRN MRN0012345"}
    # Toasts come and go through the time-out (a refused PIN, each member confirmed) while the team types
    # PINs: the controls under their fingers stay where they were (the toast band's height is reserved).
    team = [s for s in r["seen"] if s["label"].startswith("timeout_team") and s["screen"] == "time_out"]
    assert {bool(s["toast"]) for s in team} == {True, False}, [s["toast"] for s in team]
    assert len({s["screens_top"] for s in team}) == 1, [
        (s["toast"], s["screens_top"], s["bands"]) for s in team
    ]
    started = _seen(r, "started")
    assert started["screen"] == "sign_in" and started["status_operator"] == "Dr Ana"
    assert "Register every immediate team member" in started["step_text"]
    assert _seen(r, "weight_kg ok")["toast"] == "Weight: 72 kg"  # the step's title, the value, its unit
    # Time-out: a syringe drawn from the catalogue's stock but not labelled is refused on screen.
    assert "syringe A must be labelled before the time-out" in _seen(r, "done")["toast"]
    assert "ROPIVAcaine 0.5 %" in _seen(r, "add")["detail"]  # tall-man letters (ISMP)
    # The medication list, scrolled to a button by a touch and then dragged by a finger: once it stops, no
    # row of buttons is cut by its window, and its scroll bar is beside the buttons, never over them
    shown, dragged = r["medications_shown"], r["medications_dragged"]
    assert shown == {"rows_cut": [], "under_bar": []}, shown
    assert dragged["rows_cut"] == [] and dragged["under_bar"] == [], dragged
    assert dragged["scroll_y"] < 0.99 or not r["medications_scrollable"], dragged  # it did scroll
    # Time-out: every team member confirms by name with their own PIN; the confirmed side goes on the banner.
    oks = [x["detail"] for x in r["seen"] if x["label"] == "timeout_team member_ok"]
    assert len(oks) == 3 and "confirmed: Dr Ana, RN Ben ·" in oks[1], oks
    live = _seen(r, "live: prep")
    assert live["screen"] == "live" and live["side"].startswith("LEFT")
    # A wrong side at the time-out: HIGH, the banner keeps LEFT; the stop's own override form opens empty
    # and names it; alone or with a wrong second PIN it is refused; the corrected answer clears it.
    assert r["banner_after_wrong_side"].startswith("LEFT")
    assert r["bar_after_wrong_side"].startswith("!!! HIGH: HARD STOP: time-out side right does not match")
    assert r["override_reason_when_opened"] == ""
    assert "time-out side right" in r["override_title"] and "second operator" in r["override_title"]
    assert "needs a second operator's PIN" in r["override_alone_toast"]
    assert "wrong PIN for RN Ben" in r["override_wrong_pin_toast"] and r["side_stop_still_active"]
    # the prompt bar's Override opens the list from any screen (settings here), and the live screen's band
    label = r["override_label_on_settings"]
    assert label == "Override" or label.replace("\u00a0", " ").endswith("· Tap to override"), label
    assert r["override_from_settings"] == "alarms"
    assert r["override_from_live"] == "alarms"
    # STOP: a mis-tap restated by the same person leaves one answer, journaled as a correction.
    assert r["stop_marks"] == ["stop:dr_ana:left"] and "stop_restated" in r["journal_types"]
    assert live["badge"].startswith("LIVE") and live["status_pedal"].startswith("pedals OK")
    # Sterile phase by pedal: B hold confirms prep, A tap freezes (shown as FROZEN, never as live), A hold
    # captures a still, B hold aspirates, B tap logs an aliquot; each action is confirmed on screen.
    assert "confirmed: Skin prepared" in _seen(r, "pedal B hold -> acknowledge_or_confirm")["toast"]
    assert _seen(r, "pedal A tap -> freeze")["toast"] == "FROZEN (pedal A tap)"
    assert r["frozen_badge"] == "FROZEN - NOT LIVE"
    assert r["caliper_text"] == f"caliper {r['caliper_expected_mm']:.1f} mm"  # where the finger touched
    # The simulated board's pedals also move from the on-screen buttons and the keyboard (A held = A hold).
    assert _seen(r, "screen pedal A -> freeze")["toast"] == "live again (pedal A tap)"
    assert _seen(r, "key a -> capture_still")["toast"] == "still #1 captured (pedal A hold)"
    logged = _seen(r, "pedal B tap -> log_aliquot")
    assert logged["toast"] == "aliquot 4 mL logged (pedal)" and "1 aliquot, 4 mL given" in logged["detail"]
    # The engine's prompt is on the screen with its IEC marker and word, and the board's light follows it.
    raised = _seen(r, "prompt raised")
    assert raised["prompt"].startswith("!! MEDIUM: 4 mL given with no negative aspiration: aspirate and wait")
    assert r["light_with_prompt"] == "alarm_medium"
    # 8 mL of ropivacaine 0.5 % = 40 mg; 72 kg: max min(3 mg/kg x 72, 300) = 216 mg; 40 / 216 = 19 %.
    assert r["aliquots_visible"].startswith("2 aliquots, 8 mL given · dose 19% of max")
    assert "35.2 mL left to the maximum" in r["aliquots_visible"]  # (216 - 40 mg) / 5 mg/mL
    # Prompts are acknowledged by a person, on the bar; a hard stop is not: it opens the list. An early
    # "observation done" is held by a hard stop that clears by itself when the time is up.
    assert any("LAST watch started" in t for t in r["acknowledged_on_bar"])
    # Administrative stops and timers are LOW in the alarm table (catalogue/alarms.toml).
    assert r["early_observation_prompt"] == "! LOW: HARD STOP: observation time not complete"
    assert r["ack_on_hard_stop_opens"] == "alarms"
    assert r["alarm_rows"][0].startswith("! LOW: HARD STOP: observation time not complete")
    assert r["alarm_rows_when_time_up"][0].startswith("! LOW: Observation time complete")
    assert not any(row.startswith("!!! HIGH") for row in r["alarm_rows_when_time_up"])
    # No blind acknowledgement: each one came at least 1 s after its prompt was raised (shown later still).
    assert r["ack_delays_s"] and min(r["ack_delays_s"]) >= 1.0, r["ack_delays_s"]
    assert r["alarm_rows_after"] == []
    # Summary: complete, exported; the lock needs a PIN and the PIN says who acts next.
    assert "status: complete" in r["summary_text"] and "2 images captured" in r["summary_text"]
    # the dose in the live column's words (viewmodels/wording.py), not "aliquots 2 · 8 mL"
    assert "2 aliquots, 8 mL given · dose 19% of max" in r["summary_text"]
    # 2 aliquots of 4 mL of ropivacaine 0.5 % (5 mg/mL) = 40 mg; the patient as a person reads the name
    assert "drugs: ROPIVAcaine 40 mg" in r["summary_text"]
    assert (
        "Family name: Doe, given name: Jane · Date of birth: 12 Apr 1958 · MRN: MRN0012345"
        in r["summary_text"]
    )
    assert "complications: none" in r["summary_text"]
    # The record's stills as thumbnails: each PNG in the record's captures folder (read here with PIL), shown
    # whole from its own pixels and at least 25 mm wide, captioned with its number and local time
    from PIL import Image

    files = sorted(Path(r["captures_dir"]).glob("*.png"))
    assert [Path(t["source"]) for t in r["thumbnails"]] == files and len(files) == 2
    diagonal_in = SCREENS[size][0]
    px_per_mm = math.hypot(*(int(v) for v in size.split("x"))) / (diagonal_in * 25.4)
    for t, f in zip(r["thumbnails"], files, strict=True):
        assert t["texture"] == list(Image.open(f).size)
        assert t["drawn"][0] >= 25 * px_per_mm or t["drawn"][1] >= 20 * px_per_mm, t
        assert re.fullmatch(r"still \d+ · \d\d:\d\d", t["caption"]), t["caption"]
    assert _seen(r, "exported")["toast"].startswith("exported 5 files")
    assert r["pacs_text"].startswith("PACS: sent 0 / pending 3\n[!] PACS down: 3 stay queued, nothing lost")
    assert r["locked_screen"] == r["locked_after_nav"] == "lock"
    assert r["unlocked_screen"] == "summary" and r["operator_after_unlock"] == "RN Ben"
    # The journal holds who did what: every team member and the system's timers.
    assert r["journal_operators"] == ["dr_ana", "odp_cy", "rn_ben", "system"]
    for event in (
        "prompt_acknowledged",
        "hard_stop_cleared",
        "capture_added",
        "aliquot_logged",
        "export_written",
        "pacs_queued",
        "pacs_unreachable",
    ):
        assert event in r["journal_types"]


#: What only a program would write: snake_case words, DICOM name carets, ISO dates (bare or in a stamp) or
#: record-id stamps, paths,
#: Python's None/True/False (a "None taken" button is English: a lower-case word follows).
def _assert_human_language(r: dict[str, Any]) -> None:
    """Every text on every screen the procedure passed through (each look at the widget tree)."""
    texts = [(seen["screen"], t["text"]) for seen in r["seen"] for t in seen["texts"]]
    machine = {(screen, text) for screen, text in texts if MACHINE_TEXT.search(text)}
    assert machine == set(), sorted(machine)
    assert len(texts) > 500  # the scan saw the screens' texts


def _assert_nothing_cut(r: dict[str, Any]) -> None:
    """No text shortened by Kivy nor drawn larger than its widget, on every screen seen (each catalogue
    text the femoral block shows: steps, drugs, allergens, antithrombotics, complications, prompts), the
    window's status and prompt bars and the patient banner included."""
    cut = {
        (seen["screen"], t["text"])
        for seen in r["seen"]
        for t in seen["texts"]
        if t["shortened"] or t["overflow"] or t["broken_word"]
    }
    assert cut == set(), sorted(cut)
    # On the live screen nothing but the step's body (the feedback first in it, then the step's text and
    # buttons) or the imaging controls' list may need scrolling: the prompt, the step's phase and progress,
    # the strip and the readouts are laid out whole.
    scrolled = {
        t["text"]
        for seen in r["seen"]
        if seen["screen"] == "live"
        for t in seen["texts"]
        if t["clipped"] and t["scroll_owner"] not in ("StepPanel", "LiveImagePanel")
    }
    assert scrolled == set(), sorted(scrolled)
    live_texts = [t for seen in r["seen"] if seen["screen"] == "live" for t in seen["texts"]]
    assert any(
        t["text"].startswith("!!! HIGH: HARD STOP: side stated") and not t["clipped"] for t in live_texts
    )


def _assert_forms(r: dict[str, Any], size: str) -> None:
    """One keypad on every screen that takes digits; labels on filled fields; closing buttons fixed."""
    px_per_mm = math.hypot(*(int(v) for v in size.split("x"))) / (SCREENS[size][0] * 25.4)
    screens = assert_one_keypad(r["seen"], px_per_mm)
    # numbers (sign-in, observation), each member's PIN (time-out), the second operator's, the lock
    assert {"sign_in", "time_out", "alarms", "lock", "observation"} <= screens, screens
    assert_fields_labelled(_seen(r, "start filled")["forms"]["fields"], px_per_mm)
    assert_fields_labelled(_seen(r, "settings filled")["forms"]["fields"], px_per_mm)
    assert_fields_labelled(_seen(r, "override form")["forms"]["fields"], px_per_mm)
    closing = assert_closing_fixed(r["seen"])
    assert {"start_button", "submit", "unlock", "document", "save_pacs"} <= closing, closing
    # a locked cart names no patient (docs/ui.md); the identity is back once unlocked (banners above)
    assert _seen(r, "locked")["patient"] == "" and _seen(r, "locked")["screen"] == "lock"


def _assert_image_first(r: dict[str, Any], size: str) -> None:
    """The live screen measured from its widget tree while imaging, at the STOP and at the injection."""
    diagonal_in, least = SCREENS[size]
    w, h = (int(v) for v in size.split("x"))
    px_per_mm = math.hypot(w, h) / (diagonal_in * 25.4)
    for moment in LIVE_MOMENTS:
        lay = r[moment]
        assert lay["window"] == [w, h]
        ix, iy, iw, ih = lay["image_rect"]
        band, beside = lay["prompt_band"], lay["prompt_beside"]
        places = [band, beside, lay["nav"]["prompt"]]
        assert places.count(None) >= 2, (moment, places)  # one prompt button, not two
        if beside is not None:
            # a prompt whose whole text fits in the column sits there, beside the image, whole
            px, py, pw, ph = beside[1]
            assert px >= ix + iw and py >= 0 and py + ph <= h and px + pw <= w + 0.5, (moment, beside)
            assert ph >= 12 * px_per_mm - 0.5, (moment, beside)  # a button a gloved finger can press
        if band is None:
            # the image is drawn over at least `least` of the whole screen ...
            assert lay["image_fraction"] >= least, (moment, lay["image_fraction"])
        else:
            # ... and a prompt too long for the column takes its whole text's band across the image's
            # width, above it, and no more: the image gives way by that band's height alone
            bx, by, bw, bh = band[1]
            assert by >= iy + ih - 0.5 and bx <= ix + 0.5 and bx + bw >= ix + iw - 0.5, (moment, band)
            assert iw * (ih + bh) / (w * h) >= least, (moment, lay["image_fraction"], bh)
            font = math.ceil(px_per_mm * 3.0 / 0.7)  # the smallest text: caps 3 mm high
            assert bh <= 3 * 1.25 * font + math.ceil(1.5 * px_per_mm), (moment, bh)  # three lines at most
        # no two texts drawn over each other (the column's fixed parts and the step beside the image)
        assert lay["text_overlaps"] == [], (moment, lay["text_overlaps"])
        # the step's phase and progress are whole and in the column, beside the image
        header, (hx, hy, _hw, hh) = lay["step_header"]
        assert header and hx >= ix + iw and hy >= 0 and hy + hh <= h, (moment, lay["step_header"])
        # ... rendered at the stage's own pixel size (to the 4-pixel row alignment), so drawn 1:1
        stage_w, stage_h = lay["stage"]
        assert lay["texture"] == [int(stage_w) // 4 * 4, int(stage_h)], (moment, lay)
        # no text of any kind is drawn over it
        assert lay["text_over_image"] == [], (moment, lay["text_over_image"])
        # whole centimetres are numbered beside it (60 mm deep: 1 to 6 cm)
        assert {"cm", "1", "2", "3", "4", "5", "6"} <= set(lay["depth_numbers"])
        # the fixed strip sits beside the image, holds at most four buttons, each at least 12 mm tall
        right = lay["image_rect"][0] + lay["image_rect"][2]
        assert len(lay["strip_rects"]) <= 4
        for x, y, bw, bh in lay["strip_rects"]:
            assert x >= right and y >= 0 and x + bw <= w + 0.5
            assert bh >= 12 * px_per_mm - 0.5 and bw >= 12 * px_per_mm
    # the STOP's HIGH hard stop and the LOW pause prompt fit whole in the nav bar's band right of LAST at
    # both sizes (unacknowledged: the whole band): the image keeps its share while they are up
    for moment in ("layout_stop", "layout_prompt_short"):
        assert r[moment]["nav"]["prompt"] and r[moment]["nav"]["prompt_wide"], (moment, r[moment]["nav"])
        assert r[moment]["image_fraction"] >= least, (moment, r[moment]["image_fraction"])
    # frozen with the STOP's prompt up: the freeze holds, the prompt stays where it was (a change of place
    # would resize the image, and a resize ends a freeze), the step's header stays on the screen
    frozen, stop = r["stop_frozen"], r["layout_stop"]
    assert frozen["frozen"] and frozen["beside"] == (stop["prompt_beside"] is not None), frozen
    assert frozen["texture"] == stop["texture"] and frozen["header_top"] <= h + 0.5, (frozen, stop["texture"])
    assert r["layout_prep"]["strip_keys"] == []
    assert [k.split(":")[-1] for k in r["layout_stop"]["strip_keys"]] == ["left", "right", "stop_next"]
    inj = r["layout_injection"]
    keys = inj["strip_keys"]
    assert keys == ["aspirate:negative", "aliquot", "finish", "aspirate:positive"]
    # the two aspiration results are apart (two buttons between) and unlike (colour and words)
    neg, pos = keys.index("aspirate:negative"), keys.index("aspirate:positive")
    assert abs(neg - pos) >= 2
    assert inj["strip_colours"][neg] != inj["strip_colours"][pos]
    assert "BLOOD" in inj["strip_texts"][pos] and "negative" in inj["strip_texts"][neg]
    # finishing asks once more; one tap does not finish
    assert r["finish_armed_label"] == "Tap again: finish"
    assert r["step_after_one_finish_tap"] == "inject"
    # Image -> Step gives the step back whole, never a blank column
    assert r["column_image_panel"] == ["LiveImagePanel"]
    after = r["column_after_toggle"]
    assert after["children"] == ["LiveStepPanel"] and after["step_text"] and after["step_text_shown"]
    assert after["panel_height"] > 0 and after["scroll_y"] == 1


def _assert_depth_numbers_on_the_ticks(lay: dict[str, Any], screenshot: Path) -> None:
    """Each cm number sits level with its major tick, found in the screenshot's pixels (not the code's
    own positions): major ticks are the only bright pixels 10 px left of the image's right edge."""
    from PIL import Image

    pixels = np.asarray(Image.open(screenshot).convert("L"))
    x, y, w, h = lay["image_rect"]
    win_h = pixels.shape[0]
    top, bottom = round(win_h - (y + h)), round(win_h - y)
    column = pixels[top:bottom, round(x + w) - 1 - 4 - 9]
    rows = np.flatnonzero(column > 200) + top
    # one row per tick (a 1-px line); the first is the skin line (0 cm)
    ticks = [int(r) for i, r in enumerate(rows) if i == 0 or r - rows[i - 1] > 1]
    numbers = {int(k): v for k, v in lay["depth_number_rows"].items() if k.isdigit()}
    assert numbers, lay["depth_number_rows"]
    for cm, row in numbers.items():
        assert abs(ticks[cm] - row) <= 3, (cm, row, ticks)


def _assert_prompt_moves_nothing(r: dict[str, Any], size: str, artifacts: Path) -> None:
    """A prompt in the nav bar's band moves nothing: on every look of the procedure LAST is at the left
    edge where it was at the first look, Steps, Scan/Image and Alarms too unless an unacknowledged prompt
    takes the whole band (then they give way, and come back in place), and nothing is drawn over LAST; the
    prompt is shown whole there while its tools give way; and when a prompt came into the band or left it
    between two looks at one screen, that screen (every control on it) is where it was on the look before
    (the oracle: the geometry recorded before the change; tests/ui/test_step_held.py checks each button)."""
    seen = r["seen"]
    first = seen[0]["nav"]
    for s in seen:
        assert nav_moved(s["nav"], first) == [], (s["label"], s["nav"]["fixed"], first["fixed"])
        assert s["nav"]["over_last"] == [] and s["nav"]["last_enabled"], (s["label"], s["nav"]["over_last"])
        if s["prompt_place"] == "nav":
            assert s["nav"]["tools"] == [], s["label"]
            # whole, or (acknowledged, still up) its short form, said acknowledged; the list has the text
            short = s["prompt_short"] and s["prompt_shown"].endswith(" (acknowledged)")
            assert short or s["prompt"] in s["prompt_shown"], (s["label"], s["prompt_shown"])
            # the whole band while unacknowledged (a tap acts on it), the room right of Alarms after
            assert s["nav"]["prompt_wide"] == s["prompt_acts"], s["label"]
            # its act one phrase on one line as laid out ("Tap to override", never "Tap / to override")
            lines = s["nav"]["prompt_line_texts"]
            acts = ("· Tap to override", "· Tap to acknowledge")
            assert not s["prompt_acts"] or any(a in ln for a in acts for ln in lines), (s["label"], lines)
        else:
            assert {"nav_settings", "nav_lock"} <= set(s["nav"]["tools"]), (s["label"], s["nav"]["tools"])
    pairs = [
        {"before": a["label"], "after": b["label"], "screen": [a["screen_rect"], b["screen_rect"]]}
        for a, b in itertools.pairwise(seen)
        if a["screen"] == b["screen"] and {a["prompt_place"], b["prompt_place"]} == {"", "nav"}
    ]
    places = [[s["label"], s["prompt_place"], s["prompt"]] for s in seen if s["prompt"]]
    (artifacts / "prompt-places.json").write_text(json.dumps({"places": places, "pairs": pairs}, indent=1))
    assert all(p["screen"][0] == p["screen"][1] for p in pairs), [
        p for p in pairs if p["screen"][0] != p["screen"][1]
    ]
    if size == "1280x800":
        assert pairs, "no prompt came into or left the nav bar's band"
