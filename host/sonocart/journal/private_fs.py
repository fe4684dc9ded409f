"""Owner-only files and folders: records hold patient identifiers, so only the service user may read them."""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` owner-only, and any missing parent too; tighten ``path`` if it already existed.

    Existing parents keep their modes (they may be someone else's, e.g. a shared folder or a USB stick)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask
    os.chmod(path, DIR_MODE)
    return path


def touch_private(path: Path) -> Path:
    """Create an empty owner-only file before anything (e.g. SQLite) opens it with the default umask."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(fd)
    os.chmod(path, FILE_MODE)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write atomically (temp file, fsync, rename): a crash leaves the old file or the new, never half.

    A missing folder is created owner-only; an existing one keeps its mode (it may be someone else's)."""
    if not path.parent.is_dir():
        private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return path
