"""The cart's signing key: 32 random bytes created at first start, readable by the service user only.

Every journal event and every journal's head checkpoint carries an HMAC-SHA256 under this key
(``hmac``/``hashlib`` from the standard library: no new dependency, and a symmetric key suffices
because the verifier is the cart itself, or a reviewer given the key). Without the key, a forger who
rewrites a record and recomputes its SHA-256 chain cannot produce the signatures, so
``procedure verify`` calls the record forged.

Where: ``$SONOCART_KEY_DIR/cart.key``, else ``$XDG_STATE_HOME/sonocart/cart.key``, else
``~/.local/state/sonocart/cart.key``; the folder is 0700, the file 0600 (tightened if found looser).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from sonocart.journal.private_fs import FILE_MODE, private_dir

KEY_BYTES = 32
KEY_NAME = "cart.key"


class CartKeyError(Exception):
    """The key exists but cannot be used (wrong size, unreadable)."""


def default_key_dir() -> Path:
    if d := os.environ.get("SONOCART_KEY_DIR"):
        return Path(d)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "sonocart"


def cart_key(directory: Path | None = None) -> bytes:
    """This cart's key, created (once, atomically, even with two processes starting) if missing."""
    folder = private_dir(directory or default_key_dir())
    path = folder / KEY_NAME
    if not path.exists():
        tmp = folder / f".{KEY_NAME}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        try:
            os.write(fd, secrets.token_bytes(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # fails if another process made it first: then theirs is the key
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, FILE_MODE)
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise CartKeyError(f"{path}: a cart key is {KEY_BYTES} bytes, this one {len(key)}")
    return key


def sign(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def signed_by(key: bytes, message: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, message), signature)
