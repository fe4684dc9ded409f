"""Counts as the team says them, shared by every screen that shows them (the live column and the Summary
say the same dose the same way)."""

from __future__ import annotations


def counted(n: int, thing: str, none: str = "") -> str:
    """``n`` things in words: "1 image", "2 images"; ``none`` (when given) for zero: "no notes"."""
    if n == 0 and none:
        return none
    return f"{n} {thing}{'' if n == 1 else 's'}"


def given_words(aliquots: int, total_ml: float) -> str:
    """The aliquots given and their volume, readable alone: "2 aliquots, 8 mL given" ("8 mL" alone on a
    small page would read as an instruction)."""
    return f"{counted(aliquots, 'aliquot')}, {total_ml:g} mL given"
