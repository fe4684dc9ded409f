"""A new cart on the real app: the first-start screen, a refused PIN shown, then start with the admin."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sonocart.cart.settings import load_settings
from tests.conftest import ARTIFACTS
from tests.ui.forms_checks import assert_closing_fixed, assert_fields_labelled

SCENARIO = Path(__file__).with_name("first_start_scenario.py")
#: The fields' names as staff should read them, written here by hand: what a person types, in words; the
#: login name named as such, its example a plain word (no identifier, no snake_case).
FIELD_NAMES = {"Login name, one word (e.g. jsmith)", "Full name", "PIN (6 to 12 digits)", "PIN again"}


def _seen(report: dict[str, Any], label: str) -> dict[str, Any]:
    return dict(next(s for s in report["seen"] if s["label"] == label))


@pytest.mark.ui
def test_a_new_cart_asks_for_its_administrator_refuses_a_weak_pin_then_starts(
    ui_env: dict[str, str], tmp_path: Path
) -> None:
    report_path = tmp_path / "report.json"
    args = [
        "--state",
        str(tmp_path),
        "--artifacts",
        str(ARTIFACTS / "ui" / "first-start"),
        "--report",
        str(report_path),
    ]
    proc = subprocess.run(
        [sys.executable, str(SCENARIO), *args], env=ui_env, capture_output=True, text=True, timeout=180
    )
    assert report_path.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    r = json.loads(report_path.read_text())
    assert "error" not in r and r.get("completed"), (r.get("error"), r.get("traceback"))
    assert _seen(r, "opened")["message"].startswith("New cart: register the first administrator")
    # every field filled keeps its name on screen above it; "Create administrator" is fixed, not scrolled to
    filled = _seen(r, "filled")
    assert len(filled["forms"]["fields"]) == 4
    names = {lab[0] for f in filled["forms"]["fields"] for lab in f["labels"]}
    assert names == FIELD_NAMES, names
    assert not [n for n in names if "_" in n or re.search(r"\bid\b", n, re.IGNORECASE)], names
    assert_fields_labelled(filled["forms"]["fields"], 1509.0 / (10.1 * 25.4))  # the 10-inch screen's px/mm
    assert assert_closing_fixed([dict(filled, screen="first_start")]) == {"create"}
    weak = _seen(r, "weak pin")
    assert weak["screen"] == "first_start" and "one digit repeated" in weak["error"]
    assert weak["pin"] == "" and not weak["saved"]
    done = _seen(r, "registered")
    assert done["screen"] == "start" and done["operators"] == ["dr_smith"] and done["note"] == ""
    assert load_settings(tmp_path / "settings.json", demo=False).check_pin("dr_smith", "480215")
