"""The per-cart signing key: made once, on the cart's first start, kept in the state directory.

An Ed25519 private key (PKCS#8 PEM, unencrypted: the cart signs unattended) at
``<state>/keys/cart.key``, mode 0600, owned by the service user, with its public half beside it
(``cart.pub``, SubjectPublicKeyInfo PEM) for the hospital to register. It is written to a temporary file
and linked into place, so two starts racing make one key and a crash never leaves half a key. Journal
signing (issue 15) loads it with :func:`load_cart_key`; nothing here signs.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sonocart.journal.private_fs import private_dir, write_private

KEY_DIR = "keys"
KEY_NAME = "cart.key"
PUB_NAME = "cart.pub"


def cart_key_path(state_dir: Path) -> Path:
    return state_dir / KEY_DIR / KEY_NAME


def ensure_cart_key(state_dir: Path) -> Path:
    """The cart key's path, creating the key first if this cart has none (never replacing one)."""
    path = cart_key_path(state_dir)
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        private_dir(path.parent)
        tmp = write_private(path.with_name(f".{KEY_NAME}.{os.getpid()}"), pem)
        try:
            os.link(tmp, path)  # fails if another start made one meanwhile: theirs stays
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    pub = path.with_name(PUB_NAME)
    if not pub.exists():
        with contextlib.suppress(FileExistsError):
            public = load_cart_key(state_dir).public_key()
            data = public.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            write_private(pub, data)
    return path


def load_cart_key(state_dir: Path) -> Ed25519PrivateKey:
    """The cart's private key; refuses one readable by others than its owner."""
    path = cart_key_path(state_dir)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise PermissionError(f"{path} is mode {mode:o}: a signing key must be 0600")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return key
