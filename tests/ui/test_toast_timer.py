"""A toast goes TOAST_S after its message, even when its Kivy timer fires early (a long frame)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from sonocart_ui import bars
from sonocart_ui.bars import TOAST_S, FrameBars


class _Bars(FrameBars):
    """FrameBars' toast half on a hand clock: the session's last message and the toast label."""

    def __init__(self) -> None:
        self.now = 0.0
        said = SimpleNamespace(text="time-out confirmed", ok=True, at=10.0)
        self.session: Any = SimpleNamespace(feedback=said)
        # the screen shown says nothing itself (no ``shows``): the toast is the bar's to show
        screens = SimpleNamespace(current_screen=SimpleNamespace())
        self.root: Any = SimpleNamespace(
            ids=SimpleNamespace(toast=SimpleNamespace(text="", color=None), screens=screens)
        )
        self.live_screen = None

    def clock(self) -> float:
        return self.now


def test_a_toast_timer_that_fires_early_waits_what_is_left_then_clears_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    later: list[tuple[Callable[[float], None], float]] = []
    monkeypatch.setattr(bars.Clock, "schedule_once", lambda cb, t: later.append((cb, t)))
    b = _Bars()
    b.now = 10.0 + TOAST_S - 0.2  # the trigger ran 0.2 s early
    b._toast_expired()
    assert b.root.ids.toast.text == "time-out confirmed"  # still its 3 s
    assert len(later) == 1 and 0.2 <= later[0][1] <= 0.3, later
    b.now = 10.0 + TOAST_S + 0.05
    later.pop()[0](0.0)
    assert b.root.ids.toast.text == ""
    assert later == []  # nothing left to wait for


def test_a_toast_timer_on_time_clears_at_once_and_waits_no_more(monkeypatch: pytest.MonkeyPatch) -> None:
    later: list[tuple[Callable[[float], None], float]] = []
    monkeypatch.setattr(bars.Clock, "schedule_once", lambda cb, t: later.append((cb, t)))
    b = _Bars()
    b.root.ids.toast.text = "time-out confirmed"
    b.now = 10.0 + TOAST_S + 0.05
    b._toast_expired()
    assert b.root.ids.toast.text == "" and later == []
