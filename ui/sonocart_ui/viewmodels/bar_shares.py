"""How a bar's room is shared among its parts side by side (the status bar: the side and site, the operator,
the probe, the pedals): each part one line whenever the whole bar can hold them all on one line; when it
cannot, the parts that fit a fair share keep their one line and only the longest wrap (issue 14: nothing
shortened, a part never wrapped for want of a share while the bar has room). No Kivy: widths in px."""

from __future__ import annotations

from collections.abc import Sequence


def allot(lines: Sequence[float], words: Sequence[float], room: float) -> list[float]:
    """Each part's width, given its text's width on one line (``lines``), its longest word's (``words``)
    and the bar's ``room`` (its width less its margins and the gaps between parts).

    When the one-line widths fit the room, each part gets its own and an equal part of what is left (the
    gaps between the texts even). When they do not, a cap is found such that every part gets its one
    line or the cap, whichever is less, but never less than its longest word (a word is never cut), and
    the widths fill the room: the short parts keep their line, the long ones wrap at the same width. When
    not even the longest words fit, each part gets a share of the room in proportion to its longest word.
    """
    n = len(lines)
    if n == 0:
        return []
    floors = [min(w, line) for w, line in zip(words, lines, strict=True)]
    total = sum(lines)
    if total <= room:
        extra = (room - total) / n
        return [line + extra for line in lines]
    need = sum(floors)
    if need >= room:
        return [room * f / need for f in floors] if need > 0 else [room / n] * n
    lo, hi = 0.0, max(lines)  # the cap: sum(clamp(cap, floor, line)) grows with it, from need to total
    for _ in range(60):
        cap = (lo + hi) / 2
        if sum(min(max(cap, f), line) for f, line in zip(floors, lines, strict=True)) > room:
            hi = cap
        else:
            lo = cap
    return [min(max(lo, f), line) for f, line in zip(floors, lines, strict=True)]
