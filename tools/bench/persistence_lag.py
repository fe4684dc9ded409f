"""Temporal behaviour on a moving scene: how many frames a moving needle tip lags at each persistence.

The muscle scene on the linear probe (breathing on), a 20° needle advancing and withdrawing
every 3 s (up to 19 mm/s); 30 frames/s. Two measures of where the tip is shown, each
compared with the true tip of earlier frames (the lag is the delay, in frames, that best
explains the shown positions, after removing a constant offset along the shaft):

* *image*: along the needle's path in the displayed image, the deepest point still at
  least half-way from the tissue's level to the shaft's (no detector involved);
* *detector*: the needle-enhancement estimate (jitter of its tip adds noise here).

Theory for ``y[n] = p·y[n−1] + (1−p)·x[n]`` on a ramp: ``p / (1 − p)`` frames.
Speckle: contrast (std / mean) of the image in plain muscle, with smoothing off and on.
``python -m tools.bench.persistence_lag`` prints the markdown table of docs/imaging.md.
"""

from __future__ import annotations

import math

import numpy as np

from sonocart.imaging.pipeline import BModePipeline, DisplaySettings
from sonocart.imaging.scanconvert import Calibration
from sonocart.imaging.settings import PERSISTENCE_LEVELS
from sonocart.sim.needle import NeedlePath
from sonocart.sim.probe_sim import PROBES
from sonocart.sim.tissue import TissueScene

FPS = 30.0
PATH = NeedlePath((-11.4, 3.2), 20.0, min_insertion_mm=8.0, max_insertion_mm=28.0, period_s=3.0)


def _image_tip(image: np.ndarray, cal: Calibration) -> float:
    """Insertion (mm) of the deepest point along the path at least half-way from tissue to shaft level."""
    s = np.arange(2.0, PATH.max_insertion_mm + 4.0, 0.1)
    dx, dz = PATH.direction
    u, v = cal.to_px(PATH.entry_mm[0] + s * dx, PATH.entry_mm[1] + s * dz)  # type: ignore[arg-type]
    level = image[np.rint(v).astype(int), np.rint(u).astype(int)].astype(float)
    level = np.convolve(level, np.ones(5) / 5, mode="same")
    shaft, tissue = np.percentile(level[s < PATH.min_insertion_mm], 50), np.percentile(level[-20:], 50)
    above = np.flatnonzero(level >= (shaft + tissue) / 2)
    return float(s[above[-1]]) if above.size else math.nan


def _lag(shown: list[float], when: list[float]) -> float:
    if len(shown) < 10:
        return math.nan
    delays = np.arange(-3.0, 12.0, 0.05)
    err = [np.var(np.array(shown) - [PATH.insertion_mm(t - d / FPS) for t in when]) for d in delays]
    return float(delays[int(np.argmin(err))])


def measure(persistence: float, smoothing: bool) -> tuple[float, float, float, int]:
    """(image lag, detector lag, speckle contrast, frames detected) for one setting."""
    g = PROBES["linear"]
    scene = TissueScene(g, 128, 1024, seed=11, needle=PATH, scene_name="muscle")
    s = DisplaySettings(persistence=persistence, smoothing=smoothing, needle_enhance=True)
    pipe = BModePipeline(800, 600, s)
    times = np.arange(0.0, 6.0, 1 / FPS)
    img_tip, img_t, det_tip, det_t, contrast = [], [], [], [], []
    dx, dz = PATH.direction
    for k, t in enumerate(times):
        image, cal = pipe.process(scene.envelope(float(t), k), g)
        if k < 15:  # the filter's start-up
            continue
        speed = abs(PATH.insertion_mm(t + 0.01) - PATH.insertion_mm(t - 0.01)) / 0.02
        if k % 10 == 0:
            u0, u1 = (round(cal.to_px(x, 0)[0]) for x in (4.0, 14.0))
            v0, v1 = (round(cal.to_px(0, z)[1]) for z in (20.0, 28.0))
            patch = image[v0:v1, u0:u1].astype(float)
            contrast.append(patch.std() / patch.mean())
        if speed < 8.0:  # near the turning points a lag cannot be seen
            continue
        tip = _image_tip(image, cal)
        if tip == tip:
            img_tip.append(tip)
            img_t.append(float(t))
        est = pipe.needle
        if est is not None:
            det_tip.append((est.tip_mm[0] - PATH.entry_mm[0]) * dx + (est.tip_mm[1] - PATH.entry_mm[1]) * dz)
            det_t.append(float(t))
    return _lag(img_tip, img_t), _lag(det_tip, det_t), float(np.mean(contrast)), len(det_t)


def main() -> int:
    print(
        "| persistence | p | smoothing | tip lag, image (frames) | tip lag, detector (frames) "
        "| theory p/(1−p) |"
    )
    print("|---|---|---|---|---|---|")
    contrasts = {}
    for name, p in PERSISTENCE_LEVELS.items():
        for smoothing in (False, True):
            lag_img, lag_det, contrast, n = measure(p, smoothing)
            contrasts[(name, smoothing)] = contrast
            print(
                f"| {name} | {p} | {'on' if smoothing else 'off'} | {lag_img:.2f} "
                f"| {lag_det:.2f} ({n} frames) "
                f"| {p / (1 - p):.2f} |"
            )
    print()
    print("| persistence | speckle contrast, smoothing off | smoothing on |")
    print("|---|---|---|")
    for name in PERSISTENCE_LEVELS:
        print(f"| {name} | {contrasts[(name, False)]:.3f} | {contrasts[(name, True)]:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
