"""Commands to the pedal board (light, buzzer) sent from a thread of their own, never from the pump.

A serial write can block for up to the port's write timeout when the board stops reading (a hung board,
a full USB buffer): the pump — which on the touchscreen is the display thread — must never wait for it.
The light keeps only the newest state (an older one is obsolete before it is sent); buzzer bursts are
each sent, in order. A failed send is counted and the next state is sent when the link is back.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Protocol

log = logging.getLogger(__name__)


class Board(Protocol):
    def set_indicator(self, state: str | int) -> None: ...

    def buzz(self, priority: str | int) -> None: ...


class BoardOutbox:
    def __init__(self, board: Board) -> None:
        self._board = board
        self._cond = threading.Condition()
        self._light: str | None = None
        self._bursts: deque[str] = deque(maxlen=16)
        self._stopping = False
        self.failed = 0
        self._thread = threading.Thread(target=self._run, name="board-outbox", daemon=True)

    def start(self) -> BoardOutbox:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(3.0)

    def light(self, state: str) -> None:
        with self._cond:
            self._light = state
            self._cond.notify()

    def buzz(self, priority: str) -> None:
        with self._cond:
            self._bursts.append(priority)
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and self._light is None and not self._bursts:
                    self._cond.wait()
                if self._stopping:
                    return
                light, self._light = self._light, None
                burst = self._bursts.popleft() if self._bursts else None
            try:
                if light is not None:
                    self._board.set_indicator(light)
                if burst is not None:
                    self._board.buzz(burst)
            except Exception:  # the driver reports its link state itself; the cart goes on
                self.failed += 1
                log.exception("pedal board command failed")
