"""The frame file (``.npz``): scan lines plus their geometry, for recordings and offline rendering.

``lines`` is ``[n_lines, n_samples]`` of ``uint8`` (log-compressed display value),
``uint16`` (linear envelope, 65535 = full scale) or ``complex64`` (IQ); ``geometry``
is a JSON string (see :mod:`sonocart.imaging.geometry` and docs/frame-file.md).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sonocart.imaging.geometry import Geometry, GeometryError

LINE_DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.complex64))


class FrameFileError(ValueError):
    pass


@dataclass(frozen=True)
class FrameFile:
    lines: np.ndarray
    geometry: Geometry


def check_lines(lines: np.ndarray) -> None:
    if lines.ndim != 2 or lines.shape[0] < 2 or lines.shape[1] < 2:
        raise FrameFileError(f"lines must be 2-D [n_lines >= 2, n_samples >= 2], got shape {lines.shape}")
    if lines.dtype not in LINE_DTYPES:
        raise FrameFileError(f"lines dtype must be uint8, uint16 or complex64, got {lines.dtype}")


def save(path: str | Path, lines: np.ndarray, geometry: Geometry) -> None:
    check_lines(lines)
    np.savez_compressed(path, lines=lines, geometry=np.array(geometry.to_json()))


def load(path: str | Path) -> FrameFile:
    try:
        with np.load(path, allow_pickle=False) as data:
            if "lines" not in data or "geometry" not in data:
                raise FrameFileError(f"{path}: needs arrays 'lines' and 'geometry', has {sorted(data.files)}")
            lines = np.array(data["lines"])
            geometry_text = str(data["geometry"][()])
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        if isinstance(exc, FrameFileError):
            raise
        raise FrameFileError(f"{path}: not a readable .npz frame file ({exc})") from exc
    check_lines(lines)
    try:
        geometry = Geometry.from_json(geometry_text)
    except GeometryError as exc:
        raise FrameFileError(f"{path}: {exc}") from exc
    return FrameFile(lines, geometry)
