"""The live screen's column beside the image shows pages of whole items, at both cart screens
(column_scenario.py, run once per size and read by each test below; the oracle is the real window's
widget tree, column_geometry.py, and the core's own texts cut by this file's own rules).

At the STOP with its HIGH prompt up, at the injection with a MEDIUM prompt up and with that prompt
acknowledged, and on every page a tap on the body shows: no page scrolls (what the body holds fits its
window), and every text drawn in the column is entirely inside the visible rectangle of the body that
holds it, or entirely outside it (never cut by its edge, "4 mL given with no" read as a whole message);
the step's header is whole in the column. A text taller than the body is shown in parts, each marked
" (k/n)" at its end after a no-break space, k running 1..n on consecutive pages; the parts joined are the
core's words. The "+N more · tap · k of n" row counts exactly the texts (a part counts as one) not on its
page; its touch target (the body) is at least a touch target high; the taps visit every text of the step
exactly once, in order, then page 1 again. Page 1 starts with the most important item and, at the
injection, shows the dose. The step's buttons are texts like the others: no page of them scrolls either
(issue 14 item 4: a sterile, gloved user never scrolls), every one of them is on a page, each a touch
target high; and "+ 1 mL" touched on its own page does that one thing, the page staying."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from sonocart.launch.xvfb import Xvfb
from tests.conftest import ARTIFACTS
from tests.ui.column_geometry import more_row
from tests.ui.conftest import _client_env
from tests.ui.driver import run_scenario_file

SCENARIO = Path(__file__).with_name("column_scenario.py")
#: The theme's touch target: 12 mm at 5.25 px/mm (7-inch 800x480) and 5.93 px/mm (10-inch 1280x800)
TARGET_PX = {"800x480": 63, "1280x800": 71}
#: The theme's gap (the grid's spacing): 1.5 mm, rounded up
GAP_PX = {"800x480": 8, "1280x800": 9}
CYCLED = ("stop", "medium")
#: A part's mark at the end of its text (a no-break space before it, or a plain one: the test then says so)
MARK = re.compile(r"([\u00a0 ])\((\d+)/(\d+)\)(?= |$)")

#: A page counter, anywhere in the column ("3 of 16" at a text's or line's end or before " · "; not the
#: step's own progress, "step 1 of 1", nor a dose's "20 of 216 mg")
COUNTER = re.compile(r"(?<!step )\b(\d+) of (\d+)(?=$| ·)", re.MULTILINE)

NB = "\u00a0"
Piece = tuple[str, str, tuple[int, int] | None]  # kind, text (a part's without its mark), (k, n) or None


def _inside(a: list[float], b: list[float]) -> bool:
    return (
        a[0] >= b[0] - 0.5
        and a[1] >= b[1] - 0.5
        and a[0] + a[2] <= b[0] + b[2] + 0.5
        and a[1] + a[3] <= b[1] + b[3] + 0.5
    )


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= 0.5


def _apart(a: list[float], b: list[float]) -> bool:
    return a[1] >= b[1] + b[3] - 0.5 or a[1] + a[3] <= b[1] + 0.5


def _clauses(text: str) -> list[str]:
    """After each "; " and ". " (a colon joins a label to its clause: "STOP: operator and ...")."""
    return [c for c in re.split(r"(?<=[;.]) +", text.strip()) if c]


def _facts(detail: str) -> list[str]:
    return [_timeless(f) for line in detail.split("\n") for f in line.split(" · ") if f.strip()]


def _timeless(fact: str) -> str:
    return re.sub(r"\d+:\d\d", "m:ss", fact.strip())  # a running timer ticks between two pages


def _body_texts(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The texts drawn in the body on this page, the "more" row left out, top first."""
    body = [t for t in page["texts"] if t["scroll"] is not None and not more_row(t["text"])]
    return sorted(body, key=lambda t: -(t["rect"][1] + t["rect"][3]))


def _marked(text: str) -> list[tuple[str, tuple[int, int] | None]]:
    """``text`` cut after each part's mark: (the words before it, (k, n)), and what follows unmarked."""
    out: list[tuple[str, tuple[int, int] | None]] = []
    at = 0
    for m in MARK.finditer(text):
        assert m.group(1) == "\u00a0", ("a part's mark after a breaking space", text)
        out.append((text[at : m.start()].strip(), (int(m.group(2)), int(m.group(3)))))
        at = m.end()
    if text[at:].strip():
        out.append((text[at:].strip(), None))
    return out


def _pieces(page: dict[str, Any]) -> list[Piece]:
    """This page's items, read from what is drawn: (kind, text, mark), each fact, clause and part on its own
    (a part is the words before its mark)."""
    core = page["core"]
    out: list[Piece] = []
    for t in _body_texts(page):
        text = t["text"]
        if t["button"]:
            out.append(("button", text, None))
            continue
        for words, mark in _marked(text):
            toast = core["toast"]
            if toast and (words == toast or (mark is not None and words in toast)):
                out.append(("acknowledged" if toast.startswith("acknowledged: ") else "toast", words, mark))
            elif words in core["text"]:  # the instruction's clauses, the last one perhaps a part
                cut = _clauses(words)
                out += [("clause", c, None) for c in cut[:-1]] + [("clause", cut[-1], mark)]
            else:  # the facts, one a line (at " · " too), the last one perhaps a part
                *before, last = words.split("\n")
                out += [("fact", f, None) for f in _facts("\n".join(before))]
                tail = [("fact", f, None) for f in _facts(last)]
                out += [("fact", _timeless(last), mark)] if mark else tail
    return out


def _items(page: dict[str, Any]) -> list[tuple[str, str]]:
    return [(kind, text) for kind, text, _mark in _pieces(page)]


def _wholes(seen: list[dict[str, Any]]) -> tuple[list[tuple[str, str]], list[tuple[str, str, int]]]:
    """The texts visited over the cycle, each part joined to its text again: (kind, text) in order; and
    each text seen in parts: (kind, whole text, n). The marks run k = 1..n on consecutive pages."""
    visited: list[tuple[str, str]] = []
    cut: list[tuple[str, str, int]] = []
    run: list[tuple[int, str, tuple[int, int]]] = []  # the parts of the text being read: page, words, mark
    for p, page in enumerate(seen):
        for kind, text, mark in _pieces(page):
            if mark is None:
                assert run == [], ("a text's parts interrupted", run, text)
                visited.append((kind, text))
                continue
            k, n = mark
            assert n >= 2 and k == len(run) + 1, ("parts out of order", run, text, mark)
            assert not run or p == run[-1][0] + 1, ("parts not on consecutive pages", run, text)
            run.append((p, text, mark))
            if k == n:
                whole = " ".join(words for _p, words, _m in run)
                visited.append((kind, whole))
                cut.append((kind, whole, n))
                run = []
    assert run == [], ("a text's last part never shown", run)
    return visited, cut


def _holds(core: dict[str, Any], kind: str, text: str) -> bool:
    """The core's texts at that moment hold ``text`` (a text read in parts: it counts as its parts)."""
    if kind == "clause":
        return text in _clauses(core["text"])
    if kind == "fact":
        return text in [_timeless(f) for f in _facts(core["detail"])]
    return bool(text == core["toast"])


#: The header of a 7-inch injection whose body pages (round 13): which page alone, on one line
ALONE = re.compile(r"page (\d+) of (\d+)")


def _header(page: dict[str, Any]) -> dict[str, Any]:
    """The step's header: the column's text outside the body that names the phase ("Injection · ..."), or
    (a 7-inch injection whose body pages) says which page alone ("page 2 of 9")."""
    phase = page["core"]["phase"]

    def names(text: str) -> bool:
        return text == phase or text.startswith(f"{phase} · ") or bool(ALONE.fullmatch(text.replace(NB, " ")))

    heads = [t for t in page["texts"] if t["scroll"] is None and not t["button"] and names(t["text"])]
    assert len(heads) == 1, (phase, [t["text"] for t in page["texts"]])
    return heads[0]


def _tap_band(page: dict[str, Any]) -> float:
    """The tallest band from the body's foot to the header's top that no button drawn in the body is in
    (window px, from the drawn rectangles): where a tap pages on (the header, the "more" row, the body beside
    the buttons)."""
    body, head = page["body"], _header(page)["rect"]
    lo, hi = body[1], head[1] + head[3]
    taken = sorted(
        (t["rect"][1], t["rect"][1] + t["rect"][3]) for t in page["texts"] if t["button"] and t["scroll"]
    )
    bands, at = [], lo
    for a, b in taken:
        bands.append(min(a, hi) - at)
        at = max(at, b)
    bands.append(hi - at)
    return max(bands)


def _counters(page: dict[str, Any]) -> list[tuple[int, int]]:
    """The page counters (k, n) drawn whole on this page: in the column, the text inside its own label
    (never drawn past its box) and, in the body, inside the body's window."""
    out = []
    for t in page["texts"]:
        whole = _inside(t["rect"], page["column"]) and _near(t["rect"][3], t["touch_h"])
        if t["scroll"] is not None:
            whole = whole and _inside(t["glyphs"], t["scroll"])
        if whole:
            out += [(int(k), int(n)) for k, n in COUNTER.findall(t["text"].replace("\u00a0", " "))]
    return out


def _every_counter(page: dict[str, Any]) -> list[tuple[int, int]]:
    """Every page counter (k, n) in a text drawn in the column, whole or not."""
    texts = [t["text"].replace("\u00a0", " ") for t in page["texts"]]
    return [(int(k), int(n)) for text in texts for k, n in COUNTER.findall(text)]


def _first_item_height(page: dict[str, Any]) -> float:
    """The height of the first item drawn in the body (under the "more" row), read from the lines Kivy laid
    out: a text's lines down to the one its first item ends on (the step's facts one a line, its clauses
    joined by spaces, the feedback whole), or the step's buttons' (all of them when the page holds them
    all: the whole grid; else the top one's row)."""
    first = _body_texts(page)[0]
    if first["button"]:
        buttons = [t for t in _body_texts(page) if t["button"]]
        if len(buttons) == len(page["core"]["buttons"]):
            return max(t["rect"][1] + t["rect"][3] for t in buttons) - min(t["rect"][1] for t in buttons)
        return float(first["rect"][3])
    text, core = first["text"], page["core"]
    if core["toast"] and (text == core["toast"] or MARK.sub("", text).strip() in core["toast"]):
        item = text  # the feedback's label holds it alone
    elif MARK.sub("", text).strip() in core["text"]:  # the step's instruction, in clauses
        item = _clauses(text)[0]
    else:
        item = text.split("\n")[0]
    need, lines = len(re.sub(r"\s", "", item)), []
    for line in first["lines"]:
        lines.append(line)
        if len(re.sub(r"\s", "", "".join(t for t, _b, _t in lines))) >= need:
            break
    return float(lines[0][2] - lines[-1][1])


def _room_left(page: dict[str, Any]) -> float:
    """How much of the body's window is free under the lowest text or button drawn in it."""
    lowest = min((t["rect"] if t["button"] else t["glyphs"])[1] for t in page["texts"] if t["scroll"])
    return float(lowest - page["body"][1])


def _alone_height(page: dict[str, Any]) -> float:
    """A page's one item's height: its text's, or (the step's buttons) from the top one to the bottom one."""
    body = _body_texts(page)
    if all(t["button"] for t in body):
        return max(t["rect"][1] + t["rect"][3] for t in body) - min(t["rect"][1] for t in body)
    assert len(_items(page)) == 1, _items(page)
    return float(body[0]["glyphs"][3])


pytestmark = pytest.mark.ui


@pytest.fixture(scope="module", params=["1280x800", "800x480"])
def column(
    request: pytest.FixtureRequest, xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict[str, Any]]:
    """One run of the column scenario per cart screen (its size, its report), which every test below reads."""
    size = str(request.param)
    artifacts = ARTIFACTS / "ui" / f"column-{size}"
    tmp = tmp_path_factory.mktemp(f"column-{size}")
    r = run_scenario_file(
        SCENARIO, _client_env(xvfb, tmp_path_factory), tmp, artifacts, "--size", size, timeout_s=300
    )
    (artifacts / "column.json").write_text(json.dumps(r, indent=1, default=str))
    return size, r


def _parted(r: dict[str, Any]) -> dict[str, list[tuple[str, str, int]]]:
    """Per cycled step, each text shown in parts: (kind, its whole text, how many parts)."""
    return {m: _wholes(r[f"{m}_pages"])[1] for m in CYCLED}


def test_every_page_of_the_column_shows_whole_items_inside_it_and_a_whole_header(
    column: tuple[str, dict[str, Any]],
) -> None:
    """No page scrolls or cuts a line or button by the body's edge; the header says the phase and the step's
    progress on one line (or which page); every layout converged before its frame."""
    size, r = column
    # every layout converged before its frame: Kivy never warned "too much iteration" (tests/ui/clock_log.py)
    assert r["clock_too_much_iteration"] == [], r["clock_too_much_iteration"]
    looks = {"acknowledged": [r["acknowledged"]]} | {m: r[f"{m}_pages"] for m in CYCLED}
    for m, seen in looks.items():
        for k, page in enumerate(seen):
            cut, out_of_column, below = [], [], []
            for t in page["texts"]:
                rect, scroll = t["rect"], t["scroll"]
                if scroll is None:
                    if not _inside(rect, page["column"]):
                        out_of_column.append(t["text"])
                    continue
                drawn = rect if t["button"] else t["glyphs"]  # a button's box is its target; else the text
                if not _inside(drawn, scroll):
                    (below if _apart(drawn, scroll) else cut).append((t["text"], drawn, scroll))
            body, content = page["body"], page["content"]
            assert cut == [], (size, m, k, cut)  # no line, no button cut by the body's edge
            # no page scrolls: every text and button the body holds is in its window, and what passes its
            # edge holds none (the last item's gap, empty room under its text)
            assert below == [], (size, m, k, below)
            lowest = min(t["glyphs"][1] for t in page["texts"] if t["scroll"] is not None)
            assert content[1] >= body[1] - 0.5 or lowest >= body[1] - 0.5, (size, m, k, body, content)
            # each of the step's buttons a touch target high (a gloved finger)
            short = [t["text"] for t in page["texts"] if t["button"] and t["rect"][3] < TARGET_PX[size] - 0.5]
            assert short == [], (size, m, k, short)
            # shown from its top
            assert content[1] + content[3] <= body[1] + body[3] + 0.5, (size, m, k, body, content)
            assert out_of_column == [], (size, m, k, out_of_column)  # the header, the prompt, the strip
            # the header, whole: the phase and the step's progress, or (the body paged) which page
            head = _header(page)["text"]
            # (a phase of one step, the injection, has no progress: never "step 1 of 1")
            one_step = page["core"]["phase_steps"] == 1  # counted in the catalogue's procedure
            read = head.replace("\u00a0", " ")
            said = head == page["core"]["phase"] if one_step else "step " in read
            assert said or COUNTER.search(read), (size, m, k, head)
            assert "step 1 of 1" not in read, (size, m, k, head)
            # the progress on one line as Kivy laid it out ("step 1 of" above a lone "2" at 10 inches)
            progress = re.search(r"step \d+ of \d+", read)
            lines = [text for text, _bottom, _top in _header(page)["lines"]]
            assert progress is None or any(progress[0] in line for line in lines), (size, m, k, lines)
            if page["more"]:
                assert page["body"][3] >= TARGET_PX[size] - 0.5, (size, m, page["body"])  # the tap's target


def test_the_frozen_review_draws_nothing_outside_the_column_and_cuts_no_line(
    column: tuple[str, dict[str, Any]],
) -> None:
    """The image frozen with a caliper placed: the readout and the cine slider in the column, all inside."""
    size, r = column
    # the image frozen with a caliper placed (the readout and the cine slider in the column too): every text
    # drawn in the column is inside it (at 7 inches the step's header was drawn through the window's top)
    # and none of the body's is cut by its edge
    frozen = r["frozen"]
    spilled = [t["text"] for t in frozen["texts"] if not _inside(t["rect"], frozen["column"])]
    assert spilled == [], (size, spilled)
    cut_frozen = [
        t["text"]
        for t in frozen["texts"]
        if t["scroll"] is not None
        and not _inside(t["glyphs"], t["scroll"])
        and not _apart(t["glyphs"], t["scroll"])
    ]
    assert cut_frozen == [], (size, cut_frozen)
    assert any(t["text"].startswith("caliper ") for t in frozen["texts"]), (size, frozen["texts"])


def test_a_paged_column_draws_one_whole_page_counter_and_its_header_taps_visit_every_page(
    column: tuple[str, dict[str, Any]],
) -> None:
    """One 'k of n' a page, whole; the header's taps go 1..n then 1 again and change no volume."""
    size, r = column
    # issue 14: on every page of a column that pages, exactly one page counter "k of n" is drawn in the
    # column, and whole: the body's "more" row's, else (a 7-inch page with a button may have no room for
    # the row) the header's; the page's tap (the header and the body beside its buttons, one band) is a
    # touch target high on every page (round 13: the header alone no longer is)
    for m in (*CYCLED, "header"):
        seen = r[f"{m}_pages"]
        for k, page in enumerate(seen if len(seen) > 1 else []):
            texts = [t["text"] for t in page["texts"]]
            assert len(_every_counter(page)) == 1, (size, m, k, texts)
            assert _counters(page) == _every_counter(page), (size, m, k, texts)  # whole
            assert _counters(page)[0][1] >= 2, (size, m, k, texts)
            head = _header(page)
            assert bool(COUNTER.search(head["text"].replace("\u00a0", " "))) == (page["more"] == ""), (m, k)
            assert _tap_band(page) >= TARGET_PX[size] - 0.5, (size, m, k, _tap_band(page), texts)
    # the header's taps: page k of n, k = 1..n in order, then page 1 again, at the injection (11 pages at
    # 7 inches); they change no volume and log nothing (the header holds no button)
    heads = r["header_pages"]
    n = len(heads)
    assert n >= 2, (size, n)
    for k, page in enumerate(heads):
        assert _counters(page) == [(k + 1, n)], (size, k, n, [t["text"] for t in page["texts"]])
    assert _counters(r["header_back"]) == [(1, n)], (size, n)
    taps = r["header_taps"]
    assert taps["ml_after"] == taps["ml_before"] and taps["given_after"] == taps["given_before"], taps


def test_the_taps_visit_every_text_of_the_step_once_and_the_more_row_counts_what_is_not_shown(
    column: tuple[str, dict[str, Any]],
) -> None:
    """Every text once over the cycle, in order within its kind; the row's count exact on every page."""
    size, r = column
    parted = _parted(r)
    for m in CYCLED:
        seen = r[f"{m}_pages"]
        core = seen[0]["core"]
        visited, _parts = _wholes(seen)  # each text cut in parts read whole again, its marks in order
        # every text of the step exactly once over the cycle, in order within its kind, then page 1 again
        assert " ".join(t for kind, t in visited if kind == "clause") == core["text"], (size, m, visited)
        got = [t for kind, t in visited if kind == "fact"]
        assert sorted(got) == sorted(_facts(core["detail"])), (size, m, visited)
        assert sorted(t for kind, t in visited if kind == "button") == sorted(core["buttons"]), (size, m)
        if m == "medium":  # the injection's: - 1 mL, + 1 mL, Test dose, New needle (the strip has the rest)
            assert len(core["buttons"]) == 4, (size, core["buttons"])
        toasts = [t for kind, t in visited if kind in ("toast", "acknowledged")]
        assert toasts in ([core["toast"]], []) if core["toast"] else toasts == [], (size, m, toasts)
        assert len(visited) == len(set(visited)), (size, m, visited)
        if len(seen) > 1:
            assert [c for c in _counters(r[f"{m}_back"]) if c[0] == 1 and c[1] >= 2], (size, m)  # page 1
            last = more_row(seen[-1]["more"])  # the last page (or one without its row: one item alone)
            assert last is None or last[1] == last[2], (size, m, seen[-1]["more"])
        # the row: the exact count of the texts not on its page (the core's texts at that moment, a part of
        # one counted as one text), and the next page on each tap (the same number when an item before it
        # went: a toast's 3 s are over)
        at = 0
        # the row's height: one line (as drawn; on no page, as the lowest text drawn in the body, one line)
        rows = [t["glyphs"][3] for p in seen for t in p["texts"] if more_row(t["text"])]
        row_h = (
            max(rows)
            if rows
            else min(t["glyphs"][3] for p in seen for t in _body_texts(p) if not t["button"])
        )
        for k, page in enumerate(seen):
            row = more_row(page["more"])
            if len(seen) == 1:
                assert page["more"] == "", (size, m, page["more"])
                continue
            if row is None and ALONE.fullmatch(_header(page)["text"].replace(NB, " ")):
                # the 7-inch injection: no row on any page, the header alone says which page (the next,
                # or the same when an item before it went: the feedback's 3 s over)
                assert page["more"] == "" and not any(more_row(p["more"]) for p in seen), (size, m, k)
                ((where, _of),) = _counters(page)
                assert where in (at + 1, at), (size, m, k, where, at)
                at = where
                continue
            if row is None:  # one item alone, too tall to fit under the row: whole, without it
                assert page["more"] == "", (size, m, k, page["more"])
                assert _alone_height(page) + row_h > page["body"][3], (size, m, k, _items(page), row_h)
                at += 1
                continue
            assert row[0] is not None and row[1] <= row[2], (size, m, page["more"])
            assert row[1] in (at + 1, at), (size, m, k, page["more"])
            at = row[1]
            c = page["core"]
            total = len(_clauses(c["text"])) + len(_facts(c["detail"])) + bool(c["toast"]) + len(c["buttons"])
            total += sum(n - 1 for kind, whole, n in parted[m] if _holds(c, kind, whole))
            assert row[0] == total - len(_items(page)), (size, m, k, page["more"], _items(page))


def test_a_text_is_read_in_parts_only_when_it_cannot_fit_whole_on_an_empty_page(
    column: tuple[str, dict[str, Any]],
) -> None:
    """A part split only for a text taller than the body when laid out alone."""
    size, r = column
    parted = _parted(r)
    # issue 14: a text is read in parts only when it cannot fit whole on an empty page: laid out alone at the
    # body's width (Kivy's text layout, the scenario's), with its gap it is taller than the body
    for m in CYCLED:
        for _kind, whole, _n in parted[m]:
            tall = [
                h for p in r[f"{m}_pages"] for t, h in p["core"]["heights"].items() if _timeless(t) == whole
            ]
            body = r[f"{m}_pages"][0]["body"][3]
            assert tall and min(tall) > body - GAP_PX[size] / 4, (size, m, whole, tall, body)


def test_no_page_but_the_last_leaves_room_for_the_next_pages_first_item(
    column: tuple[str, dict[str, Any]],
) -> None:
    """Pages fill: a page closes only when the next item does not fit."""
    size, r = column
    # issue 14: no page but the last leaves room for the next page's first item (with the gaps around it):
    # "log each aliquot." alone on the 10-inch injection's last page, the page before it with room for it
    for m in (*CYCLED, "header"):
        seen = r[f"{m}_pages"]
        for k, (page, after) in enumerate(pairwise(seen)):
            if page["core"]["toast"] != after["core"]["toast"]:
                continue  # the feedback's 3 s over between them: other pages
            need = _first_item_height(after) + 1.5 * GAP_PX[size] / 2  # its gap, and the last one's slack
            assert need > _room_left(page), (size, m, k, _items(page), _items(after)[:1], _room_left(page))


def test_page_one_starts_with_the_feedback_then_the_dose(column: tuple[str, dict[str, Any]]) -> None:
    """The most important item first."""
    size, r = column
    # page 1 starts with the most important item present: the feedback, then the dose
    medium = r["medium_pages"][0]
    first = [kind for kind, _t in _items(medium)]
    assert first[0] == ("toast" if medium["core"]["toast"] else "fact"), (size, first)
    dose = re.compile(r"dose \d+% of max")
    pages_1 = [r["acknowledged"]] + ([medium] if size == "1280x800" else [])
    for page in pages_1:
        assert [t for kind, t in _items(page) if kind == "fact" and dose.fullmatch(t)], (size, _items(page))
    acked = r["acknowledged"]
    assert acked["core"]["toast"].startswith("acknowledged: "), acked["core"]


def test_every_catalogue_stop_and_injection_clause_is_among_the_texts_checked(
    column: tuple[str, dict[str, Any]],
) -> None:
    """Every procedure's clauses at the body's width are read in parts or alone as the rules say."""
    size, r = column
    # the catalogue's STOP and injection clauses, laid out by Kivy at the body's width: those taller than
    # the body are read in parts, those that fit it but not under the row alone on a page; every one of
    # them is among the texts the taps visited (the same in every procedure), so every procedure's pages
    # are the ones checked above
    clauses = r["stop_clauses"] + r["injection_clauses"]
    tall = sorted({c["clause"] for c in clauses if c["height"] + c["row"] > c["body"] + 0.5})
    taller = sorted({c["clause"] for c in clauses if c["height"] > c["body"] + 0.5})
    (ARTIFACTS / "ui" / f"column-{size}" / "clauses.json").write_text(
        json.dumps({"taller_than_the_body": taller, "with_the_row": tall, "all": clauses}, indent=1)
    )
    cycled = {c for m in CYCLED for c in _clauses(r[f"{m}_pages"][0]["core"]["text"])}
    assert {c["clause"] for c in clauses} <= cycled, (size, cycled)
    parted = _parted(r)
    read_in_parts = {whole for m in CYCLED for kind, whole, _n in parted[m] if kind == "clause"}
    for clause in tall:
        on = [_items(p) for p in r["stop_pages"] + r["medium_pages"] if ("clause", clause) in _items(p)]
        assert clause in read_in_parts or (on and all(len(items) == 1 for items in on)), (size, clause, on)
    assert set(taller) <= read_in_parts, (size, taller, read_in_parts)


def test_a_volume_button_on_its_own_page_changes_the_volume_by_one_ml_and_keeps_the_page(
    column: tuple[str, dict[str, Any]],
) -> None:
    """'+ 1 mL' on a later page: exactly 1 mL more, nothing given or logged, the page the same."""
    _size, r = column
    # "+ 1 mL" touched on its own page (a later one): the next aliquot's volume up by exactly 1 mL, as the
    # strip's Log button says, nothing given or logged, and the page the same (a button's tap is not a page's)
    tap = r["button_tap"]
    assert tap["ml_after"] == tap["ml_before"] + 1, tap
    assert tap["log_label"] == f"Log {tap['ml_after']:g} mL", tap
    assert tap["given_after"] == tap["given_before"], tap
    assert tap["page_after"] == tap["page"] and (tap["page"] > 0 or tap["pages"] == 1), tap


def test_paired_buttons_share_a_row_in_equal_halves_and_the_one_alone_takes_the_width(
    column: tuple[str, dict[str, Any]],
) -> None:
    """Yes and No side by side, Test dose under them, each a touch target high."""
    size, r = column
    # rows with a pair (Yes, No: short enough for half a row on one line; Test dose is not): side by side in
    # equal halves of the grid's width, one gap apart, tops aligned, each a target high on one line; the
    # button alone is the whole width, one gap under them; the grid as tall as its rows
    pairs, gap = r["grid_pairs"], GAP_PX[size]
    assert pairs["rows"] == [[0, 1], [2]], pairs
    assert sorted(pairs["shown"]) == ["No", "Test dose", "Yes"], pairs
    (x, y, w, h) = pairs["grid"]
    yes, no, alone = (b["rect"] for b in pairs["buttons"])
    half = (w - gap) / 2
    assert _near(yes[0], x) and _near(yes[2], half) and _near(no[0], x + half + gap) and _near(no[2], half), (
        pairs
    )
    assert _near(yes[1] + yes[3], y + h) and _near(no[1] + no[3], y + h), pairs  # the top row at the top
    assert [b["lines"] for b in pairs["buttons"][:2]] == [1, 1], pairs
    assert _near(alone[0], x) and _near(alone[2], w), pairs
    assert _near(alone[1] + alone[3], y + h - max(yes[3], no[3]) - gap), pairs
    assert _near(alone[1], y) and min(yes[3], no[3], alone[3]) >= TARGET_PX[size] - 0.5, pairs
