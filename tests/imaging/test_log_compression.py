"""Display values follow clip((20·log10(A/FS) + DR + gain) / DR, 0, 1) · 255 for every sample type."""

from __future__ import annotations

import numpy as np
import pytest

from sonocart.imaging.logcompress import LogCompressor


def _expected(amplitude: np.ndarray, full_scale: float, dr: float, gain: float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        db = 20 * np.log10(amplitude / full_scale)
    return np.clip((db + dr + gain) / dr, 0, 1) * 255


@pytest.mark.parametrize(("dr", "gain"), [(60.0, 0.0), (40.0, 6.0), (80.0, -10.0)])
def test_uint16_envelope_follows_the_display_formula(dr: float, gain: float) -> None:
    amp = np.array([[0, 1, 65, 655, 6553, 32767, 65535, 20000]], dtype=np.uint16).repeat(2, axis=0)
    out = LogCompressor(*amp.shape).compress(amp, dr, gain)
    assert out.dtype == np.uint8
    np.testing.assert_allclose(out, _expected(amp.astype(float), 65535.0, dr, gain), atol=0.5 + 1e-9)


def test_iq_uses_the_frames_maximum_as_full_scale() -> None:
    mags = np.array([0.0, 0.001, 0.01, 0.1, 0.5, 1.0, 2.0, 4.0])
    iq = (
        (mags * np.exp(1j * np.linspace(0, 3, mags.size)))
        .astype(np.complex64)
        .reshape(1, -1)
        .repeat(2, axis=0)
    )
    out = LogCompressor(*iq.shape).compress(iq, 60.0, 0.0)
    assert out.dtype == np.uint8
    np.testing.assert_allclose(out[0], _expected(mags, 4.0, 60.0, 0.0), atol=0.51)
    assert out[0, -1] == 255


def test_uint8_is_passed_through_as_display_values() -> None:
    lines = np.arange(32, dtype=np.uint8).reshape(2, 16)
    np.testing.assert_array_equal(LogCompressor(2, 16).compress(lines, 60.0, 10.0), lines)


def test_all_zero_iq_frame_is_black_not_nan() -> None:
    out = LogCompressor(2, 4).compress(np.zeros((2, 4), dtype=np.complex64))
    assert (out == 0).all()


def test_compressor_reuses_its_output_buffer() -> None:
    comp = LogCompressor(2, 4)
    a = comp.compress(np.ones((2, 4), dtype=np.uint16))
    b = comp.compress(np.full((2, 4), 65535, dtype=np.uint16))
    assert a is b and (b == 255).all()
