"""The live column's body as short whole items, in order of importance, and its pages.

The column beside the image is small (114 px high at a 7-inch injection), and a line cut by its edge reads as
a whole message ("4 mL given with no"). So the body shows whole items only: the core's texts cut where they
already break, never inside a clause (unless it is taller than the body: below) and never reworded. The
step's detail breaks at its " · " separators (and its lines) into facts; the step's text breaks after each
clause's end ("; ", ". ", the punctuation kept). What does not fit goes to further pages behind a "+N more
· tap" row (the view lays them out; this module only cuts and orders, and splits a run of heights into
pages). A text taller than the body alone (at 7 inches the STOP's instruction, a syringe's fact) is cut
between words into the fewest parts that each fit the body with their mark, each marked " (k/n)" at its
end like the paged toast (paged.py): each part is an item of its own, the parts on consecutive pages.
The step's buttons are one item, or, when the whole grid is taller than the body, one item a row
(button_rows: two neighbours share a row when both labels fit it on one line), each row a touch target
high: never a page that scrolls.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sonocart_ui.viewmodels.paged import marked

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
    #: how many texts it holds, as the "more" row counts them (the buttons: one per button). A part of a
    #: cut text (cut_tall) is one: the row counts what the taps have still to show, one page's text each.
    count: int = 1
    #: the buttons cut in rows (cut_grid): the places in the grid of its row's buttons, in order; () for
    #: the whole grid in its own columns
    row: tuple[int, ...] = ()


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


#: The kinds a text taller than the body may be cut in (the step's buttons are cut in rows instead,
#: cut_grid; the held line is shown fixed outside the live column's body).
CUTTABLE = ("toast", "fact", "acknowledged", "clause")


def cut_tall(
    item: ColumnItem, lines: Sequence[str], ends: Sequence[int], space: str = NBSP
) -> list[ColumnItem]:
    """``item`` (its text in ``lines``: its words, or its lines as laid out at the body's width) cut after
    each of ``lines`` that ``ends`` names (the last one the last), in order, each part an item of
    ``item``'s kind marked " (k/n)" at its end, the mark after a no-break space (never on a line alone);
    ``[item]`` when it is one part, or when ``lines`` joined by spaces are not its text (a word broken
    across lines: not cut between words, so not cut at all). A no-break space is inside a word: never a
    place to cut (words_of). ``space`` a plain one: the mark may go to a line of its own (a word too wide
    for the body with its mark joined to it: "anaesthetic, (1/2)" at 7 inches)."""
    if item.kind not in CUTTABLE or " ".join(lines) != item.text or not ends or ends[-1] != len(lines):
        return [item]
    starts = [0, *ends[:-1]]
    parts = [" ".join(lines[a:b]) for a, b in zip(starts, ends, strict=True)]
    return [ColumnItem(item.kind, part) for part in marked(parts, space)]


#: The mark's widest form, placed on a part while it is being measured ("(9/9)": as wide as any mark a text
#: cut in fewer than 10 parts gets).
WIDEST_MARK = f"{NBSP}(9/9)"
#: The same, after a plain space: the mark on a line of its own where no word fits with it joined to it.
WIDEST_LOOSE_MARK = " (9/9)"


def words_of(text: str) -> list[str]:
    """``text``'s words: cut at its plain spaces only; a no-break space joins two words into one ("5 mg/mL",
    "0.5 %": a number stays with its unit)."""
    return text.split(" ")


def part_ends(words: Sequence[str], fits: Callable[[str], bool], mark: str = WIDEST_MARK) -> list[int]:
    """Where ``words`` (words_of a text) are cut into parts that each fit (``fits``: a text laid out fits
    the body whole, no word broken) with ``mark`` at their end: each part as many words as fit so, the
    parts' ends in order (the last ``len(words)``); [] when one word with the mark does not fit.

    A part without its mark fits when any shorter one does (a line never gets shorter with more words), so
    the most words that fit without it are found by bisection; with it, fewer may fit than that, and not
    always a run of them: the mark joined by its no-break space to the last word makes that word longer,
    and "ROPIVAcaine (9/9)" is wider than a 7-inch column where "ROPIVAcaine 0.5 % (9/9)" (its "0.5 %"
    one word, on the next line) fits, so the ends are tried from the most down."""
    ends: list[int] = []
    while (a := ends[-1] if ends else 0) < len(words):
        lo, hi = a, len(words)  # words[a:lo] fit (none: lo == a), words[a:hi + 1] do not
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if fits(" ".join(words[a:mid])) else (lo, mid - 1)
        end = next((b for b in range(lo, a, -1) if fits(f"{' '.join(words[a:b])}{mark}")), a)
        if end == a:
            return []
        ends.append(end)
    return ends


def pages(
    heights: Sequence[float],
    room: float,
    cue: float,
    start: int = 0,
    buttons: Sequence[bool] = (),
    most_buttons: float = math.inf,
) -> list[range]:
    """Runs of consecutive items, each fitting ``room`` whole: all on one page when they fit together,
    else each page fits with the "more" row (``cue`` high) and is closed only when its next item does not
    fit on it (never a page of room left that the next item would fill: "log each aliquot." alone on a
    page after one with room for it), and a page starts at item ``start`` (the page shown keeps its first
    item when one on another page goes: a toast's 3 s over, so that a tap skips none and shows none
    twice; the pages before it then end there). An item taller than a page alone has a page of its own
    (the body then scrolls to it); every item is on exactly one page, in order.

    ``buttons`` marks the items that are rows of buttons: a page's rows together take at most
    ``most_buttons`` (the header and the body less one touch target: the rest of the column's step, the
    header and the body beside the buttons, is the page's tap, a target high on every page), so a row that
    would leave less closes the page before it (a row that alone leaves less has a page of its own)."""
    n = len(heights)
    is_button = [i < len(buttons) and bool(buttons[i]) for i in range(n)]
    together = sum(h for h, b in zip(heights, is_button, strict=True) if b)
    # (no rows of buttons keep the tap whatever the rule: a column too short for a target, the 10-inch
    # frozen review's, has a page all the same; no items, one empty page)
    if n == 0 or (sum(heights) <= room + 0.5 and (not any(is_button) or together <= most_buttons + 0.5)):
        return [range(n)]
    out = []
    first = 0
    while first < n:
        used, rows, last = cue, 0.0, first
        limit = start if first < start else n
        while last < limit and used + heights[last] <= room + 0.5:
            if is_button[last] and rows + heights[last] > most_buttons + 0.5:
                last += last == first  # a row taller than the rule allows: alone on its page
                break
            used += heights[last]
            rows += heights[last] if is_button[last] else 0.0
            last += 1
        last = max(last, first + 1)
        out.append(range(first, last))
        first = last
    return out


def cue_texts(items: Sequence[ColumnItem], shown: range, page: int, of: int) -> list[str]:
    """The "more" row's words, longest first ([] on a single page): how many texts are not on this page,
    a tap, which page. The view shows the first that fits one line (the 7-inch body has room for one)."""
    if of <= 1:
        return []
    hidden = sum(it.count for i, it in enumerate(items) if i not in shown)
    where, more = page_of(page, of), f"+{hidden}{NBSP}more"  # each wraps whole, never "1 / of 3"
    return [f"{more} · tap · {where}", f"{more} · {where}", f"{where} · +{hidden}"]


def page_of(page: int, of: int) -> str:
    """Which page this is ("3 of 16"), as the "more" row and the header say it: one source."""
    return f"{page + 1}{NBSP}of{NBSP}{of}"


def header_notes(progress: str, page: int, of: int, row_counts: bool = False) -> list[str]:
    """What follows the phase in the live column's header, longest first: the step's progress on a single
    page, or on a page whose "more" row already says which page (``row_counts``: one "k of n" a page);
    else which page and that the header is the tap (the progress before them where it fits), so that a
    page without room for the row (a 7-inch page of one button) still says there are more. A phase of one
    step has no progress ("")."""
    if of <= 1 or row_counts:
        return [progress]
    where = f"page{NBSP}{page_of(page, of)}"
    longest = [f"{progress} · {where} · tap here"] if progress else []
    return [*longest, f"{where} · tap here", where]


def button_rows(one_line: Sequence[bool]) -> list[tuple[int, ...]]:
    """The grid's buttons in rows, in order (their places): two neighbours on one row when both labels fit
    whole on one line in half a row (``one_line``, a button's), else one button a row ("- 1 mL" beside
    "+ 1 mL"; "Test dose" beside "New needle" only when both fit so)."""
    rows: list[tuple[int, ...]] = []
    i = 0
    while i < len(one_line):
        pair = i + 1 < len(one_line) and one_line[i] and one_line[i + 1]
        rows.append((i, i + 1) if pair else (i,))
        i += 2 if pair else 1
    return rows


def cut_grid(item: ColumnItem, rows: Sequence[Sequence[int]]) -> list[ColumnItem]:
    """The step's buttons (``item``, the whole grid) as one item a row (``rows``: places in the grid, each
    button in exactly one of them, in order), each counted as its buttons; ``[item]`` when ``rows`` are
    not its buttons in order, or ``item`` is not the whole grid."""
    places = [i for r in rows for i in r]
    if item.kind != "buttons" or item.row or places != list(range(item.count)) or not all(rows):
        return [item]
    return [ColumnItem("buttons", "", len(r), tuple(r)) for r in rows]
