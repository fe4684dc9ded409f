"""The cart process killed with SIGKILL mid-procedure: restarted, it resumes the record where it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.rig.headless_client import HeadlessCart, journaled_gestures

from .conftest import Recorder
from .helpers import board_now, board_pause, first_change, gestures, on_board_clock, tap, wait_for
from .interface import Rig


@pytest.mark.pico_ci  # also on the emulated Pico in make test (tests/hil/conftest.py)
def test_cart_killed_with_sigkill_resumes_the_procedure_where_it_was(
    rig: Rig, figures: Recorder, tmp_path: Path
) -> None:
    first = HeadlessCart(tmp_path / "run", rig.probe_port, rig.pedal_port)
    try:
        path = Path(first.open_example())
        step = first.command("state")["step"]
        wait_for(lambda: rig.light() == "blue", 10.0, "the imaging light")
        for _ in range(3):
            mark = first.mark()
            tap(rig, "B")  # sterile context: B tap = capture a still
            first.wait("pedal", since=mark, timeout=5.0)
            board_pause(rig, 0.1)
        before = gestures(first)
        killed = on_board_clock(rig, first.kill_core())  # as the board's clock read it
    finally:
        first.close()
    lost = first_change(rig, killed, "yellow", timeout=3.0)  # the board notices the host is gone
    restarted = board_now(rig)
    second = HeadlessCart(tmp_path / "run", rig.probe_port, rig.pedal_port, resume=path)
    try:
        assert (second.ready["record"], second.ready["step"]) == (str(path), step)
        back = first_change(rig, restarted, "blue", timeout=20.0)
        mark = second.mark()
        tap(rig, "A")
        after = second.wait("pedal", since=mark, timeout=5.0).data
    finally:
        second.close()
    journal = journaled_gestures(path)
    assert [(g["pedal"], g["gesture"], g["outcome"]) for g in journal] == [("B", "tap", "done")] * 3 + [
        ("A", "tap", "done")
    ]
    assert [g["seq"] for g in journal] == [g["seq"] for g in before] + [after["seq"]]
    assert after["seq"] > max(g["seq"] for g in before)  # the journal goes on from where it was
    figures("cart killed to host-lost light", (lost.t - killed) * 1000, "ms", "<= 1000")
    figures("cart restart to light restored", (back.t - restarted) * 1000, "ms")
    assert lost.t - killed <= 1.0 + 0.03
