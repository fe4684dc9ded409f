"""Needle enhancement finds simulated needles (tip within 2 mm, angle within 3°) and nothing else."""

from __future__ import annotations

import math

import pytest

from sonocart.imaging.needle import NeedleDetector
from sonocart.imaging.pipeline import BModePipeline, DisplaySettings
from sonocart.sim.probe_sim import PROBES
from sonocart.sim.tissue import TissueScene, default_needle

ANGLES = [20.0, 35.0, 60.0, 150.0]  # shallow, medium, steep, and from the right


@pytest.mark.parametrize("probe", sorted(PROBES))
@pytest.mark.parametrize("angle", ANGLES)
def test_needle_tip_and_angle_are_found_at_known_positions(probe: str, angle: float) -> None:
    g = PROBES[probe]
    path = default_needle(g, angle)
    scene = TissueScene(g, 128, 1024, seed=11, needle=path)
    pipe = BModePipeline(800, 600, DisplaySettings(needle_enhance=True))
    for t_s in (2.5, 4.0):  # partly and fully advanced
        pipe.process(scene.envelope(t_s, 0), g)
        est = pipe.needle
        assert est is not None, (probe, angle, t_s)
        tip = path.tip_mm(t_s)
        assert math.dist(est.tip_mm, tip) <= 2.0, (probe, angle, t_s, est.tip_mm, tip)
        assert abs(est.angle_deg - angle) <= 3.0, (probe, angle, est.angle_deg)
        assert 0.5 <= est.confidence <= 1.0


@pytest.mark.parametrize("probe", sorted(PROBES))
@pytest.mark.parametrize("seed", [2, 4])
def test_no_needle_means_no_trajectory(probe: str, seed: int) -> None:
    g = PROBES[probe]
    scene = TissueScene(g, 128, 1024, seed=seed, with_needle=False)
    for settings in (DisplaySettings(), DisplaySettings(gain_db=8.0, tgc_db=(0, 0, 2, 4, 6, 8, 10, 12))):
        settings.needle_enhance = True
        pipe = BModePipeline(800, 600, settings)
        plain = BModePipeline(800, 600, DisplaySettings(**{**settings.__dict__, "needle_enhance": False}))
        lines = scene.envelope(1.0, seed)
        image, _ = pipe.process(lines, g)
        assert pipe.needle is None
        reference, _ = plain.process(lines, g)
        assert (image == reference).all()  # nothing drawn


def test_detected_needle_is_drawn_into_the_image() -> None:
    g = PROBES["linear"]
    scene = TissueScene(g, 128, 1024, seed=3, needle=default_needle(g, 30.0))
    lines = scene.envelope(4.0, 0)
    with_overlay, cal = BModePipeline(800, 600, DisplaySettings(needle_enhance=True)).process(lines, g)
    bare, _ = BModePipeline(800, 600).process(lines, g)
    u, v = (round(c) for c in cal.to_px(*default_needle(g, 30.0).tip_mm(4.0)))
    changed = with_overlay[v - 8 : v + 9, u - 8 : u + 9] != bare[v - 8 : v + 9, u - 8 : u + 9]
    assert changed.any()  # the tip marker is there


def test_detector_ignores_a_bare_bone_surface() -> None:
    g = PROBES["convex"]
    scene = TissueScene(g, 128, 1024, seed=9, with_needle=False)
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
