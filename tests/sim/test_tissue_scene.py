"""The simulated probe's scene: deterministic, speckled like tissue, with shadow, enhancement and a needle."""

from __future__ import annotations

import numpy as np
import pytest

from sonocart.sim.needle import NeedlePath
from sonocart.sim.probe_sim import PROBES
from sonocart.sim.tissue import TissueScene

G = PROBES["linear"]


def test_same_seed_same_frames_other_seed_other_speckle() -> None:
    a = TissueScene(G, 64, 512, seed=4).envelope(1.0, 3).copy()
    b = TissueScene(G, 64, 512, seed=4).envelope(1.0, 3).copy()
    c = TissueScene(G, 64, 512, seed=5).envelope(1.0, 3).copy()
    assert (a == b).all() and not (a == c).all()


def test_homogeneous_tissue_has_rayleigh_like_speckle() -> None:
    scene = TissueScene(G, 128, 1024, seed=2, with_needle=False)
    field = np.abs(scene.field(0.0, 0))
    region = field[10:40, 700:780]  # muscle, no layer boundaries
    snr = region.mean() / region.std()
    assert 1.4 < snr < 2.4  # Rayleigh: 1.91 (striations make it a little lower)


def test_bone_casts_a_shadow_and_the_vessel_enhances_below() -> None:
    scene = TissueScene(PROBES["convex"], 128, 1024, seed=2, with_needle=False)
    env = scene.envelope(0.0, 0).astype(float)
    x, z = scene.x, scene.z
    above = env[(z > 26) & (z < 30) & (np.abs(x) < 10)].mean()
    below = env[(z > 40) & (z < 50) & (np.abs(x) < 10)].mean()
    assert below < 0.1 * above
    # straight below the vessel along the beams vs beams either side of it, same depths
    line_x_at_vessel = x[:, np.argmin(np.abs(z[64] - 19.0))]
    through = np.abs(line_x_at_vessel + 9.0) < 1.5
    beside = (np.abs(line_x_at_vessel + 9.0) > 5.0) & (np.abs(line_x_at_vessel + 9.0) < 9.0)
    deep = (z > 24) & (z < 32)
    behind_vessel = np.median(env[through[:, None] & deep])
    beside_vessel = np.median(env[beside[:, None] & deep])
    assert behind_vessel > 1.2 * beside_vessel


def test_needle_advances_and_withdraws_along_its_path() -> None:
    path = NeedlePath((-15.0, 3.0), 30.0, 10.0, 30.0, period_s=8.0)
    tips = [path.tip_mm(t) for t in (0.0, 2.0, 4.0, 6.0, 8.0)]
    assert tips[0] == pytest.approx(tips[4])
    assert tips[2][1] > tips[1][1] > tips[0][1]  # deeper while advancing
    assert tips[3][1] < tips[2][1]  # withdrawing
    scene = TissueScene(G, 128, 1024, seed=1, needle=path)
    echo_deep = scene.needle_echo(4.0)
    echo_shallow = scene.needle_echo(0.0)
    tip_z = path.tip_mm(4.0)[1]
    near_deep_tip = (np.abs(scene.z - tip_z) < 1.0) & (np.abs(scene.x - path.tip_mm(4.0)[0]) < 1.0)
    assert echo_deep[near_deep_tip].max() > 5 * max(echo_shallow[near_deep_tip].max(), 1e-6)


@pytest.mark.parametrize(("fmt", "dtype"), [("u8", np.uint8), ("u16", np.uint16), ("iq", np.complex64)])
def test_each_link_sample_format(fmt: str, dtype: type) -> None:
    lines = TissueScene(G, 32, 256, seed=1).lines(0.5, 0, fmt)
    assert lines.dtype == dtype and lines.shape == (32, 256)
