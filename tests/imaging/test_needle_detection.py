"""Needle enhancement finds simulated needles (tip within 2 mm, angle within 3°) and nothing else.

The matrix runs on every simulator scene, probe and angle family, each needle aimed as its
block is done (``tests/imaging/test_needle_aim.py`` checks the aim against the anatomy).
Combinations the detector does not yet get right are listed in ``KNOWN_MISSES`` and marked
as strict expected failures: they are issue 12's open part (docs/imaging.md gives the
measured table), and a fix makes them pass — and fail as "unexpectedly passing" until the
list is updated.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np
import pytest

from sonocart.imaging import needle_end, needle_judge, needle_shaft
from sonocart.imaging.geometry import Geometry
from sonocart.imaging.needle import NeedleDetector
from sonocart.imaging.pipeline import BModePipeline, DisplaySettings
from sonocart.imaging.scanconvert import Calibration
from sonocart.sim.needle import NeedlePath
from sonocart.sim.needle_aim import aimed_needle
from sonocart.sim.probe_sim import PROBES
from sonocart.sim.scenes import SCENES
from sonocart.sim.tissue import TissueScene, default_needle

ANGLES = [20.0, 35.0, 60.0, 150.0]  # shallow, medium, steep, and from the right
#: Each case's needle is aimed the way its block is done (:func:`~sonocart.sim.needle_aim.aimed_needle`:
#: the tip in the scene's target, the shaft traced back to where it enters the view, nothing in its
#: way); where that angle cannot be, the nearest one from the same side is used, and the case is
#: judged against the angle the simulator used (``sim.needle.angle_deg``).
MIN_VISIBLE_MM = 8.0
#: (scene, probe, angle) where the generic :func:`~sonocart.sim.tissue.default_needle` path (aimed
#: at mid-depth, ignoring the anatomy) stops on bone before ``MIN_VISIBLE_MM`` of it is in view: the
#: sacrum or the patella. Kept to pin that a needle not in the picture is not reported.
GENERIC_NOT_IN_VIEW = {
    *(("caudal", "convex", a) for a in ANGLES),
    ("caudal", "linear", 60.0),
    *(("caudal", "phased", a) for a in ANGLES),
    ("knee", "convex", 150.0),
}
#: (scene, probe, angle) measured to miss (no estimate, or tip > 2 mm / angle > 3° off) at this commit
#: with the aimed needles (docs/imaging.md has the table and the reasons; ``python -m
#: tools.bench.needle_matrix`` prints it). 16 of 48 (17 in round 12: caudal phased 35° now passes).
#: Steep (60°) femoral and knee needles on the linear probe: not found, the shaft 53–58 grey levels
#: above the local level, under the 97th-percentile candidate level (63): 29–31 of the frame's 730–782
#: candidates lie on it, the vote goes to the vessel walls and the fascia iliaca. Medial (130°)
#: femoral, linear: found at 2.5 s, at 4 s the tip read 4.2 mm long (on the nerve's outline); convex:
#: not found. Femoral convex 60°: the tip read 2.2 and 7.4 mm short (the shaft dims under half its
#: level for 2 mm just above the fascia iliaca). Knee convex 60°: nothing at 2.5 s (the 12 tries go to
#: lines through the corner where the sector's edge meets the bone). Phased: femoral 20° and 130°,
#: knee 60° not found; femoral 35° at 2.5 s the tip 2.8 mm long and the angle 4.7° off; knee 150°
#: nothing at 2.5 s, at 4 s 6.5 mm short and 4.3° off; muscle 35° and 40° nothing at 2.5 s (the
#: half-resolution centreline wobbles past the gate), at 4 s 35° is 3.4° off; caudal 25° the angle
#: 4.1–4.8° off; caudal 45° the tip 6.7 mm short at 2.5 s (the shaft's far half is dim), nothing at
#: 4 s; caudal 150° nothing at 2.5 s (at 4 s 1.7 mm, 0.5°).
KNOWN_MISSES = {
    ("femoral", "linear", 60.0),
    ("femoral", "linear", 150.0),
    ("femoral", "convex", 60.0),
    ("femoral", "convex", 150.0),
    *(("femoral", "phased", a) for a in (20.0, 35.0, 150.0)),
    ("knee", "linear", 60.0),
    ("knee", "convex", 60.0),
    *(("knee", "phased", a) for a in (60.0, 150.0)),
    *(("caudal", "phased", a) for a in (20.0, 60.0, 150.0)),
    ("muscle", "phased", 35.0),
    ("muscle", "phased", 60.0),
}
#: (scene, probe) where a frame without a needle gets one: a false needle, the worse failure.
KNOWN_FALSE_NEEDLES: set[tuple[str, str]] = set()


def _cases() -> list[object]:
    out: list[object] = []
    for scene in sorted(SCENES):
        for probe in sorted(PROBES):
            for angle in ANGLES:
                marks = []
                if (scene, probe, angle) in KNOWN_MISSES:
                    marks.append(
                        pytest.mark.xfail(strict=True, reason="issue 12 item 3: not yet accurate here")
                    )
                out.append(pytest.param(scene, probe, angle, marks=marks, id=f"{scene}-{probe}-{angle:g}"))
    return out


@pytest.mark.parametrize(("scene", "probe", "angle"), _cases())
def test_needle_tip_and_angle_are_found_at_known_positions(scene: str, probe: str, angle: float) -> None:
    g = PROBES[probe]
    sim = TissueScene(g, 128, 1024, seed=11, needle=aimed_needle(scene, g, angle), scene_name=scene)
    assert sim.needle is not None
    truth = sim.needle.angle_deg  # the simulated needle's own (the family's, or the nearest possible)
    pipe = BModePipeline(800, 600, DisplaySettings(needle_enhance=True))
    for t_s in (2.5, 4.0):  # partly and fully advanced
        pipe.process(sim.envelope(t_s, 0), g)
        est = pipe.needle
        assert est is not None, (probe, truth, t_s)
        tip = sim.needle.tip_mm(t_s)  # the simulated needle (a path aimed into bone stops on it)
        assert math.dist(est.tip_mm, tip) <= 2.0, (probe, truth, t_s, est.tip_mm, tip)
        assert abs(est.angle_deg - truth) <= 3.0, (probe, truth, est.angle_deg)
        assert 0.5 <= est.confidence <= 1.0


def _no_needle_cases() -> list[object]:
    return [
        pytest.param(
            scene,
            probe,
            marks=[pytest.mark.xfail(strict=True, reason="issue 12 item 3: a false needle here")]
            if (scene, probe) in KNOWN_FALSE_NEEDLES
            else [],
            id=f"{scene}-{probe}",
        )
        for scene in sorted(SCENES)
        for probe in sorted(PROBES)
    ]


@pytest.mark.parametrize(("scene", "probe"), _no_needle_cases())
def test_no_needle_means_no_trajectory(scene: str, probe: str) -> None:
    g = PROBES[probe]
    sim = TissueScene(g, 128, 1024, seed=4, with_needle=False, scene_name=scene)
    for settings in (
        DisplaySettings(),
        DisplaySettings(gain_db=8.0, tgc_db=(0, 0, 2, 4, 6, 8, 10, 12)),
        DisplaySettings(gain_db=10.0),
    ):
        settings.needle_enhance = True
        pipe = BModePipeline(800, 600, settings)
        plain = BModePipeline(800, 600, DisplaySettings(**{**settings.__dict__, "needle_enhance": False}))
        lines = sim.envelope(1.0, 2)
        image, _ = pipe.process(lines, g)
        assert pipe.needle is None
        reference, _ = plain.process(lines, g)
        assert (image == reference).all()  # nothing drawn


def test_detected_needle_is_drawn_into_the_image() -> None:
    g = PROBES["linear"]
    path = default_needle(g, 20.0)
    lines = TissueScene(g, 128, 1024, seed=11, needle=path, scene_name="muscle").envelope(4.0, 0)
    pipe = BModePipeline(800, 600, DisplaySettings(needle_enhance=True))
    with_overlay, cal = pipe.process(lines, g)
    assert pipe.needle is not None
    bare, _ = BModePipeline(800, 600).process(lines, g)
    u, v = (round(c) for c in cal.to_px(*path.tip_mm(4.0)))
    changed = with_overlay[v - 8 : v + 9, u - 8 : u + 9] != bare[v - 8 : v + 9, u - 8 : u + 9]
    assert changed.any()  # the tip marker is there


def test_detector_ignores_a_bare_bone_surface() -> None:
    g = PROBES["convex"]
    scene = TissueScene(g, 128, 1024, seed=9, with_needle=False, scene_name="knee")
    image, cal = BModePipeline(800, 600, DisplaySettings(gain_db=10.0)).process(scene.envelope(0.0, 0), g)
    assert NeedleDetector().detect(image, cal, g) is None


def test_a_failing_detector_costs_the_needle_not_the_image(monkeypatch: pytest.MonkeyPatch) -> None:
    g = PROBES["linear"]
    lines = TissueScene(g, 64, 512, seed=1).envelope(2.0, 0)
    pipe = BModePipeline(400, 300, DisplaySettings(needle_enhance=True))

    def broken(*_: object) -> None:
        raise FloatingPointError("synthetic")

    monkeypatch.setattr(NeedleDetector, "detect", broken)
    image, _ = pipe.process(lines, g)
    reference, _ = BModePipeline(400, 300).process(lines, g)
    assert (image == reference).all()
    assert pipe.needle is None and "synthetic" in pipe.needle_fault


def _streak(image: np.ndarray, cal: Calibration, start_x_mm: float) -> np.ndarray:
    """A 0.5 mm wide bright streak at 30° from x = ``start_x_mm`` to (13, 25.5) mm, drawn in pixels."""
    slope = math.tan(math.radians(30.0))
    end = (15.0 * math.cos(math.radians(30.0)), 18.0 + 15.0 * math.sin(math.radians(30.0)))
    a = cal.to_px(start_x_mm, end[1] - (end[0] - start_x_mm) * slope)
    b = cal.to_px(*end)
    out = image.copy()
    cv2.line(out, (round(a[0]), round(a[1])), (round(b[0]), round(b[1])), 250, round(0.5 / cal.mm_per_px))
    return out


def test_a_straight_bright_segment_starting_deep_in_the_view_is_not_a_needle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In plane a shaft is visible from where it enters the view; one that starts 18 mm deep is tissue."""
    g = PROBES["linear"]
    lines = TissueScene(g, 128, 1024, seed=2, with_needle=False, scene_name="muscle").envelope(0.0, 0)
    bare, cal = BModePipeline(800, 600).process(lines, g)
    deep = _streak(bare, cal, 0.0)  # starts at (0, 18) mm, 18 mm of invisible shaft above it
    assert NeedleDetector().detect(deep, cal, g) is None
    full = NeedleDetector().detect(_streak(bare, cal, -18.0), cal, g)  # the same line from the edge
    assert full is not None and abs(full.angle_deg - 30.0) <= 3.0
    assert math.dist(full.tip_mm, (13.0, 25.5)) <= 2.0
    # and it is that rule that rejects the deep one: without it the streak passes every other check
    monkeypatch.setattr(needle_shaft, "ENTRY_GAP_MM", math.inf)  # (the half-resolution run's check)
    monkeypatch.setattr(needle_judge, "ENTRY_GAP_MM", math.inf)  # (the full-resolution run's)
    assert NeedleDetector().detect(deep, cal, g) is not None


@pytest.mark.parametrize("gain_db", [0.0, 14.0])
def test_a_shaft_over_bright_tissue_is_reported_with_its_confidence(gain_db: float) -> None:
    """Grey levels are logarithmic: a drawn shaft at grey 250 stands 74 levels (17 dB) above tissue at
    176 beside it with +14 dB of gain (as bright as the knee's tendon on the phased probe) and 134
    levels above it at 0 dB. Both are clear needles; as a ratio of grey levels the bright one is
    1.42 (the 255 ceiling), under the 1.5 that a ratio ramp asked for 0.5 (fails on 3784b84)."""
    g = PROBES["linear"]
    lines = TissueScene(g, 128, 1024, seed=2, with_needle=False, scene_name="muscle").envelope(0.0, 0)
    bare, cal = BModePipeline(800, 600, DisplaySettings(gain_db=gain_db)).process(lines, g)
    tissue = float(bare[bare > 0].mean())  # (the imaged region: black around it)
    assert (gain_db == 0.0) == (tissue < 120.0)  # the two tissue levels the test is about
    found = NeedleDetector().detect(_streak(bare, cal, -18.0), cal, g)  # from the edge, at 250
    assert found is not None, tissue
    assert abs(found.angle_deg - 30.0) <= 3.0
    assert math.dist(found.tip_mm, (13.0, 25.5)) <= 2.0
    assert found.confidence >= 0.5


def _bent_layer(image: np.ndarray, cal: Calibration, layer_grey: int | None) -> np.ndarray:
    """A 0.5 mm bright streak (grey 250) at 30° from outside the view to (0, 22) mm, then, when
    ``layer_grey`` is given, a layer of that grey going on level from there for 15 mm (bent 30°)."""
    end = (0.0, 22.0)
    start = (end[0] - 30.0 * math.cos(math.radians(30.0)), end[1] - 30.0 * math.sin(math.radians(30.0)))
    out = image.copy()
    width = round(0.5 / cal.mm_per_px)
    a, b = (tuple(round(c) for c in cal.to_px(*p)) for p in (start, end))
    cv2.line(out, a, b, 250, width)
    if layer_grey is not None:
        c = tuple(round(c) for c in cal.to_px(end[0] + 15.0, end[1]))
        cv2.line(out, b, c, layer_grey, width)
    return out


def test_a_bright_line_that_bends_on_into_a_layer_at_its_own_level_is_not_a_needle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A steel shaft ends at its tip; a fascia that follows the face turns into the layer it is part
    of and goes on. Oracle: the drawn lines (no comet tail, no simulator needle)."""
    g = PROBES["linear"]
    lines = TissueScene(g, 128, 1024, seed=2, with_needle=False, scene_name="muscle").envelope(0.0, 0)
    bare, cal = BModePipeline(800, 600).process(lines, g)
    shaft = NeedleDetector().detect(_bent_layer(bare, cal, None), cal, g)
    assert shaft is not None and math.dist(shaft.tip_mm, (0.0, 22.0)) <= 2.0
    assert abs(shaft.angle_deg - 30.0) <= 3.0
    assert NeedleDetector().detect(_bent_layer(bare, cal, 250), cal, g) is None
    # a dimmer structure at the tip (a needle tip touching a fascia) leaves the needle
    touching = NeedleDetector().detect(_bent_layer(bare, cal, 200), cal, g)
    assert touching is not None and math.dist(touching.tip_mm, (0.0, 22.0)) <= 2.0
    # and it is that rule that rejects the layer: without it the bent line passes as a shaft
    monkeypatch.setattr(needle_end, "ON_FILL", math.inf)
    assert NeedleDetector().detect(_bent_layer(bare, cal, 250), cal, g) is not None


def _blurred_shaft(
    image: np.ndarray, cal: Calibration, angle_deg: float, tip: tuple[float, float], blur_mm: float
) -> np.ndarray:
    """``image`` with a 30 mm shaft ending at ``tip`` (mm), added in amplitude: the 60 dB display
    formula inverted (A = 10^((grey/255 − 1)·3)), a 1-pixel line at full scale blurred by a Gaussian
    of σ = ``blur_mm``, the sum displayed again."""
    a = math.radians(angle_deg)
    start = (tip[0] - 30.0 * math.cos(a), tip[1] - 30.0 * math.sin(a))
    amplitude = 10.0 ** ((image.astype(np.float64) / 255.0 - 1.0) * 3.0)
    shaft = np.zeros_like(amplitude)
    p0, p1 = (tuple(round(c) for c in cal.to_px(*p)) for p in (start, tip))
    cv2.line(shaft, p0, p1, 1.0, 1)
    blurred: np.ndarray = cv2.GaussianBlur(shaft, (0, 0), blur_mm / cal.mm_per_px)
    amplitude += blurred / blurred.max()
    grey = 255.0 * (1.0 + np.log10(amplitude) / 3.0)
    out: np.ndarray = np.clip(grey, 0, 255).astype(np.uint8)
    return out


@pytest.mark.parametrize("blur_mm", [0.5, 0.8])
@pytest.mark.parametrize(("angle", "tip"), [(30.0, (8.0, 22.0)), (45.0, (5.0, 24.0)), (150.0, (-6.0, 21.0))])
def test_the_tip_of_a_blurred_shaft_is_read_at_its_end(
    angle: float, tip: tuple[float, float], blur_mm: float
) -> None:
    """The tip is where the shaft ends, not where its blurred echo has faded into the tissue.

    Oracle: the end of a line drawn into a tissue frame (independent of the simulator's needle
    model). Reading the tip at half the shaft's level in grey levels (logarithmic) put it 0.36–0.79 mm
    past the end, growing with the blur; the half maximum of the tip's own echo stays within 0.25 mm."""
    g = PROBES["linear"]
    lines = TissueScene(g, 128, 1024, seed=2, with_needle=False, scene_name="muscle").envelope(0.0, 0)
    bare, cal = BModePipeline(800, 600).process(lines, g)
    est = NeedleDetector().detect(_blurred_shaft(bare, cal, angle, tip, blur_mm), cal, g)
    assert est is not None
    assert math.dist(est.tip_mm, tip) <= 0.25, est.tip_mm
    assert abs(est.angle_deg - angle) <= 1.0


def test_a_needle_aimed_into_bone_stops_on_its_surface() -> None:
    """The ground truth the matrix uses: a vertical needle in the caudal view stops on the sacrum.

    Oracle: the scene's floor of the hiatus, 13.5 − 0.02·X² mm deep (linear probe: X = x, depth = z),
    with bone from 0.3 mm below that surface; the needle stops 0.3 mm short of the first bone sample.
    """
    g = PROBES["linear"]
    path = NeedlePath((0.0, 2.0), 90.0, min_insertion_mm=5.0, max_insertion_mm=30.0)
    sim = TissueScene(g, 128, 1024, seed=1, needle=path, scene_name="caudal")
    assert sim.needle is not None
    assert sim.needle.max_insertion_mm == pytest.approx(13.5 + 0.3 - 0.3 - 2.0, abs=0.1)
    assert sim.needle.tip_mm(4.0) == pytest.approx((0.0, 13.5), abs=0.1)  # fully advanced
    # a path that meets no bone is left as it was
    soft = NeedlePath((0.0, 2.0), 90.0, min_insertion_mm=2.0, max_insertion_mm=6.0)
    assert TissueScene(g, 128, 1024, seed=1, needle=soft, scene_name="caudal").needle == soft


def _in_searched_view(g: Geometry, x: float, z: float) -> bool:
    """Whether (x, z) mm lies in the imaged region, at least 4 mm below the face — from the probe's
    own dimensions (textbook linear / sector geometry, not the detector's mask)."""
    shallowest = max(g.depth_start_mm, 4.0)
    if g.kind == "linear":
        return abs(x) <= g.width_mm / 2 and shallowest <= z <= g.depth_end_mm
    radius = g.radius_mm if g.kind == "convex" else 0.0  # the beams fan out from (0, −radius)
    r, theta = math.hypot(x, z + radius), math.degrees(math.atan2(x, z + radius))
    return abs(theta) <= g.fov_deg / 2 and radius + shallowest <= r <= radius + g.depth_end_mm


def _visible_mm(g: Geometry, path: NeedlePath, t_s: float) -> float:
    """Length of the shaft (entry to tip at ``t_s``) inside the searched view, in 0.05 mm steps."""
    (ex, ez), (dx, dz), step = path.entry_mm, path.direction, 0.05
    n = int(path.insertion_mm(t_s) / step)
    return step * sum(_in_searched_view(g, ex + i * step * dx, ez + i * step * dz) for i in range(n))


def _hidden(aim: Callable[[str, Geometry, float], NeedlePath]) -> set[tuple[str, str, float]]:
    hidden = set()
    for scene in SCENES:
        for probe, g in PROBES.items():
            for angle in ANGLES:
                sim = TissueScene(g, 128, 1024, seed=11, needle=aim(scene, g, angle), scene_name=scene)
                assert sim.needle is not None
                if min(_visible_mm(g, sim.needle, t_s) for t_s in (2.5, 4.0)) < MIN_VISIBLE_MM:
                    hidden.add((scene, probe, angle))
    return hidden


def test_every_aimed_needle_has_a_shaft_in_view() -> None:
    assert _hidden(aimed_needle) == set()


def test_the_generic_paths_without_a_visible_shaft_are_exactly_the_listed_ones() -> None:
    assert _hidden(lambda _scene, g, angle: default_needle(g, angle)) == GENERIC_NOT_IN_VIEW


@pytest.mark.parametrize(("scene", "probe", "angle"), sorted(GENERIC_NOT_IN_VIEW))
def test_a_needle_that_is_not_in_view_is_not_reported(scene: str, probe: str, angle: float) -> None:
    g = PROBES[probe]
    sim = TissueScene(g, 128, 1024, seed=11, needle=default_needle(g, angle), scene_name=scene)
    pipe = BModePipeline(800, 600, DisplaySettings(needle_enhance=True))
    for t_s in (2.5, 4.0):
        pipe.process(sim.envelope(t_s, 0), g)
        assert pipe.needle is None, (t_s, pipe.needle)


def test_a_short_needle_whose_bright_band_goes_on_past_its_tip_is_found() -> None:
    """The bench's linear frames at the start of the insertion (13–14 mm of shaft): the band along the
    shaft stays bright for 6 mm past the tip, whose centreline is not straight there. Judged against
    the simulator's own needle (tip ≤ 2 mm, angle ≤ 3°) on all 8 frames."""
    g = PROBES["linear"]
    path = default_needle(g, 35.0)
    scene = TissueScene(g, 128, 1024, seed=7, needle=path, with_needle=True)
    pipe, detector = BModePipeline(800, 600, DisplaySettings()), NeedleDetector()
    for k in range(8):
        t_s = 0.1 * k
        image, cal = pipe.process(scene.envelope(t_s=t_s, index=k), g)
        est = detector.detect(image, cal, g)
        assert est is not None, f"frame {k}: no needle"
        tx, tz = path.tip_mm(t_s)
        assert math.hypot(est.tip_mm[0] - tx, est.tip_mm[1] - tz) <= 2.0, f"frame {k}: {est.tip_mm}"
        assert abs(est.angle_deg - 35.0) <= 3.0, f"frame {k}: {est.angle_deg}"
