"""Small lookup tables derived from the settings: TGC/gain curve over depth, grey maps, compression LUTs.

Each is cached on exactly the settings it depends on, so moving a slider
builds one table once and every later frame reuses it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sonocart.imaging.settings import GREY_MAPS, TGC_BANDS

UINT16_FULL_SCALE = 65535.0
#: dynamic range the probe used when it sends uint8 (already log-compressed) lines.
UINT8_SOURCE_DR_DB = 60.0


@lru_cache(maxsize=32)
def gain_curve_db(gain_db: float, tgc_db: tuple[float, ...], n_samples: int) -> np.ndarray:
    """float64[n_samples]: overall gain plus TGC in dB at each sample (range along the line).

    Band k's slider sets the gain at the centre of the k-th eighth of the line;
    between centres the curve follows a cosine (smoothstep) blend, so it has no
    kinks; above the first and below the last centre it is flat.
    """
    if len(tgc_db) != TGC_BANDS:
        raise ValueError(f"TGC needs {TGC_BANDS} bands, got {len(tgc_db)}")
    pos = (np.arange(n_samples) + 0.5) / n_samples * TGC_BANDS - 0.5  # band-centre units
    pos = np.clip(pos, 0.0, TGC_BANDS - 1)
    k = np.minimum(np.floor(pos).astype(np.intp), TGC_BANDS - 2)
    t = pos - k
    blend = 0.5 - 0.5 * np.cos(np.pi * t)
    bands = np.asarray(tgc_db, dtype=np.float64)
    curve: np.ndarray = gain_db + bands[k] * (1 - blend) + bands[k + 1] * blend
    curve.setflags(write=False)
    return curve


@lru_cache(maxsize=32)
def amplitude_gain_row(gain_db: float, tgc_db: tuple[float, ...], n_samples: int) -> np.ndarray:
    """float32[n_samples]: the linear amplitude factor of :func:`gain_curve_db`."""
    row = (10.0 ** (gain_curve_db(gain_db, tgc_db, n_samples) / 20.0)).astype(np.float32)
    row.setflags(write=False)
    return row


@lru_cache(maxsize=16)
def grey_map(name: str) -> np.ndarray:
    """uint8[256]: display level → shown grey level."""
    x = np.arange(256, dtype=np.float64) / 255.0
    if name == "linear":
        y = x
    elif name == "soft":  # lifts the low end: more visible soft tissue, less contrast
        y = x**0.7
    elif name == "contrast":  # S-curve: darker fluid, brighter reflectors (needle, fascia)
        y = x * x * (3 - 2 * x)
    else:
        raise ValueError(f"grey map must be one of {GREY_MAPS}, got {name!r}")
    table = np.rint(y * 255.0).astype(np.uint8)
    table.setflags(write=False)
    return table


@lru_cache(maxsize=16)
def amplitude_lut(dynamic_range_db: float, grey_map_name: str) -> np.ndarray:
    """uint8[65536]: amplitude code (65535 = full scale) → grey level, log compression and grey map fused.

    display = clip((20·log10(A/65535) + DR) / DR, 0, 1) · 255 (gain is applied to A beforehand).
    """
    if not dynamic_range_db > 0:
        raise ValueError(f"dynamic range must be positive, got {dynamic_range_db}")
    amplitude = np.arange(65536, dtype=np.float64)
    with np.errstate(divide="ignore"):
        db = 20.0 * np.log10(amplitude / UINT16_FULL_SCALE)
    level = np.rint(np.clip((db + dynamic_range_db) / dynamic_range_db, 0.0, 1.0) * 255.0).astype(np.intp)
    table = grey_map(grey_map_name)[level]
    table.setflags(write=False)
    return table
