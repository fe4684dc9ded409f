"""The per-cart key in the installed cart's state directory: ``<state>/keys/cart.key`` (and ``cart.pub``).

One key signs everything (:mod:`sonocart.journal.keys`: an Ed25519 key whose seed keys the journal's
HMAC-SHA256); this module only places it in the state directory. It is made on the cart's first start
(``sonocart cart``), which also points the app at it (``SONOCART_KEY_DIR``), and adopts the raw key the
journal kept before the keys were unified (then at ``<state>/.local/state/sonocart/cart.key``, the service
user's ``$HOME`` being the state directory), so records it signed still verify.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sonocart.journal.keys import KEY_NAME, ensure_key, load_key

KEY_DIR = "keys"


def cart_key_dir(state_dir: Path) -> Path:
    return state_dir / KEY_DIR


def cart_key_path(state_dir: Path) -> Path:
    return cart_key_dir(state_dir) / KEY_NAME


def legacy_key_path(state_dir: Path) -> Path:
    """Where the journal's raw key was on an installed cart before the keys were unified."""
    return state_dir / ".local" / "state" / "sonocart" / KEY_NAME


def ensure_cart_key(state_dir: Path) -> Path:
    """The cart key's path, made if this cart has none; only a legacy journal key ever replaces one."""
    return ensure_key(cart_key_dir(state_dir), legacy=(legacy_key_path(state_dir),), remove_legacy=True)


def load_cart_key(state_dir: Path) -> Ed25519PrivateKey:
    """The cart's private key; refuses one readable by others than its owner."""
    return load_key(cart_key_dir(state_dir))
