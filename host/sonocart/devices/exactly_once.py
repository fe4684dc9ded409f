"""Exactly-once delivery over a 16-bit sequence that wraps: which reliable frames are resends.

The board sends reliable messages stop-and-wait (``firmware/link.py``): one is in flight, resent
byte for byte every ``RESEND_MS`` until ACKed, and dropped (counted lost) after ``EVENT_TTL_MS``.
So a resend is an exact copy of a frame delivered moments ago. Its 16-bit ``seq`` alone is no
identity: the board numbers heartbeats too (4 per second), so the counter wraps every ~4.5 h and a
new press can carry the seq of one delivered earlier. A frame is a duplicate only when the same boot
sent the same payload bytes (seq, pedal, kind and the board's millisecond timestamp) within
:data:`RESEND_WINDOW_S` on the host's monotonic clock. A new event with an identical payload would
need the seq to wrap *and* the board's 2**30 ms tick counter to come round to the same millisecond,
which cannot happen within the window; a board that runs for weeks is therefore no different from
one that has just booted.
"""

from __future__ import annotations

import collections

#: Far longer than the board keeps resending (EVENT_TTL_MS = 1 s), far shorter than a wrap of the
#: sequence (65 536 frames at the board's few frames per second) or of its 2**30 ms ticks.
RESEND_WINDOW_S = 10.0
#: Stop-and-wait means only the latest delivery can be resent; a few more are kept for margin.
REMEMBERED = 32


class DuplicateFilter:
    """Remember recent deliveries per boot; :meth:`is_resend` says whether a frame was delivered."""

    def __init__(self, window_s: float = RESEND_WINDOW_S, remembered: int = REMEMBERED) -> None:
        self.window_s = window_s
        self._boot: int | None = None
        self._recent: collections.deque[tuple[float, bytes]] = collections.deque(maxlen=remembered)

    def is_resend(self, boot_id: int, payload: bytes, now: float) -> bool:
        """True if ``payload`` from ``boot_id`` was delivered within the window (then do not act
        again); otherwise remember it as delivered now and return False."""
        if boot_id != self._boot:
            self._boot = boot_id  # a new boot restarts its numbering: nothing earlier can be resent
            self._recent.clear()
        for at, seen in self._recent:
            if seen == payload and 0.0 <= now - at <= self.window_s:
                return True
        self._recent.append((now, payload))
        return False
