"""A prompt's short form (catalogue/alarms.toml ``short``): written words shown once it is acknowledged and
still up, read from the table when the prompt is built and never journaled, so an old journal replays
unchanged; the loader refuses one longer than the room it is shown in, or on a prompt never shown
acknowledged."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from procedure_drivers import advance_to

from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import Catalogue, CatalogueError, default_catalogue_dir, load_catalogue
from sonocart.procedures.engine import Engine
from sonocart.procedures.inputs import Acknowledge, Aspirate, LogAliquot
from sonocart.records.record import ProcedureRecord

NewRecord = Callable[..., ProcedureRecord]
#: Written here from the clinical lead's wording (issue 14), not read from the table.
POSITIVE_SHORT = "Positive aspiration: do not inject"


def test_a_positive_aspiration_carries_its_short_form_acknowledged_and_after_a_replay(
    new_record: NewRecord, clock: ManualClock, catalogue: Catalogue
) -> None:
    rec = new_record()
    advance_to(rec, clock, "inject")
    rec.engine.submit(Aspirate("positive", "dr_ana"))
    top = rec.engine.highest_prompt()
    assert top is not None and top.id == "positive_aspiration" and top.short == POSITIVE_SHORT
    assert top.text.startswith("Positive aspiration: do not inject. Reposition")  # the whole text kept
    clock.advance(2)
    rec.engine.submit(Acknowledge("positive_aspiration", "dr_ana"))
    held = rec.engine.state.prompts["positive_aspiration"]
    assert held.acknowledged and held.short == POSITIVE_SHORT  # still up (blood aspirated), short form kept
    raised = [e.payload for e in rec.journal.events() if e.type == "prompt_raised"]
    assert raised and all("short" not in p for p in raised)  # not journaled
    again = Engine.resume(catalogue, rec.journal, clock)
    assert again.state.prompts["positive_aspiration"].short == POSITIVE_SHORT


def test_a_prompt_without_a_short_form_in_the_table_has_none(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    advance_to(rec, clock, "inject")
    rec.engine.submit(LogAliquot(3, "dr_ana"))  # no aspiration first: a MEDIUM prompt, gone once acknowledged
    (flagged,) = [p for p in rec.engine.active_prompts() if p.id.startswith("no_aspiration")]
    assert flagged.short == ""


def _with_short(tmp_path: Path, key: str, short: str) -> Path:
    work = tmp_path / "cat"
    shutil.copytree(default_catalogue_dir(), work)
    path = work / "alarms.toml"
    text = path.read_text()
    header = f"[prompts.{key}]\n"
    head, row = text.split(header, 1)
    row, rest = row.split("\n\n", 1)
    kept = "".join(line + "\n" for line in row.split("\n") if not line.startswith("short ="))
    path.write_text(f'{head}{header}short = "{short}"\n{kept}\n{rest}')
    return work


def test_the_longest_short_form_that_fits_loads_and_one_character_more_is_refused(tmp_path: Path) -> None:
    fits = "x" * 34  # 34 characters: the room right of Alarms at 7 inches (docs/ui.md)
    (tmp_path / "a").mkdir()
    assert load_catalogue(_with_short(tmp_path / "a", "image_lost", fits)).short_form("image_lost") == fits
    (tmp_path / "b").mkdir()
    with pytest.raises(CatalogueError, match="at most 34 fit"):
        load_catalogue(_with_short(tmp_path / "b", "image_lost", fits + "x"))


@pytest.mark.parametrize("short", ["  padded", "two\\nlines", "12"])
def test_a_short_form_that_is_not_one_line_of_text_is_refused(tmp_path: Path, short: str) -> None:
    work = _with_short(tmp_path, "image_lost", short)
    if short == "12":
        path = work / "alarms.toml"
        path.write_text(path.read_text().replace('short = "12"', "short = 12"))
    with pytest.raises(CatalogueError, match="one line of text"):
        load_catalogue(work)


def test_a_short_form_on_a_prompt_that_is_never_shown_acknowledged_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="holds_while"):
        load_catalogue(_with_short(tmp_path, "no_aspiration", "No aspiration"))


def test_every_short_form_in_the_table_is_on_a_prompt_that_holds(catalogue: Catalogue) -> None:
    shorts = {k: r.short for k, r in catalogue.alarms.items() if r.short}
    assert set(shorts) == {
        "last_emergency",
        "dose_exceeded",
        "positive_aspiration",
        "image_lost",
        "escalated",
    }
    assert all(catalogue.alarms[k].holds_while for k in shorts)
