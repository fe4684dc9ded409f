"""The per-cart key: made once, 0600, never replaced, its public half beside it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sonocart.cart.cart_key import ensure_cart_key, load_cart_key


def test_first_start_makes_one_private_key_and_later_starts_keep_it(tmp_path: Path) -> None:
    path = ensure_cart_key(tmp_path)
    assert path == tmp_path / "keys" / "cart.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    first = path.read_bytes()
    assert first.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert ensure_cart_key(tmp_path).read_bytes() == first
    pub = serialization.load_pem_public_key((tmp_path / "keys" / "cart.pub").read_bytes())
    assert isinstance(pub, Ed25519PublicKey)
    pub.verify(load_cart_key(tmp_path).sign(b"journal head"), b"journal head")  # raises if not a pair


def test_a_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = ensure_cart_key(tmp_path)
    path.chmod(0o644)
    with pytest.raises(PermissionError, match="0600"):
        load_cart_key(tmp_path)
