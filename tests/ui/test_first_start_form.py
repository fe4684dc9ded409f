"""The first-start form (no window): the new cart shows it, a refusal is shown, success goes to start."""

from __future__ import annotations

from pathlib import Path

from sonocart.cart.session import CartSession
from sonocart.cart.settings import load_settings
from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import load_catalogue
from sonocart_ui.viewmodels.first_start import FirstStartForm
from sonocart_ui.viewmodels.navigation import screen_for
from sonocart_ui.viewmodels.start import StartForm


def test_a_new_cart_opens_on_the_first_start_form_and_then_on_start_with_the_administrator(
    tmp_path: Path,
) -> None:
    path = tmp_path / "settings.json"
    session = CartSession(
        load_catalogue(), tmp_path / "records", ManualClock(), load_settings(path, demo=False), path
    )
    assert screen_for(session) == "first_start"
    form = FirstStartForm(session)
    form.values.update(id="dr_smith", name="Dr Smith", pin="111111", pin_again="111111")
    assert not form.submit()
    assert "one digit repeated" in form.error and form.values["pin"] == "" and form.values["id"] == "dr_smith"
    form.values.update(pin="480215", pin_again="480215")
    assert form.submit() and form.error == ""
    assert screen_for(session) == "start"
    assert StartForm(session).operators() == ["dr_smith"]
    assert StartForm(session).roster_note() == ""


def test_the_demo_team_skips_first_start(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    session = CartSession(
        load_catalogue(), tmp_path / "records", ManualClock(), load_settings(path, demo=True), path
    )
    assert screen_for(session) == "start"
