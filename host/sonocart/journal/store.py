"""The procedure journal: SQLite in WAL mode with full synchronous commits, append-only, hash-chained.

An event counts as done only once :meth:`Journal.append` has returned, i.e. after the commit reached the disk;
callers (the engine) apply an event to their state only after that. Triggers refuse UPDATE and DELETE, and
each row's hash covers the previous row's, so an edit made behind SQLite's back is found by :meth:`verify`.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sonocart.journal.private_fs import private_dir, touch_private

GENESIS_HASH = "0" * 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq      INTEGER PRIMARY KEY,
    wall     REAL    NOT NULL,
    operator TEXT    NOT NULL,
    type     TEXT    NOT NULL,
    payload  TEXT    NOT NULL,
    prev     TEXT    NOT NULL,
    hash     TEXT    NOT NULL
);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
"""


class JournalError(Exception):
    """Base of journal failures."""


class JournalWriteError(JournalError):
    """The event could not be made durable (read-only or full disk, I/O error); nothing was recorded."""


class TamperDetected(JournalError):
    """A stored event no longer matches its hash chain."""


@dataclass(frozen=True)
class Event:
    seq: int
    wall: float
    operator: str
    type: str
    payload: Mapping[str, Any]
    hash: str


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev: str, seq: int, wall: float, operator: str, type_: str, payload_json: str) -> str:
    body = _canonical([prev, seq, repr(wall), operator, type_, payload_json])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _explain(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        return "the record's disk is read-only"
    if "full" in text:
        return "the record's disk is full"
    return f"the record could not be written ({exc})"


def _explain_os(exc: OSError) -> str:
    if exc.errno == errno.EROFS:
        return "the record's disk is read-only"
    if exc.errno == errno.ENOSPC:
        return "the record's disk is full"
    return str(exc)


class Journal:
    """One procedure's event log in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            private_dir(path.parent)
            if not path.exists():
                touch_private(path)
        except OSError as exc:
            raise JournalWriteError(f"cannot open journal {path}: {_explain_os(exc)}") from exc
        if not os.access(path.parent, os.W_OK) or not os.access(path, os.W_OK):
            # WAL needs its -wal and -shm files beside the journal: a read-only disk cannot hold a record.
            raise JournalWriteError(f"cannot open journal {path}: the record's disk is read-only")
        try:
            # isolation_level=None: explicit BEGIN/COMMIT, so each append is one transaction.
            self._db = sqlite3.connect(path, isolation_level=None, timeout=5.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise JournalWriteError(f"cannot open journal {path}: {_explain(exc)}") from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tail(self) -> tuple[int, str]:
        row = self._db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return (0, GENESIS_HASH) if row is None else (int(row[0]), str(row[1]))

    def append(self, type_: str, payload: Mapping[str, Any], operator: str, wall: float) -> Event:
        """Commit one event durably; raises :class:`JournalWriteError` and records nothing on failure."""
        return self.append_many([(type_, payload)], operator, wall)[-1]

    def append_many(
        self, items: Sequence[tuple[str, Mapping[str, Any]]], operator: str, wall: float
    ) -> list[Event]:
        """Commit several events atomically: all of them or none."""
        if not operator:
            raise ValueError("every journaled event needs the operator's id")
        out: list[Event] = []
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                seq, prev = self._tail()
                for type_, payload in items:
                    seq += 1
                    payload_json = _canonical(dict(payload))
                    digest = chain_hash(prev, seq, wall, operator, type_, payload_json)
                    self._db.execute(
                        "INSERT INTO events (seq, wall, operator, type, payload, prev, hash)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (seq, wall, operator, type_, payload_json, prev, digest),
                    )
                    out.append(Event(seq, wall, operator, type_, json.loads(payload_json), digest))
                    prev = digest
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise JournalWriteError(f"event not recorded: {_explain(exc)}") from exc
        return out

    def pragma(self, name: str) -> object:
        """A connection setting, for checks that the durability settings are in force."""
        if not name.isidentifier():
            raise ValueError(name)
        row = self._db.execute(f"PRAGMA {name}").fetchone()
        return None if row is None else row[0]

    def events(self) -> Iterator[Event]:
        for seq, wall, operator, type_, payload, _prev, digest in self._db.execute(
            "SELECT seq, wall, operator, type, payload, prev, hash FROM events ORDER BY seq"
        ):
            yield Event(int(seq), float(wall), str(operator), str(type_), json.loads(payload), str(digest))

    def verify(self) -> int:
        """Recompute the chain; return the number of events or raise :class:`TamperDetected`."""
        check = self._db.execute("PRAGMA integrity_check").fetchone()
        if check is None or check[0] != "ok":
            raise TamperDetected(f"the journal file is damaged: {check}")
        prev = GENESIS_HASH
        expected_seq = 0
        for seq, wall, operator, type_, payload, stored_prev, digest in self._db.execute(
            "SELECT seq, wall, operator, type, payload, prev, hash FROM events ORDER BY seq"
        ):
            expected_seq += 1
            if seq != expected_seq:
                raise TamperDetected(f"event {expected_seq} is missing (found {seq})")
            if stored_prev != prev:
                raise TamperDetected(f"event {seq} does not follow event {seq - 1}")
            if chain_hash(prev, seq, wall, operator, type_, payload) != digest:
                raise TamperDetected(f"event {seq} was altered after it was recorded")
            prev = digest
        return expected_seq
