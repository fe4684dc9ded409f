"""First start: no default PIN; the first administrator is registered once, with a PIN that is not obvious."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest

from sonocart.cart.first_start import FirstStartError, needs_first_administrator, register_first_administrator
from sonocart.cart.session import CartSession
from sonocart.cart.settings import load_settings
from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import load_catalogue


def session(path: Path, demo: bool = False) -> CartSession:
    return CartSession(
        load_catalogue(), path.parent / "records", ManualClock(), load_settings(path, demo=demo), path
    )


def test_a_new_cart_has_no_one_to_sign_in_and_asks_for_an_administrator(tmp_path: Path) -> None:
    s = session(tmp_path / "settings.json")
    assert s.settings.operators == [] and needs_first_administrator(s)
    assert not needs_first_administrator(session(tmp_path / "settings.json", demo=True))  # demo team only


@pytest.mark.parametrize(
    ("pin", "again", "why"),
    [
        ("1234", "1234", "6 to 12 digits"),  # the old default length, and the demo PIN
        ("12345a", "12345a", "6 to 12 digits"),
        ("1234567890123", "1234567890123", "6 to 12 digits"),
        ("777777", "777777", "one digit repeated"),
        ("345678", "345678", "run of digits"),
        ("987654", "987654", "run of digits"),
        ("901234", "901234", "run of digits"),  # wraps 9 -> 0
        ("551234", "551234", "demo PIN"),
        ("480215", "480216", "differ"),
        ("４８０２１５", "４８０２１５", "6 to 12 digits"),  # full-width digits are not keypad digits
    ],
)
def test_weak_or_mistyped_pins_are_refused_and_nothing_is_saved(
    tmp_path: Path, pin: str, again: str, why: str
) -> None:
    path = tmp_path / "settings.json"
    s = session(path)
    with pytest.raises(FirstStartError, match=why):
        register_first_administrator(s, "dr_smith", "Dr Smith", pin, again)
    assert not path.exists() and s.settings.operators == []


def test_the_administrator_is_saved_privately_with_a_salted_hash_and_only_once(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    s = session(path)
    register_first_administrator(s, " Dr_Smith ", "  Dr   Smith ", "480215", "480215")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())["operators"]
    assert [(o["id"], o["name"]) for o in saved] == [("dr_smith", "Dr Smith")]
    kind, salt, digest = saved[0]["pin_hash"].split("$")
    # Independent oracle: scrypt as hashlib computes it, n = 2**14, r = 8 (settings.hash_pin).
    oracle = hashlib.scrypt(b"480215", salt=bytes.fromhex(salt), n=2**14, r=8, p=1, maxmem=1 << 26).hex()
    assert kind == "scrypt" and digest == oracle
    assert "480215" not in path.read_text()
    assert load_settings(path, demo=False).check_pin("dr_smith", "480215")
    assert not needs_first_administrator(s)
    with pytest.raises(FirstStartError, match="already has operators"):
        register_first_administrator(s, "intruder", "Someone", "480215", "480215")
    assert len(json.loads(path.read_text())["operators"]) == 1


def test_a_bad_id_is_refused_with_the_rule(tmp_path: Path) -> None:
    s = session(tmp_path / "settings.json")
    for bad in ("", "x", "9lives", "dr smith", "a" * 33):
        with pytest.raises(FirstStartError, match="login name must be one word"):
            register_first_administrator(s, bad, "Dr Smith", "480215", "480215")


def test_a_new_cart_never_locks_its_screen_since_nobody_could_unlock_it(tmp_path: Path) -> None:
    from sonocart.cart.lock import ScreenLock

    clock = ManualClock()
    s = session(tmp_path / "settings.json")
    lock = ScreenLock(s, clock.monotonic, lambda _ev: None)
    clock.advance(s.settings.idle_lock_s + 1)
    assert not lock.check() and not lock.lock()
    assert "before an administrator is registered" in s.feedback.text  # type: ignore[union-attr]
    register_first_administrator(s, "dr_smith", "Dr Smith", "480215", "480215")
    clock.advance(s.settings.idle_lock_s + 1)
    assert lock.check()  # once someone can unlock it, the idle lock works as before
