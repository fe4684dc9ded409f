"""The Settings screen's PACS view-model without a window: what the fields open with, what a save
writes, and what a refused entry says and keeps (the file read back with json, not with the core)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sonocart_ui.viewmodels.settings import SettingsForm
from tests.ui.vm_fixtures import new_session


def _file_pacs(path: Path | None) -> object:
    assert path is not None
    return json.loads(path.read_text())["pacs"] if path.exists() else None


def test_the_fields_open_with_the_destination_the_cart_sends_to(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    form = SettingsForm(session)
    assert form.pacs_fields() == ("127.0.0.1", "4242", "ORTHANC")  # the shipped default
    session.settings.pacs.host, session.settings.pacs.port = "pacs.example", 11112
    assert form.pacs_fields() == ("pacs.example", "11112", "ORTHANC")


def test_a_valid_destination_is_saved_trimmed_in_use_and_in_the_file(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    form = SettingsForm(session)
    assert form.set_pacs(" 10.1.2.3 ", "104", "ARCHIVE ")
    want = {"host": "10.1.2.3", "port": 104, "called_aet": "ARCHIVE", "calling_aet": "SONOCART"}
    assert _file_pacs(session.settings_path) == want
    assert form.pacs_fields() == ("10.1.2.3", "104", "ARCHIVE")
    assert session.feedback is not None and session.feedback.text == "settings saved"


@pytest.mark.parametrize(
    ("host", "port", "aet", "said"),
    [
        ("", "104", "ARCHIVE", "PACS host = '' is not text of 1 to 253 characters"),
        ("10.1.2.3", "0", "ARCHIVE", "Port = 0 is out of range 1..65535"),
        ("10.1.2.3", "65536", "ARCHIVE", "Port = 65536 is out of range 1..65535"),
        ("10.1.2.3", "", "ARCHIVE", "Port must be a whole number"),
        ("10.1.2.3", "104", "", "Called AE title = '' is not text of 1 to 16 characters"),
        ("10.1.2.3", "104", "A" * 17, f"Called AE title = '{'A' * 17}' is not text of 1 to 16 characters"),
    ],
)
def test_a_refused_entry_is_said_by_its_label_and_the_old_destination_is_kept(
    tmp_path: Path, host: str, port: str, aet: str, said: str
) -> None:
    session = new_session(tmp_path)
    form = SettingsForm(session)
    assert form.set_pacs("pacs.example", "11112", "WARD7")
    before = _file_pacs(session.settings_path)
    assert not form.set_pacs(host, port, aet)
    assert session.feedback is not None and not session.feedback.ok
    assert session.feedback.text == f"PACS not saved: {said}"
    assert form.pacs_fields() == ("pacs.example", "11112", "WARD7")
    assert _file_pacs(session.settings_path) == before
