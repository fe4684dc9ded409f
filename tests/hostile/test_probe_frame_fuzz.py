"""10^5 CRC-valid mutated probe frames through the real client and the live view: 0 exceptions, every
refusal counted, the view NO SIGNAL with the reason, never a non-finite frame shown."""

from __future__ import annotations

import math

import numpy as np

from sonocart.validation.frames import FrameValidator
from sonocart.wire import probe_codec as pc
from tests.hostile.frame_fuzz import run

CASES = 100_000


def test_mutated_frames_never_raise_and_every_bad_one_is_counted_and_shown_as_no_signal() -> None:
    tally = run(CASES)
    assert tally.fed == CASES
    assert tally.shown + tally.refused == CASES
    assert tally.poisoned > 1_000 and tally.controls > 10_000  # both oracles exercised at scale
    for kind in ("geometry", "shape", "format-or-kind", "poisoned", "header-bytes"):
        assert tally.refused_by_kind.get(kind, 0) > 100, f"no {kind} damage was ever refused"


def frame(lines: np.ndarray, g: pc.FrameGeometry) -> pc.Frame:
    return pc.Frame(1, 1, 0, 0, g, lines)


LINEAR = pc.FrameGeometry(pc.GeometryKind.LINEAR, 0.0, 40.0, 38.0, 0.0, 0.0)


def test_the_frames_of_the_field_report_are_refused_with_their_reason() -> None:
    v = FrameValidator()
    ok = np.full((64, 256), 7, dtype=np.uint8)
    assert v.problem(frame(ok, LINEAR)) is None
    two_lines = np.full((2, 256), 7, dtype=np.uint8)
    assert "line count 2" in str(v.problem(frame(two_lines, LINEAR)))
    zero_width = pc.FrameGeometry(pc.GeometryKind.LINEAR, 0.0, 40.0, 0.0, 0.0, 0.0)
    assert "width" in str(v.problem(frame(ok, zero_width)))
    zero_fov = pc.FrameGeometry(pc.GeometryKind.PHASED, 0.0, 90.0, 0.0, 0.0, 0.0)
    assert "field of view" in str(v.problem(frame(ok, zero_fov)))
    inf_depth = pc.FrameGeometry(pc.GeometryKind.LINEAR, 0.0, math.inf, 38.0, 0.0, 0.0)
    assert "finite" in str(v.problem(frame(ok, inf_depth)))
    iq = np.ones((64, 256), dtype=np.complex64)
    assert v.problem(frame(iq, LINEAR)) is None
    iq[10, 20] = complex(math.nan, 0.0)
    assert "finite" in str(v.problem(frame(iq, LINEAR)))
