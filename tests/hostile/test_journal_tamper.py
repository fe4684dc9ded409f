"""Every way of rewriting a record behind the cart's back is found and named: damaged, forged or
truncated, with the first bad event; ``procedure verify`` says so in one line, never a traceback."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from sonocart.cli import main
from sonocart.journal.keys import cart_key
from sonocart.journal.store import GENESIS_HASH, Journal, TamperDetected, chain_hash

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
N = 6


def make(folder: Path, key: bytes = KEY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "journal.sqlite"
    with Journal(path, key) as j:
        for i in range(N):
            j.append("note", {"text": f"event {i + 1}"}, "dr_ana", 1_800_000_000.0 + i)
    return path


def sql(path: Path, statement: str) -> None:
    db = sqlite3.connect(path)
    db.executescript(f"DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; {statement}")
    db.commit()
    db.close()


def rows(path: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    out = db.execute("SELECT seq, wall, operator, type, payload FROM events ORDER BY seq").fetchall()
    db.close()
    return out


def rechain(path: Path, items: list[tuple[object, ...]], key: bytes | None = None) -> None:
    """What a forger without the cart's key can do: rewrite every row with a correct SHA-256 chain."""
    from sonocart.journal.keys import sign

    db = sqlite3.connect(path)
    db.executescript("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; DELETE FROM events;")
    prev = GENESIS_HASH
    for seq, wall, op, type_, payload in items:
        digest = chain_hash(prev, int(seq), float(wall), str(op), str(type_), str(payload))  # type: ignore[arg-type]
        sig = sign(key, digest) if key else "0" * 64
        db.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, wall, op, type_, payload, prev, digest, sig),
        )
        prev = digest
    db.commit()
    db.close()


def edited(path: Path, seq: int, text: str) -> list[tuple[object, ...]]:
    return [(s, w, o, t, json.dumps({"text": text}) if s == seq else p) for s, w, o, t, p in rows(path)]


def wal_snapshot(folder: Path, dest: Path) -> Path:
    """A journal with its last events still only in the WAL, copied while the cart has it open."""
    folder.mkdir(parents=True)
    path = folder / "journal.sqlite"
    j = Journal(path, KEY)
    for i in range(3):
        j.append("note", {"text": f"event {i + 1}"}, "dr_ana", 1_800_000_000.0 + i)
    j._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for i in range(3, N):
        j.append("note", {"text": f"event {i + 1}"}, "dr_ana", 1_800_000_000.0 + i)
    dest.mkdir()
    for suffix in ("", "-wal", ".head"):
        shutil.copy(f"{path}{suffix}", dest / f"journal.sqlite{suffix}")
    j.close()
    return dest / "journal.sqlite"


def flip_wal(path: Path) -> None:
    wal = Path(f"{path}-wal")
    data = bytearray(wal.read_bytes())
    data[-100] ^= 0xFF  # inside the last frame: its checksum fails, SQLite drops it and what follows
    wal.write_bytes(bytes(data))


def flip_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))


Tamper = Callable[[Path], Path]


def at(p: Path, f: Callable[[Path], None]) -> Path:
    f(p)
    return p


CASES: dict[str, tuple[Tamper, str, int | None]] = {
    "payload edited": (
        lambda p: at(p, lambda q: sql(q, """UPDATE events SET payload='{"text":"x"}' WHERE seq=3""")),
        "forged",
        3,
    ),
    "operator edited": (
        lambda p: at(p, lambda q: sql(q, "UPDATE events SET operator='mallory' WHERE seq=2")),
        "forged",
        2,
    ),
    "time edited": (
        lambda p: at(p, lambda q: sql(q, "UPDATE events SET wall=wall+3600 WHERE seq=4")),
        "forged",
        4,
    ),
    "type edited": (
        lambda p: at(p, lambda q: sql(q, "UPDATE events SET type='override' WHERE seq=5")),
        "forged",
        5,
    ),
    "prev edited": (
        lambda p: at(p, lambda q: sql(q, f"UPDATE events SET prev='{'1' * 64}' WHERE seq=2")),
        "forged",
        2,
    ),
    "signature blanked": (
        lambda p: at(p, lambda q: sql(q, "UPDATE events SET sig='' WHERE seq=6")),
        "forged",
        6,
    ),
    "middle event deleted": (
        lambda p: at(p, lambda q: sql(q, "DELETE FROM events WHERE seq=3")),
        "forged",
        3,
    ),
    "seq renumbered": (
        lambda p: at(p, lambda q: sql(q, "UPDATE events SET seq=30 WHERE seq=3")),
        "forged",
        3,
    ),
    "payload not JSON": (
        lambda p: at(p, lambda q: sql(q, "UPDATE events SET payload='{oops' WHERE seq=2")),
        "damaged",
        2,
    ),
    "edit with the chain recomputed": (
        lambda p: at(p, lambda q: rechain(q, edited(q, 3, "forged"))),
        "forged",
        1,
    ),
    "event inserted, chain recomputed": (
        lambda p: at(
            p,
            lambda q: rechain(
                q,
                [
                    *rows(q)[:2],
                    (3, 1.8e9, "dr_ana", "note", '{"text":"in"}'),
                    *[(s + 1, *r) for s, *r in rows(q)[2:]],
                ],
            ),
        ),
        "forged",
        1,
    ),
    "event deleted, chain recomputed": (
        lambda p: at(
            p, lambda q: rechain(q, [(i + 1, *r[1:]) for i, r in enumerate(rows(q)[:2] + rows(q)[3:])])
        ),
        "forged",
        1,
    ),
    "forged event appended": (
        lambda p: at(
            p, lambda q: rechain(q, [*rows(q), (N + 1, 1.9e9, "dr_ana", "note", '{"text":"late"}')])
        ),
        "forged",
        1,
    ),
    "re-signed with another cart's key": (
        lambda p: at(p, lambda q: rechain(q, edited(q, 2, "x"), OTHER_KEY)),
        "forged",
        1,
    ),
    "last event deleted": (
        lambda p: at(p, lambda q: sql(q, f"DELETE FROM events WHERE seq={N}")),
        "truncated",
        N,
    ),
    "all events deleted": (lambda p: at(p, lambda q: sql(q, "DELETE FROM events")), "truncated", 1),
    "journal emptied to 0 bytes": (lambda p: at(p, lambda q: q.write_bytes(b"")), "truncated", 1),
    "journal file replaced by garbage": (
        lambda p: at(p, lambda q: q.write_bytes(b"x" * 8192)),
        "damaged",
        None,
    ),
    "journal file cut in half": (
        lambda p: at(p, lambda q: q.write_bytes(q.read_bytes()[: len(q.read_bytes()) // 2])),
        "damaged|truncated",
        None,
    ),
    "page overwritten": (lambda p: at(p, flip_page), "damaged|forged", None),
    "signed head deleted": (lambda p: at(p, lambda q: Path(f"{q}.head").unlink()), "truncated", None),
    "signed head forged": (
        lambda p: at(
            p,
            lambda q: Path(f"{q}.head").write_text(
                json.dumps({"count": 2, "hash": "0" * 64, "sig": "0" * 64})
            ),
        ),
        "forged",
        None,
    ),
    "signed head garbage": (lambda p: at(p, lambda q: Path(f"{q}.head").write_text("{")), "damaged", None),
}


def classify(path: Path) -> TamperDetected | None:
    try:
        with Journal(path, KEY) as j:
            j.verify()
    except TamperDetected as exc:
        return exc
    except Exception as exc:  # anything else escaping verify is a failure of its own
        pytest.fail(f"verify raised {type(exc).__name__}: {exc}")
    return None


def test_an_untouched_journal_verifies(tmp_path: Path) -> None:
    path = make(tmp_path / "r")
    with Journal(path, KEY) as j:
        assert j.verify() == N
        head = j.signed_head()
    assert json.loads(Path(f"{path}.head").read_text()) == head and head["count"] == N


@pytest.mark.parametrize("name", list(CASES))
def test_each_tamper_is_detected_and_named(tmp_path: Path, name: str) -> None:
    tamper, kind, first = CASES[name]
    path = tamper(make(tmp_path / "r"))
    exc = classify(path)
    assert exc is not None, f"{name}: not detected"
    assert exc.kind in kind.split("|"), f"{name}: called {exc.kind}: {exc}"
    if first is not None:
        assert exc.seq == first, f"{name}: first bad event {exc.seq}, expected {first}: {exc}"


def test_a_damaged_wal_is_a_truncation(tmp_path: Path) -> None:
    path = wal_snapshot(tmp_path / "live", tmp_path / "copy")
    with Journal(path, KEY) as j:
        assert j.verify() == N  # the copy with its WAL is whole
    path = wal_snapshot(tmp_path / "live2", tmp_path / "copy2")
    flip_wal(path)
    exc = classify(path)
    assert exc is not None and exc.kind == "truncated"


def test_a_deleted_wal_is_a_truncation(tmp_path: Path) -> None:
    path = wal_snapshot(tmp_path / "live", tmp_path / "copy")
    Path(f"{path}-wal").unlink()
    exc = classify(path)
    assert exc is not None and exc.kind == "truncated" and exc.seq == 4


@pytest.mark.parametrize(
    "name",
    ["payload edited", "last event deleted", "journal file replaced by garbage", "signed head garbage"],
)
def test_procedure_verify_names_the_kind_in_one_line_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    monkeypatch.setenv("SONOCART_KEY_DIR", str(tmp_path / "key"))
    tamper, kind, _first = CASES[name]
    tamper(make(tmp_path / "r", cart_key()))
    assert main(["procedure", "verify", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.split(":")[0].lower() in kind.split("|"), err


def test_the_cart_key_is_created_once_and_readable_by_the_owner_only(tmp_path: Path) -> None:
    key = cart_key(tmp_path / "k")
    assert cart_key(tmp_path / "k") == key and len(key) == 32
    assert (tmp_path / "k" / "cart.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "k").stat().st_mode & 0o777 == 0o700
