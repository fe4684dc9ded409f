"""The live sector drawn by the GLSL shader equals the CPU scan converter within 1 grey level.

Real Kivy on Xvfb + Mesa (llvmpipe): the shader renders into an Fbo (and, in the app, into the window),
the pixels are read back and compared with ``ScanConverter`` + burnt-in overlays on the same lines.
Left/right is pinned by an off-axis marker line whose pixel is computed by hand in the scenario.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ARTIFACTS

SCENARIO = Path(__file__).with_name("sector_shader_scenario.py")


def _run(ui_env: dict[str, str], tmp_path: Path, *args: str) -> dict[str, Any]:
    report_path = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, str(SCENARIO), "--report", str(report_path), *args],
        env=ui_env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert report_path.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    report: dict[str, Any] = json.loads(report_path.read_text())
    assert "error" not in report and report.get("completed"), (report, proc.stderr[-3000:])
    return report


@pytest.mark.ui
def test_the_shader_sector_equals_the_cpu_scan_conversion_within_one_grey_level_left_on_the_left(
    ui_env: dict[str, str], tmp_path: Path
) -> None:
    cases = _run(ui_env, tmp_path, "--mode", "fbo")["cases"]
    assert {(c["geometry"], tuple(c["viewport"])) for c in cases} == {
        (g, v) for g in ("linear", "convex", "phased") for v in ((800, 600), (480, 360))
    }
    for c in cases:
        where = f"{c['geometry']} {c['viewport']} {c['lines']}"
        assert c["grey_channels_equal"], where
        assert c["max_diff_outside"] == 0, where  # black outside the sector, the marks where they belong
        # edge pixels: exact (line, sample) within 0.01 of the sector's edge, where 32-bit (GPU) and
        # 64-bit (CPU) arithmetic may disagree about "inside"; a linear probe's edges are whole pixel
        # rows and columns, a fan's edge is cut by the arcs and sides at a few points
        limit = 3000 if c["geometry"] == "linear" else 150
        assert c["edge_pixels_excluded"] <= limit, where
        assert c["edge_pixels_differing"] <= 4, where
        if c["lines"] == "phantom":  # rings, a lateral wave, a 255 marker line and the overlay marks
            assert c["max_diff_inside"] <= 1, where
            assert c["marked_pixels"] > 500, where
        else:
            # uniform random lines, steps of up to 255 between neighbours: OpenCV's remap quantises
            # its bilinear weights to 1/32, the GPU's filter to its own steps; a handful of pixels
            # round 2 levels apart (4 of 340,000 at most so far)
            assert c["max_diff_inside"] <= 2 and c["pixels_over_1_inside"] <= 20, where
        assert c["mean_diff_inside"] < 0.3, where
        if c["lines"] != "phantom":
            continue
        # left stays left: the marker's pixel computed by hand in the scenario
        u, _v, origin_u = c["marker_u_v_origin_u"]
        assert u < origin_u - 50, where  # line 25 of 128 is left of the centre line: by hand
        assert c["gpu_at_marker"] >= 200, where  # the 255 marker where it was computed to be
        assert c["gpu_at_mirror"] < 150, where  # and not mirrored


@pytest.mark.ui
def test_a_shader_that_does_not_compile_or_draws_wrongly_is_refused_and_said_once(
    ui_env: dict[str, str], tmp_path: Path
) -> None:
    fb = _run(ui_env, tmp_path, "--mode", "fbo")["fallbacks"]
    assert fb["good_built"]
    assert not fb["not_compiling"]["built"] and not fb["mirrored"]["built"]
    assert fb["not_compiling"]["log"] == [
        "sector shader not used (the shader did not compile): the live screen scan-converts on the CPU"
    ]
    (said,) = fb["mirrored"]["log"]  # found by reading the start-up test sector back
    assert said.startswith("sector shader not used (it differs from the CPU path by ")


@pytest.mark.ui
def test_the_live_screen_draws_with_the_shader_and_with_the_cpu_when_needle_enhancement_is_on(
    ui_env: dict[str, str], tmp_path: Path
) -> None:
    artifacts = ARTIFACTS / "ui" / "sector-shader"
    report = _run(
        ui_env, tmp_path, "--mode", "app", "--link", str(tmp_path / "probe"), "--artifacts", str(artifacts)
    )
    assert report["gpu_wanted"]
    assert report["gpu_frames_in_1s"] >= 5 and report["cpu_frames_in_1s"] == 0
    # the window, read back while frozen, against the CPU scan conversion of the lines on screen
    # and again after a depth change (new mapping, marks moved)
    assert report["depths_mm"][1] > report["depths_mm"][0]
    for label in ("window_vs_cpu", "window_vs_cpu_new_depth"):
        w = report[label]
        assert w["inside_pixels"] > 100_000 and report[f"{label}_image_mean"] > 10, label
        assert w["max_diff_inside"] <= 1 and w["max_diff_outside"] == 0, (label, w)
        # ~280 edge pixels on this convex probe; a few of them land on the other side of the edge
        assert w["edge_pixels_excluded"] <= 1000 and w["edge_pixels_differing"] <= 12, (label, w)
    # needle enhancement on: the detector needs the image, so the CPU path draws
    assert report["needle_gpu_frames_in_1s"] == 0 and report["needle_cpu_frames_in_1s"] >= 5
    assert report["needle_texture_is_cpu_image"]
    # and shown on whole pixels: the window is the CPU image exactly (no column repeated or dropped)
    w = report["needle_window_vs_cpu"]
    assert w["max_diff_inside"] == 0 and w["max_diff_outside"] == 0 and w["edge_pixels_differing"] == 0
