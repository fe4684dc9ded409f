"""The frame file format and the geometry JSON: exact round trips, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sonocart.imaging import frame_file
from sonocart.imaging.frame_file import FrameFileError
from sonocart.imaging.geometry import Geometry, GeometryError
from sonocart.imaging.scanconvert import ScanConverter


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.complex64])
def test_frame_file_round_trips_lines_and_geometry(tmp_path: Path, dtype: type) -> None:
    g = Geometry("convex", 2.0, 70.0, radius_mm=40.0, fov_deg=60.0)
    lines = (np.arange(3 * 5) % 200).astype(dtype).reshape(3, 5)
    frame_file.save(tmp_path / "f.npz", lines, g)
    loaded = frame_file.load(tmp_path / "f.npz")
    assert loaded.geometry == g
    assert loaded.lines.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(loaded.lines, lines)


def test_geometry_json_uses_the_documented_field_names() -> None:
    g = Geometry.from_json('{"kind": "phased", "depth_start_mm": 0, "depth_end_mm": 90, "fov_deg": 75}')
    assert g == Geometry("phased", 0.0, 90.0, fov_deg=75.0)
    assert Geometry.from_json(g.to_json()) == g


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"kind": "sector", "depth_start_mm": 0, "depth_end_mm": 9}', "kind must be one of"),
        ('{"kind": "linear", "depth_start_mm": 0, "depth_end_mm": 40}', "width_mm > 0"),
        ('{"kind": "convex", "depth_start_mm": 0, "depth_end_mm": 40, "fov_deg": 60}', "radius_mm > 0"),
        (
            '{"kind": "phased", "depth_start_mm": 50, "depth_end_mm": 40, "fov_deg": 60}',
            "depth_start_mm < depth_end_mm",
        ),
        ('{"kind": "phased", "depth_end_mm": 40, "fov_deg": 60}', "missing 'depth_start_mm'"),
        ('{"kind": "linear", "depth_start_mm": 0, "depth_end_mm": 40, "width_mm": 30, "tilt": 3}', "unknown"),
        ("[1, 2]", "must be an object"),
        ("{", "not valid JSON"),
    ],
)
def test_invalid_geometry_is_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(GeometryError, match=message):
        Geometry.from_json(text)


def test_frame_file_missing_arrays_is_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "f.npz", lines=np.zeros((2, 2), dtype=np.uint8))
    with pytest.raises(FrameFileError, match="needs arrays 'lines' and 'geometry'"):
        frame_file.load(tmp_path / "f.npz")


def test_scan_conversion_tables_are_built_once_per_geometry_and_viewport() -> None:
    g = Geometry("linear", 0.0, 40.0, width_mm=38.0)
    a = ScanConverter(g, 64, 256, 320, 240)
    b = ScanConverter(Geometry("linear", 0.0, 40.0, width_mm=38.0), 64, 256, 320, 240)
    assert b.tables is a.tables  # an equal geometry and viewport reuse the tables
    assert b.out is not a.out  # but every converter writes its own image
    assert ScanConverter(g, 64, 256, 320, 200).tables is not a.tables
