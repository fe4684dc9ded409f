"""The forms' view-models without a window: the keypad's keys and what it shows above them, the closing
action each form pins at its bottom, the locked cart's banner and the summary's dates."""

from __future__ import annotations

from pathlib import Path

from sonocart.cart.settings import DEMO_PIN
from sonocart_ui.viewmodels.keypad import ROWS
from sonocart_ui.viewmodels.lock import banner_shown
from sonocart_ui.viewmodels.summary import human_date
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP, started

#: The pad as the team reads it, row by row (written out here, not taken from the code under test).
PAD = [["1", "2", "3", "4", "5", "DEL"], ["6", "7", "8", "9", "0", "."]]


def _to(form: object, step: str) -> None:
    for at, key in SIGN_IN_TO_PREP:
        if form.view().step_id == step:  # type: ignore[attr-defined]
            return
        assert form.view().step_id == at  # type: ignore[attr-defined]
        assert form.press(key)  # type: ignore[attr-defined]


def test_the_keypad_is_two_rows_of_digits_with_delete_and_point_in_fixed_places() -> None:
    labels = {"back": "DEL", "dot": "."}
    assert [[labels.get(k, k.removeprefix("digit:")) for k in row] for row in ROWS] == PAD


def test_a_number_step_shows_the_typed_value_with_its_unit_above_the_pad_and_pins_enter(
    tmp_path: Path,
) -> None:
    _session, form = started(tmp_path)
    _to(form, "hr_before")
    view = form.view()
    assert view.keypad is not None and view.keypad.decimal and view.keypad.value.startswith("—")
    keys = {a.key for a in view.actions}
    assert {f"digit:{d}" for d in "0123456789"} | {"dot", "back", "ok"} <= keys
    form.press("digit:7")
    form.press("digit:2")
    view = form.view()
    assert view.keypad is not None and view.keypad.value.startswith("72")
    assert view.submit is not None and view.submit.key == "ok" and view.submit.label.startswith("Enter 72")


def test_a_members_pin_shows_as_dots_with_their_name_on_a_pad_without_a_point(tmp_path: Path) -> None:
    _session, form = started(tmp_path)
    _to(form, "timeout_team")
    form.press("confirm_as:rn_ben")
    for d in DEMO_PIN[:3]:
        form.press(f"digit:{d}")
    view = form.view()
    assert view.keypad is not None and not view.keypad.decimal
    assert view.keypad.value == "PIN of RN Ben: ***"
    assert "dot" not in {a.key for a in view.actions}
    assert view.submit is not None and view.submit.key == "member_ok"


def test_steps_without_digits_have_no_keypad_and_a_list_pins_its_done(tmp_path: Path) -> None:
    _session, form = started(tmp_path)
    view = form.view()  # the team list
    assert view.keypad is None and view.submit is not None and view.submit.key == "done"
    _to(form, "consent_valid")
    view = form.view()  # yes / no: two answers, nothing to pin
    assert view.keypad is None and view.submit is None


def test_a_locked_cart_names_no_patient_and_the_banner_is_back_once_unlocked() -> None:
    banner = "Family name: Doe, given name: Jane · MRN: MRN1"
    assert banner_shown(banner, locked=True) == ""
    assert banner_shown(banner, locked=False) == banner
    assert banner_shown(None, locked=False) == ""


def test_follow_up_dates_read_as_local_calendar_dates() -> None:
    # 1 December 2026 is a Tuesday: a week later is too, and 23 February 2027 is a Tuesday (12 weeks on)
    assert human_date("2026-12-08") == "Tue 8 Dec 2026"
    assert human_date("2027-02-23") == "Tue 23 Feb 2027"
    assert human_date("next week") == "next week"  # not a date: shown as written, never dropped
