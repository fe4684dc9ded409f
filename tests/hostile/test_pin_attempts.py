"""PINs: a memory-hard hash (scrypt, n = 2**14); wrong PINs limited by a doubling back-off, journaled."""

from __future__ import annotations

import hashlib
from typing import Any

from sonocart.cart.lock import BACKOFF_S, FREE_ATTEMPTS
from sonocart.cart.settings import hash_pin, pin_matches
from sonocart.journal.store import Journal
from sonocart.records.record import JOURNAL_NAME
from tests.cart.conftest import demo_roster, rig
from tests.cart.test_cart_policies import _open

__all__ = ["demo_roster", "rig"]


def test_a_pin_hash_is_scrypt_with_n_2_14_computed_independently() -> None:
    stored = hash_pin("1234")
    kind, salt, digest = stored.split("$")
    oracle = hashlib.scrypt(b"1234", salt=bytes.fromhex(salt), n=2**14, r=8, p=1, maxmem=1 << 26).hex()
    assert kind == "scrypt" and digest == oracle
    assert pin_matches("1234", stored) and not pin_matches("1243", stored)


def test_wrong_pins_back_off_and_each_one_is_on_the_record(rig: Any) -> None:
    cart, _board, clock, _events = rig
    _open(cart)
    clock.advance(61)
    cart.pump()
    assert cart.lock.locked
    for _ in range(FREE_ATTEMPTS):
        assert not cart.unlock("rn_ben", "0000")
    assert not cart.unlock("rn_ben", "1234"), "the right PIN too must wait out the back-off"
    clock.advance(BACKOFF_S - 1)
    assert not cart.unlock("rn_ben", "1234")
    clock.advance(2)
    assert cart.unlock("rn_ben", "1234") and not cart.lock.locked
    with Journal(cart.session.record.path / JOURNAL_NAME) as journal:  # type: ignore[union-attr]
        notes = [e.payload["text"] for e in journal.events() if e.type == "note"]
    assert sum(n.startswith("unlock: wrong PIN") for n in notes) == FREE_ATTEMPTS
    assert sum("unlock refused: wait" in n for n in notes) == 2
