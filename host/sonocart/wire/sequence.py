"""16-bit sequence numbers: the sender counts, the receiver counts the gaps."""

from __future__ import annotations

SEQ_MOD = 1 << 16


class SequenceCounter:
    """Sender side: the next 16-bit sequence number."""

    def __init__(self) -> None:
        self._next = 0

    def take(self) -> int:
        seq = self._next
        self._next = (seq + 1) % SEQ_MOD
        return seq


class GapTracker:
    """Receiver side: counts frames missing between consecutive sequence numbers.

    A jump backwards by more than half the range is taken as a sender restart
    (counted in ``resets``), not as 65 000 lost frames.
    """

    def __init__(self) -> None:
        self.last: int | None = None
        self.received = 0
        self.missing = 0
        self.duplicates = 0
        self.resets = 0

    def observe(self, seq: int) -> int:
        """Record ``seq``; return how many frames were missed just before it."""
        self.received += 1
        if self.last is None:
            self.last = seq
            return 0
        delta = (seq - self.last) % SEQ_MOD
        if delta == 0:
            self.duplicates += 1
            return 0
        if delta > SEQ_MOD // 2:
            self.resets += 1
            self.last = seq
            return 0
        self.last = seq
        gap = delta - 1
        self.missing += gap
        return gap

    def reset(self) -> None:
        """Forget the last number (the link reconnected)."""
        self.last = None
