"""The cart's one key: an Ed25519 private key made at first start, in one file readable by the service user.

``<key dir>/cart.key`` (PKCS#8 PEM, unencrypted: the cart signs unattended), mode 0600 in a 0700 folder,
with its public half ``cart.pub`` beside it for the hospital to register. The journal signs every event and
every head checkpoint with HMAC-SHA256 keyed by the key's 32-byte Ed25519 seed (``hmac`` from the standard
library; a symmetric MAC suffices because the verifier is the cart itself, or a reviewer given the key).
HMAC-SHA256 is a PRF and Ed25519 derives its scalar through SHA-512 of the seed, so neither use reveals the
seed to the other; keying with the seed itself is what lets records signed before the keys were unified keep
verifying (below). Without the key, a forger who rewrites a record and recomputes its SHA-256 chain cannot
produce the signatures, so ``procedure verify`` calls the record forged.

Where: ``$SONOCART_KEY_DIR``, else ``$XDG_STATE_HOME/sonocart/keys`` (``~/.local/state/...``); the
installed cart (``sonocart cart --state S``) uses ``S/keys``. A key readable by anyone else is refused,
never silently tightened: it may have been copied.

Before the keys were unified the journal kept a raw 32-byte HMAC key (``cart.key`` in the key folder, or
``$XDG_STATE_HOME/sonocart/cart.key``) and first start made a separate Ed25519 key. :func:`ensure_key`
adopts such a legacy raw key as the seed of the one key (the Ed25519 key had signed nothing yet, so it
yields), writes the PEM atomically, and then, on an installed cart (:mod:`sonocart.cart.cart_key`), removes
the legacy file: one key, one file, and every record the legacy key signed still verifies. A developer's
default folder keeps its legacy file (the same seed): older checkouts on the same machine go on signing
with the same key instead of making a new one.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sonocart.journal.private_fs import private_dir, write_private

log = logging.getLogger(__name__)

KEY_BYTES = 32
KEY_NAME = "cart.key"
PUB_NAME = "cart.pub"
MAX_KEY_FILE = 4096


class CartKeyError(Exception):
    """The key exists but cannot be used (neither a PEM Ed25519 key nor a legacy raw key)."""


def _state_home() -> Path:
    return Path(os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")) / "sonocart"


def default_key_dir() -> Path:
    if d := os.environ.get("SONOCART_KEY_DIR"):
        return Path(d)
    return _state_home() / "keys"


def default_legacy_paths() -> tuple[Path, ...]:
    """Where the journal kept its raw key before unification, when the key folder is the default one."""
    return () if os.environ.get("SONOCART_KEY_DIR") else (_state_home() / KEY_NAME,)


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _read(path: Path) -> bytes:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise PermissionError(f"{path} is mode {mode:o}: a signing key must be 0600")
    if path.stat().st_size > MAX_KEY_FILE:
        raise CartKeyError(f"{path} is no cart key ({path.stat().st_size} bytes)")
    return path.read_bytes()


def _legacy_seed(path: Path) -> bytes | None:
    """The raw 32-byte key at ``path``, or None when there is none (or it is the new PEM format)."""
    if not path.is_file():
        return None
    data = _read(path)
    return data if len(data) == KEY_BYTES else None


def _place(path: Path, key: Ed25519PrivateKey, *, replace: bool) -> None:
    """Write the PEM into place atomically; without ``replace`` a key another start made first stays."""
    tmp = write_private(path.with_name(f".{KEY_NAME}.{os.getpid()}"), _pem(key))
    try:
        if replace:
            os.replace(tmp, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def ensure_key(
    directory: Path | None = None, legacy: Sequence[Path] | None = None, *, remove_legacy: bool = False
) -> Path:
    """The key's path, creating it if this cart has none, adopting a legacy raw key (see module doc).

    ``legacy``: where a raw key may be besides the folder itself (default: the developer's default path,
    only when the folder is the default one); ``remove_legacy``: delete it once adopted."""
    folder = private_dir(directory or default_key_dir())
    path = folder / KEY_NAME
    candidates = [path, *(default_legacy_paths() if legacy is None else legacy)]
    for old in candidates:
        seed = _legacy_seed(old)
        if seed is None:
            continue
        if old != path and path.exists() and _seed(load_key(folder)) == seed:
            break  # adopted before (a developer's legacy file is kept)
        had_other = old != path and path.exists()
        _place(path, Ed25519PrivateKey.from_private_bytes(seed), replace=True)
        (folder / PUB_NAME).unlink(missing_ok=True)
        if old != path and remove_legacy:
            old.unlink(missing_ok=True)
        log.warning(
            "cart key: adopted the journal's key %s as %s%s",
            old,
            path,
            " (replacing an Ed25519 key that had signed nothing; cart.pub rewritten)" if had_other else "",
        )
        break
    if not path.exists():
        _place(path, Ed25519PrivateKey.generate(), replace=False)
    pub = folder / PUB_NAME
    if not pub.exists():
        public = load_key(folder).public_key()
        data = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        write_private(pub, data)
    return path


def load_key(directory: Path | None = None) -> Ed25519PrivateKey:
    """The cart's private key from ``directory`` (not created); refuses one readable by others."""
    path = (directory or default_key_dir()) / KEY_NAME
    data = _read(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError as exc:
        raise CartKeyError(f"{path} is no PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CartKeyError(f"{path} is not an Ed25519 key")
    return key


def _seed(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def cart_key(directory: Path | None = None) -> bytes:
    """The journal's HMAC key: the one key's 32-byte seed (the key is made on first use)."""
    folder = directory or default_key_dir()
    ensure_key(folder, None if directory is None else ())
    return _seed(load_key(folder))


def sign(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def signed_by(key: bytes, message: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, message), signature)
