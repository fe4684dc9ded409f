"""Display values follow clip((20·log10(A/FS) + DR + gain) / DR, 0, 1) · 255 for every sample type."""

from __future__ import annotations

import numpy as np
import pytest

from sonocart.imaging.levels import GreyLevels
from sonocart.imaging.settings import DisplaySettings


def _expected(amplitude: np.ndarray, full_scale: float, dr: float, gain: float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        db = 20 * np.log10(amplitude / full_scale)
    return np.clip((db + dr + gain) / dr, 0, 1) * 255


@pytest.mark.parametrize(("dr", "gain"), [(60.0, 0.0), (40.0, 6.0), (80.0, -10.0)])
def test_uint16_envelope_follows_the_display_formula(dr: float, gain: float) -> None:
    amp = np.array([[0, 1, 65, 655, 6553, 32767, 65535, 20000]], dtype=np.uint16).repeat(2, axis=0)
    out = GreyLevels(*amp.shape).run(amp, DisplaySettings(dynamic_range_db=dr, gain_db=gain))
    assert out.dtype == np.uint8
    # gain scales the amplitude before the table: one amplitude code of rounding, i.e. < 1 level above -50 dB
    expected = _expected(amp.astype(float), 65535.0, dr, gain)
    loud = amp >= 655
    np.testing.assert_allclose(out[loud], expected[loud], atol=1.0)
    np.testing.assert_allclose(out[~loud], expected[~loud], atol=3.0)


def test_iq_uses_the_frames_maximum_as_full_scale() -> None:
    mags = np.array([0.0, 0.001, 0.01, 0.1, 0.5, 1.0, 2.0, 4.0])
    iq = (
        (mags * np.exp(1j * np.linspace(0, 3, mags.size)))
        .astype(np.complex64)
        .reshape(1, -1)
        .repeat(2, axis=0)
    )
    out = GreyLevels(*iq.shape).run(iq, DisplaySettings())
    assert out.dtype == np.uint8
    np.testing.assert_allclose(out[0], _expected(mags, 4.0, 60.0, 0.0), atol=1.0)
    assert out[0, -1] == 255


def test_uint8_is_display_values_that_gain_shifts_in_db() -> None:
    lines = np.arange(32, 64, dtype=np.uint8).reshape(2, 16)
    stage = GreyLevels(2, 16)
    np.testing.assert_array_equal(stage.run(lines, DisplaySettings()), lines)
    brighter = stage.run(lines, DisplaySettings(gain_db=6.0)).astype(int)
    np.testing.assert_array_equal(brighter - lines, round(6.0 / 60.0 * 255))


def test_all_zero_iq_frame_is_black_not_nan() -> None:
    out = GreyLevels(2, 4).run(np.zeros((2, 4), dtype=np.complex64), DisplaySettings())
    assert (out == 0).all()


def test_stage_reuses_its_output_buffer() -> None:
    stage = GreyLevels(2, 4)
    a = stage.run(np.ones((2, 4), dtype=np.uint16), DisplaySettings())
    b = stage.run(np.full((2, 4), 65535, dtype=np.uint16), DisplaySettings())
    assert a is b and (b == 255).all()
