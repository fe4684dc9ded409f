"""The journal is SQLite WAL with full sync, append-only, hash-chained, operator-stamped and owner-only."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from sonocart.journal.store import Journal, TamperDetected


def journal_with_events(path: Path, n: int = 5) -> Journal:
    j = Journal(path)
    for i in range(n):
        j.append("note", {"text": f"n{i}"}, "rn_ben", 1000.0 + i)
    return j


def test_journal_runs_in_wal_mode_with_full_synchronous_commits(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        assert j.pragma("journal_mode") == "wal"
        assert j.pragma("synchronous") == 2  # FULL


def test_events_keep_order_payload_and_operator(tmp_path: Path) -> None:
    with journal_with_events(tmp_path / "j.sqlite") as j:
        evs = list(j.events())
        assert [e.seq for e in evs] == [1, 2, 3, 4, 5]
        assert evs[2].payload == {"text": "n2"} and evs[2].operator == "rn_ben"
        assert j.verify() == 5


def test_an_event_without_operator_is_refused(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j, pytest.raises(ValueError, match="operator"):
        j.append("note", {}, "", 1.0)


def test_update_and_delete_are_refused_by_the_database(tmp_path: Path) -> None:
    journal_with_events(tmp_path / "j.sqlite").close()
    db = sqlite3.connect(tmp_path / "j.sqlite")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE events SET payload = '{}' WHERE seq = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM events WHERE seq = 2")
    db.close()


def _tamper(path: Path, sql: str) -> None:
    db = sqlite3.connect(path)
    db.executescript(f"DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; {sql}")
    db.commit()
    db.close()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("""UPDATE events SET payload = '{"text":"forged"}' WHERE seq = 3""", "altered"),
        ("UPDATE events SET operator = 'someone_else' WHERE seq = 2", "altered"),
        ("DELETE FROM events WHERE seq = 2", "missing"),
    ],
)
def test_tampering_behind_sqlites_back_is_detected(tmp_path: Path, sql: str, message: str) -> None:
    journal_with_events(tmp_path / "j.sqlite").close()
    _tamper(tmp_path / "j.sqlite", sql)
    with Journal(tmp_path / "j.sqlite") as j, pytest.raises(TamperDetected, match=message):
        j.verify()


def test_a_recomputed_row_hash_still_breaks_the_chain_at_the_next_event(tmp_path: Path) -> None:
    from sonocart.journal.store import chain_hash

    journal_with_events(tmp_path / "j.sqlite").close()
    db = sqlite3.connect(tmp_path / "j.sqlite")
    seq, wall, op, type_, _payload, prev = db.execute(
        "SELECT seq, wall, operator, type, payload, prev FROM events WHERE seq = 3"
    ).fetchone()
    forged = '{"text":"forged"}'
    digest = chain_hash(prev, seq, wall, op, type_, forged)
    db.close()
    _tamper(tmp_path / "j.sqlite", f"UPDATE events SET payload = '{forged}', hash = '{digest}' WHERE seq = 3")
    with Journal(tmp_path / "j.sqlite") as j, pytest.raises(TamperDetected, match="event 4 does not follow"):
        j.verify()


def test_journal_and_its_folder_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "rec" / "j.sqlite"
    journal_with_events(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
