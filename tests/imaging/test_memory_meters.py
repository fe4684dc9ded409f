"""The bench's memory meter counts what a step keeps: not garbage the collector has yet to reach,
and, over several windows, not a cache that fills once.

Oracle: each step here keeps a known number of bytes (its own list of ``bytes`` objects, sized by
``sys.getsizeof``), or keeps none and leaves garbage only the cycle collector frees.
"""

from __future__ import annotations

import gc
import sys

import pytest

from tools.bench.__main__ import kept_bytes

FRAMES = 300
#: a frame that keeps nothing may still leave the interpreter's small-object free lists a little fuller
NOTHING_BYTES = 1024
#: the list holding what a step keeps grows too: its slots, 8 B per item, plus over-allocation
LIST_SLOTS_BYTES = 16 * FRAMES


@pytest.mark.parametrize("windows", [1, 3])
def test_what_a_step_keeps_every_frame_is_counted_in_every_window(windows: int) -> None:
    store: list[bytes] = []
    size = sys.getsizeof(bytes(100))
    kept = kept_bytes(lambda: store.append(bytes(100)), FRAMES, windows)
    assert FRAMES * size <= kept <= FRAMES * size + NOTHING_BYTES + LIST_SLOTS_BYTES


def test_cyclic_garbage_a_step_leaves_is_not_counted_as_kept() -> None:
    def step() -> None:
        cycle: list[object] = [bytes(1000)]
        cycle.append(cycle)  # garbage only the cycle collector frees

    was_enabled = gc.isenabled()
    gc.disable()  # nothing collects between frames: all 300 cycles are pending at the end
    try:
        kept = kept_bytes(step, FRAMES)
    finally:
        if was_enabled:
            gc.enable()
    assert kept <= NOTHING_BYTES


def test_a_cache_that_fills_once_is_not_counted_over_several_windows_but_is_in_one() -> None:
    calls: list[int] = [0]
    cache: list[bytes] = []

    def step() -> None:
        calls[0] += 1
        if calls[0] == 150:  # in the first window
            cache.append(bytes(5000))

    assert kept_bytes(step, FRAMES, windows=3) <= NOTHING_BYTES
    calls[0], cache[:] = 0, []
    assert kept_bytes(step, FRAMES, windows=1) >= 5000


def test_no_window_is_refused() -> None:
    with pytest.raises(ValueError, match="windows"):
        kept_bytes(lambda: None, FRAMES, windows=0)
