"""Drug names on screen: tall-man letters for look-alikes (ISMP), spelled exactly as the drug's name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sonocart.procedures.catalogue import CatalogueError, default_catalogue_dir, load_catalogue

#: Written out by hand from docs/clinical/catalogue.md (ISMP tall-man letters, CD3 rule).
SHOWN = {
    "bupivacaine": "BUPIVAcaine",
    "levobupivacaine": "levoBUPIVAcaine",
    "ropivacaine": "ROPIVAcaine",
    "lidocaine": "Lidocaine",
}


def test_look_alike_local_anaesthetics_are_shown_in_tall_man_letters_and_recorded_by_name() -> None:
    cat = load_catalogue()
    assert {d: cat.drug_display_name(d) for d in SHOWN} == SHOWN
    assert cat.drug_name("bupivacaine") == "Bupivacaine"  # the record, PDF and DICOM keep the name
    assert cat.drug_display_name("dexamethasone").startswith("dexAMETHasone sodium phosphate")


def test_a_display_name_that_spells_another_drug_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "catalogue"
    shutil.copytree(default_catalogue_dir(), directory)
    drugs = directory / "drugs.toml"
    text = drugs.read_text()
    assert 'display_name = "levoBUPIVAcaine"' in text
    drugs.write_text(text.replace('display_name = "levoBUPIVAcaine"', 'display_name = "levoROPIVAcaine"'))
    with pytest.raises(CatalogueError, match="levobupivacaine: display_name 'levoROPIVAcaine' must spell"):
        load_catalogue(directory)
