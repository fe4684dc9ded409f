"""NO SIGNAL is decided the moment a frame is older than 250 ms or the link reports a fault."""

from __future__ import annotations

from sonocart.imaging.liveness import STALE_AFTER_S, assess


def test_fresh_frame_is_live() -> None:
    assert assess(10.0, 10.0 - 0.1, None).live


def test_frame_older_than_250_ms_is_no_signal() -> None:
    assert STALE_AFTER_S == 0.25
    assert assess(10.0, 10.0 - 0.25, None).live
    verdict = assess(10.0, 10.0 - 0.251, None)
    assert not verdict.live and verdict.reason == "no new frame for 251 ms"


def test_link_fault_is_no_signal_even_with_a_fresh_frame() -> None:
    verdict = assess(10.0, 10.0, "probe link down (/dev/sonocart-probe)")
    assert not verdict.live and "link down" in verdict.reason


def test_no_frame_yet_is_no_signal() -> None:
    verdict = assess(10.0, None, None)
    assert not verdict.live and verdict.frame_age_s is None


def test_liveness_returns_when_frames_resume() -> None:
    assert not assess(10.0, 9.0, None).live
    assert assess(10.02, 10.0, None).live
