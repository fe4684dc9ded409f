"""The live column's body as short whole items, in order of importance, and its pages.

The column beside the image is small (83 px high at a 7-inch injection), and a line cut by its edge reads as
a whole message ("4 mL given with no"). So the body shows whole items only: the core's texts cut where they
already break, never inside a clause and never reworded. The step's detail breaks at its " · " separators
(and its lines) into facts; the step's text breaks after each clause's end ("; ", ". ", the punctuation
kept). What does not fit goes to further pages behind a "+N more · tap" row (the view lays them out; this
module only cuts and orders, and splits a run of heights into pages).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

#: Item kinds, most important first: why the step does not go on, the last action's feedback, the running
#: dose (and the step's other facts), the acknowledged prompt's line, the step's instruction, its buttons.
KINDS = ("held", "toast", "fact", "acknowledged", "clause", "buttons")

#: A clause ends at one of these, before the space (kept with the clause before it); not at a colon, which
#: joins a label to its clause ("STOP: operator and ..." is one).
_CLAUSE_END = re.compile(r"(?<=[;.]) +")
_FACT_SEPARATOR = " · "
#: The running dose's own fact (the dose guard's words, step_buttons._dose_line): first of the facts, after a
#: warning ("[!] ..."), so that the small 7-inch page 1 shows it.
_DOSE = re.compile(r"dose \d+% of max")
NBSP = "\u00a0"
#: The core's feedback for an acknowledged prompt (prompt_list.acknowledge): "acknowledged: <its words>".
ACKNOWLEDGED = "acknowledged: "


@dataclass(frozen=True)
class ColumnItem:
    kind: str  # one of KINDS
    text: str  # the core's words, whole ("" for the buttons: the grid draws its own)
    count: int = 1  # how many texts it holds (the buttons: one per button)


def clauses(text: str) -> list[str]:
    """``text`` cut after each clause's end ("; ", ". "): joined by one space, the text again."""
    return [c for c in _CLAUSE_END.split(text.strip()) if c]


def facts(detail: str) -> list[str]:
    """The detail's facts: its lines, each cut at its " · " separators."""
    return [f.strip() for line in detail.splitlines() for f in line.split(_FACT_SEPARATOR) if f.strip()]


def column_items(text: str, detail: str, toast: str, held: str = "", buttons: int = 0) -> list[ColumnItem]:
    """The body's items in order of importance (KINDS); the feedback and the held line stay whole. Of the
    facts, a warning comes first, then the dose's share of the maximum, then the rest in the core's order."""
    out = [ColumnItem("held", held)] if held else []
    acknowledged = toast.startswith(ACKNOWLEDGED)
    if toast and not acknowledged:
        out.append(ColumnItem("toast", toast))
    ordered = sorted(
        facts(detail), key=lambda f: 0 if f.startswith("[!]") else 1 if _DOSE.fullmatch(f) else 2
    )
    out += [ColumnItem("fact", f) for f in ordered]
    if acknowledged:
        out.append(ColumnItem("acknowledged", toast))
    out += [ColumnItem("clause", c) for c in clauses(text)]
    if buttons:
        out.append(ColumnItem("buttons", "", buttons))
    return out


def pages(heights: Sequence[float], room: float, cue: float) -> list[range]:
    """Runs of consecutive items, each fitting ``room`` whole: all on one page when they fit together,
    else each page fits with the "more" row (``cue`` high). An item taller than that alone has a page of
    its own (the body then scrolls to it); every item is on exactly one page, in order."""
    n = len(heights)
    if sum(heights) <= room + 0.5:
        return [range(n)]
    out = []
    start = 0
    while start < n:
        used, end = cue, start
        while end < n and used + heights[end] <= room + 0.5:
            used += heights[end]
            end += 1
        end = max(end, start + 1)
        out.append(range(start, end))
        start = end
    return out


def cue_texts(items: Sequence[ColumnItem], shown: range, page: int, of: int) -> list[str]:
    """The "more" row's words, longest first ([] on a single page): how many texts are not on this page,
    a tap, which page. The view shows the first that fits one line (the 7-inch body has room for one)."""
    if of <= 1:
        return []
    hidden = sum(it.count for i, it in enumerate(items) if i not in shown)
    where, more = (
        f"{page + 1}{NBSP}of{NBSP}{of}",
        f"+{hidden}{NBSP}more",
    )  # each wraps whole, never "1 / of 3"
    return [f"{more} · tap · {where}", f"{more} · {where}", f"{where} · +{hidden}"]
