"""Pipeline stages: dtypes and ranges, gain and TGC where and how much, persistence, live settings."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.levels import GreyLevels
from sonocart.imaging.pipeline import BModePipeline
from sonocart.imaging.scanconvert import ScanConverter
from sonocart.imaging.settings import TGC_BANDS, DisplaySettings
from sonocart.imaging.tables import gain_curve_db
from sonocart.imaging.temporal import LineFilters

SHAPE = (16, 256)
LINEAR = Geometry("linear", 0.0, 40.0, width_mm=38.0)


def _lines(dtype: np.dtype[np.generic], rng: np.random.Generator) -> np.ndarray:
    if dtype == np.uint8:
        return rng.integers(0, 256, SHAPE, dtype=np.uint8)
    if dtype == np.uint16:
        return rng.integers(0, 65536, SHAPE, dtype=np.uint16)
    return (rng.standard_normal(SHAPE) + 1j * rng.standard_normal(SHAPE)).astype(np.complex64)


def _uniform(level_db: float, dtype: np.dtype[np.generic]) -> np.ndarray:
    """A flat frame at ``level_db`` below full scale, in the given sample format."""
    if dtype == np.uint8:
        return np.full(SHAPE, round((level_db + 60.0) / 60.0 * 255), dtype=np.uint8)
    return np.full(SHAPE, round(65535 * 10 ** (level_db / 20)), dtype=np.uint16)


@pytest.mark.parametrize("dtype", [np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.complex64)])
@pytest.mark.parametrize(
    "settings",
    [
        DisplaySettings(),
        DisplaySettings(dynamic_range_db=40, gain_db=12, grey_map="contrast"),
        DisplaySettings(gain_db=-20, tgc_db=(-10, -5, 0, 5, 10, 15, 20, 30), grey_map="soft"),
    ],
)
def test_every_stage_declares_and_delivers_uint8_in_range(
    dtype: np.dtype[np.generic], settings: DisplaySettings
) -> None:
    rng = np.random.default_rng(3)
    lines = _lines(dtype, rng)
    levels = GreyLevels(*SHAPE).run(lines, settings)
    assert levels.dtype == GreyLevels.out_dtype == np.uint8 and levels.shape == SHAPE
    filtered = LineFilters(*SHAPE).run(levels, 0.5, True)
    assert filtered.dtype == LineFilters.out_dtype == np.uint8
    conv = ScanConverter(LINEAR, *SHAPE, 120, 100)
    image = conv.convert(filtered)
    assert image.dtype == ScanConverter.out_dtype == np.uint8 and image.shape == (100, 120)
    if dtype != np.complex64:  # IQ is normalised to its own peak: the peak is always white
        assert levels.min() < levels.max()


@pytest.mark.parametrize("dtype", [np.dtype(np.uint8), np.dtype(np.uint16)])
@pytest.mark.parametrize("gain_db", [-12.0, 6.0, 15.0])
def test_gain_raises_every_depth_by_gain_over_dr_of_the_grey_scale(
    dtype: np.dtype[np.generic], gain_db: float
) -> None:
    lines = _uniform(-36.0, dtype)
    stage = GreyLevels(*SHAPE)
    base = stage.run(lines, DisplaySettings()).astype(float).copy()
    gained = stage.run(lines, DisplaySettings(gain_db=gain_db)).astype(float)
    np.testing.assert_allclose(gained - base, gain_db / 60.0 * 255, atol=1.5)


@pytest.mark.parametrize("band", [0, 3, 7])
def test_a_tgc_band_brightens_its_depth_and_leaves_far_depths_alone(band: int) -> None:
    lines = _uniform(-36.0, np.dtype(np.uint16))
    tgc = tuple(12.0 if k == band else 0.0 for k in range(TGC_BANDS))
    stage = GreyLevels(*SHAPE)
    base = stage.run(lines, DisplaySettings()).astype(float).copy()
    boosted = stage.run(lines, DisplaySettings(tgc_db=tgc)).astype(float)
    delta = (boosted - base)[0]
    n = SHAPE[1]
    centre = int((band + 0.5) / TGC_BANDS * n)
    assert abs(delta[centre] - 12.0 / 60.0 * 255) <= 1.5  # the full 12 dB at the band's centre
    far = [k for k in range(TGC_BANDS) if abs(k - band) >= 2]
    for k in far:
        assert abs(delta[int((k + 0.5) / TGC_BANDS * n)]) <= 1.0  # untouched two bands away


def test_tgc_curve_is_smooth_and_passes_through_every_band() -> None:
    tgc = (0.0, 10.0, -5.0, 3.0, 3.0, 20.0, 0.0, -10.0)
    n = 800
    curve = gain_curve_db(2.0, tgc, n)
    for k, value in enumerate(tgc):
        assert abs(curve[int((k + 0.5) / 8 * n)] - (value + 2.0)) < 0.1
    band = n / 8
    biggest = max(abs(b - a) for a, b in itertools.pairwise(tgc))
    # a cosine blend: slope at most pi/2 x step / band, curvature at most (pi/band)^2/2 x step — no jumps,
    # and no kinks at the band centres (where a linear interpolation would have them)
    assert np.abs(np.diff(curve)).max() <= np.pi / 2 * biggest / band * 1.02
    assert np.abs(np.diff(curve, 2)).max() <= (np.pi / band) ** 2 / 2 * biggest * 1.05


@pytest.mark.parametrize("p", [0.25, 0.5, 0.75])
def test_persistence_converges_geometrically_by_its_factor(p: float) -> None:
    f = LineFilters(*SHAPE)
    f.run(np.zeros(SHAPE, np.uint8), p, False)  # primes at the first frame (no fade from black)
    step = np.full(SHAPE, 200, np.uint8)
    for n in range(1, 12):
        out = f.run(step, p, False).astype(float)
        expected = 200 * (1 - p**n)
        assert np.abs(out - expected).max() <= 1.0, (n, out[0, 0], expected)


def test_persistence_starts_from_the_current_frame_and_resets_on_geometry_change() -> None:
    pipe = BModePipeline(120, 100, DisplaySettings(persistence=0.75))
    bright = np.full(SHAPE, 50000, np.uint16)
    dark = np.full(SHAPE, 50, np.uint16)
    first, _ = pipe.process(bright, LINEAR)
    assert first.max() > 200  # no fade-in from black
    pipe.process(dark, LINEAR)
    deeper = Geometry("linear", 0.0, 50.0, width_mm=38.0)
    after_change, _ = pipe.process(dark, deeper)
    assert after_change.max() < 60  # old frames of another depth are not averaged in


def test_smoothing_reduces_speckle_variance_and_keeps_the_mean() -> None:
    rng = np.random.default_rng(1)
    noisy = rng.integers(60, 200, SHAPE, dtype=np.uint8)
    out = LineFilters(*SHAPE).run(noisy, 0.0, True).astype(float)
    inner = out[2:-2, 2:-2]
    assert inner.std() < 0.5 * noisy[2:-2, 2:-2].std()
    assert abs(inner.mean() - noisy[2:-2, 2:-2].mean()) < 1.0


def _binomial_3x3(x: np.ndarray) -> np.ndarray:
    """The textbook 3×3 binomial ([1, 2, 1] ⊗ [1, 2, 1] / 16), edges replicated, in float64."""
    p = np.pad(x.astype(np.float64), 1, mode="edge")
    w = (1.0, 2.0, 1.0)
    n, m = x.shape
    out = np.zeros(x.shape)
    for i, j in itertools.product(range(3), range(3)):
        out += w[i] * w[j] * p[i : i + n, j : j + m]
    return out / 16


@pytest.mark.parametrize("p", [0.0, 0.5])
def test_smoothing_is_the_binomial_kernel_to_the_edges_alone_and_under_persistence(p: float) -> None:
    rng = np.random.default_rng(5)
    a, b = (rng.integers(0, 256, SHAPE, dtype=np.uint8) for _ in range(2))
    f = LineFilters(*SHAPE)
    first = f.run(a, p, True).astype(float)
    np.testing.assert_allclose(first, _binomial_3x3(a), atol=0.5 + 1e-6)
    second = f.run(b, p, True).astype(float)
    # the recursive filter on the smoothed frames (each rounded once, at the end)
    np.testing.assert_allclose(second, p * _binomial_3x3(a) + (1 - p) * _binomial_3x3(b), atol=0.5 + 1e-4)


def test_settings_change_live_without_rebuilding_scan_conversion_tables() -> None:
    pipe = BModePipeline(200, 150)
    lines = np.random.default_rng(0).integers(0, 65535, SHAPE, dtype=np.uint16)
    pipe.process(lines, LINEAR)
    conv = pipe.converter
    for change in (
        {"gain_db": 10.0},
        {"tgc_db": (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0)},
        {"dynamic_range_db": 45.0},
        {"persistence": 0.5},
        {"smoothing": True},
        {"grey_map": "contrast"},
        {"depth_scale": True, "focus_depth_mm": 20.0},
    ):
        for key, value in change.items():
            setattr(pipe.settings, key, value)
        pipe.process(lines, LINEAR)
        assert pipe.converter is conv, change
    pipe.process(lines, Geometry("linear", 0.0, 30.0, width_mm=38.0))
    assert pipe.converter is not conv  # depth changes the geometry: new tables


def test_default_settings_keep_the_display_formula_for_uint16() -> None:
    amp = np.array([0, 65, 655, 6553, 65535], dtype=np.uint16).repeat(4).reshape(1, -1).repeat(3, axis=0)
    levels = GreyLevels(*amp.shape).run(amp, DisplaySettings())
    with np.errstate(divide="ignore"):
        expected = np.clip((20 * np.log10(amp / 65535.0) + 60) / 60, 0, 1) * 255
    np.testing.assert_allclose(levels, expected, atol=0.5 + 1e-9)


def test_uint8_lines_pass_through_at_default_settings() -> None:
    lines = np.arange(256, dtype=np.uint8).reshape(2, 128)
    np.testing.assert_array_equal(GreyLevels(2, 128).run(lines, DisplaySettings()), lines)


def test_overlays_draw_centimetre_ticks_where_the_calibration_puts_them() -> None:
    geometry = Geometry("linear", 0.0, 40.0, width_mm=38.0)
    pipe = BModePipeline(400, 300, DisplaySettings(depth_scale=True))
    image, cal = pipe.process(np.zeros((64, 512), np.uint16), geometry)
    column = image[:, -5 - 8]  # inside a major tick, left of the scale line
    for cm in range(0, 5):
        v = round(cal.to_px(0.0, cm * 10.0)[1])
        assert column[max(0, v - 1) : v + 2].max() == 255, cm
    between = round(cal.to_px(0.0, 12.5)[1])
    assert column[between] == 0


def test_two_pipelines_never_write_into_each_others_image() -> None:
    a, b = BModePipeline(160, 120), BModePipeline(160, 120)
    bright = np.full(SHAPE, 60000, np.uint16)
    dark = np.full(SHAPE, 10, np.uint16)
    image_a, _ = a.process(bright, LINEAR)
    kept = image_a.copy()
    b.process(dark, LINEAR)
    assert (image_a == kept).all()
    assert a.converter is not None and b.converter is not None
    assert a.converter.tables is b.converter.tables  # the geometry work is shared, the buffers are not


@pytest.mark.parametrize(
    "settings",
    [
        DisplaySettings(),
        DisplaySettings(
            gain_db=3.0,
            tgc_db=(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0),
            persistence=0.5,
            smoothing=True,
            grey_map="soft",
            depth_scale=True,
            focus_depth_mm=20.0,
            needle_guide_deg=30.0,
        ),
    ],
)
@pytest.mark.parametrize("dtype", [np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.complex64)])
def test_a_steady_state_frame_allocates_nothing(
    settings: DisplaySettings, dtype: np.dtype[np.generic]
) -> None:
    from tools.bench.__main__ import alloc_bytes_per_frame

    rng = np.random.default_rng(0)
    frames = itertools.cycle([_lines(dtype, rng) for _ in range(3)])
    pipe = BModePipeline(160, 120, settings)
    for _ in range(3):
        pipe.process(next(frames), LINEAR)
    harness = alloc_bytes_per_frame(lambda: next(frames), 20)
    allocated = alloc_bytes_per_frame(lambda: pipe.process(next(frames), LINEAR), 20) - harness
    # IQ: finding the frame's peak returns one numpy index scalar; nothing proportional to the frame
    assert allocated <= (256 if dtype == np.complex64 else 0)
