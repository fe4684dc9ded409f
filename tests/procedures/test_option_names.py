"""Every option of a choice step is named in the catalogue: the screen and the chart note show the names,
never an id (#14 item 3). A catalogue that leaves one option unnamed, or names one it does not offer, is
refused at load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sonocart.procedures.catalogue import Catalogue, CatalogueError, default_catalogue_dir, load_catalogue
from tests.human_text import MACHINE_TEXT

#: phases.toml's approach step, as the file has it
APPROACH = 'option_names = { in_plane = "in plane", out_of_plane = "out of plane" }'


@pytest.fixture
def work(tmp_path: Path) -> Path:
    out = tmp_path / "cat"
    shutil.copytree(default_catalogue_dir(), out)
    return out


def test_every_option_of_every_shipped_choice_has_words_that_are_not_an_id(catalogue: Catalogue) -> None:
    choices = [s for p in catalogue.procedures.values() for ph in p.phases for s in ph.steps if s.options]
    assert len({s.id for s in choices}) >= 8  # pregnancy, fasting, sedation, indication, needle, ...
    for step in choices:
        names = dict(step.option_names)
        assert list(names) == list(step.options), step.id
        assert all(w.strip() and not MACHINE_TEXT.search(w) for w in names.values()), (step.id, names)


def test_a_choice_with_an_unnamed_option_is_refused(work: Path) -> None:
    phases = work / "phases.toml"
    assert APPROACH in phases.read_text()
    phases.write_text(phases.read_text().replace(APPROACH, 'option_names = { in_plane = "in plane" }'))
    with pytest.raises(CatalogueError, match=r"approach: option_names must name each option.*out_of_plane"):
        load_catalogue(work)


def test_a_name_for_an_option_the_step_does_not_offer_is_refused(work: Path) -> None:
    phases = work / "phases.toml"
    more = APPROACH.replace(" }", ', sideways = "sideways" }')
    phases.write_text(phases.read_text().replace(APPROACH, more))
    with pytest.raises(CatalogueError, match="approach: option_names must name each option, no more"):
        load_catalogue(work)
