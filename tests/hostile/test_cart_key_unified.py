"""One cart key, one file: the Ed25519 key of first start also keys the journal's signatures, and a
journal key from before the unification is adopted so the records it signed still verify."""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sonocart.cart.cart_key import ensure_cart_key, load_cart_key
from sonocart.commands.cart import app_argv
from sonocart.journal.keys import cart_key
from sonocart.journal.store import Journal, JournalWriteError

LEGACY = bytes(range(100, 132))  # a raw 32-byte journal key as the journal kept it before


def legacy_record(folder: Path) -> Path:
    """A record signed the way the journal signed before: HMAC-SHA256 under the raw 32-byte key."""
    folder.mkdir(parents=True)
    path = folder / "journal.sqlite"
    with Journal(path, LEGACY) as j:
        for i in range(3):
            j.append("note", {"text": f"event {i}"}, "dr_ana", 1_800_000_000.0 + i)
    db = sqlite3.connect(path)
    digest, sig = db.execute("SELECT hash, sig FROM events WHERE seq = 1").fetchone()
    db.close()
    assert sig == hmac.new(LEGACY, digest.encode(), hashlib.sha256).hexdigest()  # oracle: stdlib hmac
    return path


def write_raw(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.write(fd, data)
    os.close(fd)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def seed_of(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def test_first_start_adopts_the_installed_carts_journal_key_and_old_records_still_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "var-lib-sonocart"
    # an installed cart from before: issue 16's Ed25519 key (it had signed nothing) and the journal's raw key
    ensure_cart_key(state)
    write_raw(state / ".local/state/sonocart/cart.key", LEGACY)
    record = legacy_record(state / "records" / "r1")

    path = ensure_cart_key(state)
    assert sorted(p.name for p in (state / "keys").iterdir()) == ["cart.key", "cart.pub"]
    assert not (state / ".local/state/sonocart/cart.key").exists()  # one key, one file
    assert mode(path) == 0o600 and mode(state / "keys") == 0o700
    key = load_cart_key(state)
    assert seed_of(key) == LEGACY
    pub = serialization.load_pem_public_key((state / "keys" / "cart.pub").read_bytes())
    assert isinstance(pub, Ed25519PublicKey)
    pub.verify(key.sign(b"head"), b"head")  # cart.pub is the adopted key's public half

    monkeypatch.setenv("SONOCART_KEY_DIR", str(state / "keys"))
    with Journal(record) as j:  # the key the journal now loads: the one file
        assert j.verify() == 3
        j.append("note", {"text": "after the unification"}, "dr_ana", 1_800_000_100.0)
        assert j.verify() == 4
    assert ensure_cart_key(state) == path and seed_of(load_cart_key(state)) == LEGACY  # stable


def test_the_journal_and_the_installed_cart_use_the_same_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    monkeypatch.setenv("SONOCART_KEY_DIR", str(tmp_path / "elsewhere"))
    args = argparse.Namespace(state=state, probe="/dev/p", pedal="/dev/q")
    assert app_argv(args) is not None
    assert os.environ["SONOCART_KEY_DIR"] == str(state / "keys")  # the app's journal signs with this
    assert cart_key() == seed_of(load_cart_key(state))
    assert not (tmp_path / "elsewhere").exists()


def test_a_raw_key_in_the_key_folder_becomes_the_pem_key_with_the_same_seed(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    write_raw(folder / "cart.key", LEGACY)
    assert cart_key(folder) == LEGACY
    assert (folder / "cart.key").read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert cart_key(folder) == LEGACY


def test_a_cart_key_readable_by_others_is_refused_not_tightened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "keys"
    monkeypatch.setenv("SONOCART_KEY_DIR", str(folder))
    cart_key()
    (folder / "cart.key").chmod(0o644)
    with pytest.raises(JournalWriteError, match="must be 0600") as info:
        Journal(tmp_path / "journal.sqlite")
    assert "\n" not in str(info.value)
    assert mode(folder / "cart.key") == 0o644


def test_a_developers_default_journal_key_is_adopted_and_kept_for_older_checkouts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SONOCART_KEY_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    legacy = tmp_path / "state" / "sonocart" / "cart.key"
    write_raw(legacy, LEGACY)
    record = legacy_record(tmp_path / "r1")
    assert cart_key() == LEGACY
    pem = tmp_path / "state" / "sonocart" / "keys" / "cart.key"
    assert pem.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----") and mode(pem) == 0o600
    assert legacy.read_bytes() == LEGACY  # an older checkout signing with it signs with the same key
    with Journal(record) as j:
        assert j.verify() == 3
    before = pem.stat().st_ino
    assert cart_key() == LEGACY and pem.stat().st_ino == before  # adopted once, not rewritten per use
