"""The frame file (``.npz``): scan lines plus their geometry, for recordings and offline rendering.

``lines`` is ``[n_lines, n_samples]`` of ``uint8`` (log-compressed display value),
``uint16`` (linear envelope, 65535 = full scale) or ``complex64`` (IQ); ``geometry``
is a JSON string (see :mod:`sonocart.imaging.geometry` and docs/frame-file.md).
"""

from __future__ import annotations

import json
import math
import zipfile
import zlib
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


#: Caps checked before anything is decompressed or allocated: the largest line block the probe link
#: accepts (``validation.frames``: 1 024 lines x 16 384 samples of complex64 = 128 MiB) and a geometry
#: JSON far longer than any real one.
MAX_LINES_BYTES = 1024 * 16384 * 8
MAX_GEOMETRY_BYTES = 64 * 1024
MAX_SHAPE = (1024, 16384)
_MEMBERS = {"lines.npy", "geometry.npy"}


def load(path: str | Path) -> FrameFile:
    """Read a frame file, refusing (:class:`FrameFileError`, one line) anything but two bounded arrays.

    Each member's header is read and checked (dtype, shape, size against the caps and against the
    member's stated size) before its data is read, so a small file that inflates to gigabytes, or a
    header that claims more than memory, is refused without allocating it.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            names = {i.filename: i for i in zf.infolist()}
            if not {"lines.npy", "geometry.npy"} <= set(names):
                found = sorted(n.removesuffix(".npy") for n in names)
                raise FrameFileError(f"{path}: needs arrays 'lines' and 'geometry', has {found}")
            if extra := sorted(set(names) - _MEMBERS):
                raise FrameFileError(f"{path}: unexpected members {extra[:5]}")
            lines = _read_member(zf, names["lines.npy"], MAX_LINES_BYTES, path)
            geometry_arr = _read_member(zf, names["geometry.npy"], MAX_GEOMETRY_BYTES, path)
    except FrameFileError:
        raise
    except (OSError, zipfile.BadZipFile, zlib.error, ValueError, EOFError, NotImplementedError) as exc:
        raise FrameFileError(f"{path}: not a readable .npz frame file ({exc})") from exc
    check_lines(lines)
    if geometry_arr.dtype.kind != "U" or geometry_arr.shape != ():
        raise FrameFileError(f"{path}: 'geometry' must be one JSON string")
    geometry_text = str(geometry_arr[()])
    if lines.dtype == np.complex64 and not np.isfinite(lines).all():
        raise FrameFileError(f"{path}: lines hold NaN or Inf samples")
    try:
        problem = _geometry_types(geometry_text)
        if problem:
            raise FrameFileError(f"{path}: {problem}")
        geometry = Geometry.from_json(geometry_text)
    except GeometryError as exc:
        raise FrameFileError(f"{path}: {exc}") from exc
    return FrameFile(lines, geometry)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, path: str | Path) -> np.ndarray:
    name = info.filename.removesuffix(".npy")
    if info.file_size > cap + 4096:  # the .npy header is at most a few KiB
        raise FrameFileError(f"{path}: '{name}' inflates to {info.file_size} bytes (at most {cap})")
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f, max_header_size=4096)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f, max_header_size=4096)
        else:
            raise FrameFileError(f"{path}: '{name}' has .npy version {version}")
        if dtype.hasobject:
            raise FrameFileError(f"{path}: '{name}' holds Python objects")
        count = 1
        for n in shape:
            count *= n
        size = count * dtype.itemsize
        if size > cap or (name == "lines" and len(shape) == 2 and not _within_shape(shape)):
            raise FrameFileError(f"{path}: '{name}' of shape {shape} is larger than allowed ({cap} bytes)")
        data = f.read(size + 1)
        if len(data) != size:
            raise FrameFileError(f"{path}: '{name}' holds {len(data)} bytes, its header says {size}")
    arr = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    return np.array(arr)  # owned and writeable, like np.load's


def _within_shape(shape: tuple[int, ...]) -> bool:
    return all(n <= cap for n, cap in zip(shape, MAX_SHAPE, strict=True))


def _geometry_types(text: str) -> str | None:
    """Exact types in the geometry JSON (a string kind, numbers elsewhere), before it is read."""
    try:
        d = json.loads(text)
    except RecursionError:
        return "geometry JSON is nested too deeply"
    except json.JSONDecodeError:
        return None  # Geometry.from_json says what is wrong with it
    if not isinstance(d, dict):
        return None
    for key, value in d.items():
        if key == "kind":
            if not isinstance(value, str):
                return f"geometry kind must be text, not {type(value).__name__}"
        elif isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return f"geometry {key} must be a finite number, not {value!r:.40}"
    return None
