"""Point targets land where the calibration says, within 1 px, for every probe geometry."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sonocart.cli import main
from sonocart.imaging import frame_file
from sonocart.imaging.geometry import Geometry
from sonocart.imaging.pipeline import BModePipeline

GEOMETRIES = {
    "linear": Geometry("linear", 0.0, 40.0, width_mm=38.0),
    "convex": Geometry("convex", 0.0, 80.0, radius_mm=40.0, fov_deg=60.0),
    "phased": Geometry("phased", 0.0, 100.0, fov_deg=90.0),
    "convex-offset-start": Geometry("convex", 5.0, 65.0, radius_mm=20.0, fov_deg=120.0),
}
N_LINES, N_SAMPLES = 128, 1024
#: (line, sample) positions of the point targets: near the corners, the centre and off-centre.
TARGETS = [(10, 100), (64, 512), (117, 900), (30, 700), (100, 250)]


def _point_targets() -> np.ndarray:
    """Point scatterers as the probe would see them: a small point-spread function, not one sample."""
    li, si = np.meshgrid(np.arange(N_LINES), np.arange(N_SAMPLES), indexing="ij")
    amp = np.zeros((N_LINES, N_SAMPLES))
    for tl, ts in TARGETS:
        amp += np.exp(-0.5 * (((li - tl) / 0.8) ** 2 + ((si - ts) / 4.0) ** 2))
    return (np.clip(amp, 0, 1) * 65535).astype(np.uint16)


def _blob_centroid(image: np.ndarray, u: float, v: float, radius: int = 8) -> tuple[float, float]:
    u0, v0 = round(u), round(v)
    win = image[max(0, v0 - radius) : v0 + radius + 1, max(0, u0 - radius) : u0 + radius + 1].astype(float)
    vv, uu = np.mgrid[max(0, v0 - radius) : v0 + radius + 1, max(0, u0 - radius) : u0 + radius + 1]
    vv, uu = vv[: win.shape[0], : win.shape[1]], uu[: win.shape[0], : win.shape[1]]
    total = win.sum()
    assert total > 0, f"no echo near ({u:.1f}, {v:.1f})"
    return float((uu * win).sum() / total), float((vv * win).sum() / total)


@pytest.mark.parametrize("name", sorted(GEOMETRIES))
@pytest.mark.parametrize("viewport", [(800, 600), (640, 900)])
def test_point_targets_land_within_one_pixel(name: str, viewport: tuple[int, int]) -> None:
    geometry = GEOMETRIES[name]
    image, cal = BModePipeline(*viewport).process(_point_targets(), geometry)
    assert image.shape == (viewport[1], viewport[0])
    for li, si in TARGETS:
        x, z = geometry.to_xz(np.array(li), np.array(si), N_LINES, N_SAMPLES)
        u, v = cal.origin_px[0] + float(x) / cal.mm_per_px, cal.origin_px[1] + float(z) / cal.mm_per_px
        cu, cv = _blob_centroid(image, u, v)
        assert np.hypot(cu - u, cv - v) <= 1.0, (name, li, si, (u, v), (cu, cv))


@pytest.mark.parametrize("name", sorted(GEOMETRIES))
def test_whole_sector_fits_and_outside_is_black(name: str) -> None:
    geometry = GEOMETRIES[name]
    lines = np.full((N_LINES, N_SAMPLES), 65535, dtype=np.uint16)
    image, cal = BModePipeline(800, 600).process(lines, geometry)
    corners = [(0, 0), (N_LINES - 1, 0), (0, N_SAMPLES - 1), (N_LINES - 1, N_SAMPLES - 1)]
    for li, si in corners:
        x, z = geometry.to_xz(np.array(li), np.array(si), N_LINES, N_SAMPLES)
        u, v = cal.to_px(float(x), float(z))
        assert -0.5 <= u <= 799.5 and -0.5 <= v <= 599.5, (li, si, u, v)
    inside = image > 0
    assert inside.any() and not inside.all()
    assert image[0, 0] == 0 or name == "linear"  # a sector leaves the top corners black


def test_origin_is_the_transducer_centre_for_each_geometry() -> None:
    for geometry in GEOMETRIES.values():
        _, cal = BModePipeline(800, 600).process(_point_targets(), geometry)
        x, z = geometry.to_xz(np.array((N_LINES - 1) / 2), np.array(0.0), N_LINES, N_SAMPLES)
        # the centre line's first sample sits depth_start below the origin, on the centre line
        assert abs(float(x)) < 1e-9
        assert abs(float(z) - geometry.depth_start_mm) < 1e-9
        assert cal.to_mm(*cal.origin_px) == (0.0, 0.0)


def test_render_command_writes_png_and_calibration_json(tmp_path: Path) -> None:
    geometry = GEOMETRIES["phased"]
    src = tmp_path / "frame.npz"
    frame_file.save(src, _point_targets(), geometry)
    out = tmp_path / "out.png"
    assert (
        main(
            ["render", str(src), "-o", str(out), "--width", "500", "--height", "400", "--dynamic-range", "50"]
        )
        == 0
    )
    image = np.asarray(Image.open(out))
    meta = json.loads(out.with_suffix(".json").read_text())
    assert image.shape == (400, 500) and image.dtype == np.uint8
    assert set(meta) >= {"mm_per_px", "origin_px"}
    li, si = TARGETS[1]
    x, z = geometry.to_xz(np.array(li), np.array(si), N_LINES, N_SAMPLES)
    u = meta["origin_px"][0] + float(x) / meta["mm_per_px"]
    v = meta["origin_px"][1] + float(z) / meta["mm_per_px"]
    cu, cv = _blob_centroid(image, u, v)
    assert np.hypot(cu - u, cv - v) <= 1.0


def test_render_command_reports_a_bad_frame_file_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.npz"
    np.savez(bad, lines=np.zeros((4, 4), dtype=np.float64), geometry=np.array('{"kind": "linear"}'))
    assert main(["render", str(bad), "-o", str(tmp_path / "x.png")]) == 1
    assert "dtype must be uint8, uint16 or complex64" in capsys.readouterr().err
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    assert main(["render", str(tmp_path / "junk.npz"), "-o", str(tmp_path / "x.png")]) == 1
    assert "not a readable .npz" in capsys.readouterr().err
