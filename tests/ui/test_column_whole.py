"""The live screen's column beside the image shows pages of whole items, at both cart screens
(column_scenario.py; the oracle is the real window's widget tree, column_geometry.py, and the core's own
texts cut by this file's own rules).

At the STOP with its HIGH prompt up, at the injection with a MEDIUM prompt up and with that prompt
acknowledged, and on every page a tap on the body shows: every text drawn in the column is entirely inside
the visible rectangle of the body that holds it, or entirely outside it (never cut by its edge, "4 mL
given with no" read as a whole message), unless the page holds one item alone that is taller than the body
(it scrolls, from its top); the step's header is whole in the column. The "+N more · tap · k of n" row
counts exactly the texts not on its page; its touch target (the body) is at least a touch target high;
the taps visit every text of the step exactly once, in order, then page 1 again. Page 1 starts with the
most important item and, at the injection, shows the dose."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ARTIFACTS
from tests.ui.column_geometry import more_row
from tests.ui.driver import run_scenario_file

SCENARIO = Path(__file__).with_name("column_scenario.py")
#: The theme's touch target: 12 mm at 5.25 px/mm (7-inch 800x480) and 5.93 px/mm (10-inch 1280x800)
TARGET_PX = {"800x480": 63, "1280x800": 71}
CYCLED = ("stop", "medium")
#: The catalogue's STOP and injection clauses (the same in every procedure) taller than the body with its
#: row at each size, as Kivy lays them out in the column (7-inch: 3 lines in 83 px, 7 lines in 123 px)
TALL_CLAUSES = {
    "800x480": [
        "Aspirate before each aliquot;",
        "STOP: operator and assistant both check the site mark and side immediately before the needle.",
    ],
    "1280x800": [],
}


def _inside(a: list[float], b: list[float]) -> bool:
    return (
        a[0] >= b[0] - 0.5
        and a[1] >= b[1] - 0.5
        and a[0] + a[2] <= b[0] + b[2] + 0.5
        and a[1] + a[3] <= b[1] + b[3] + 0.5
    )


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


def _items(page: dict[str, Any]) -> list[tuple[str, str]]:
    """This page's items, read from what is drawn: (kind, text), each fact and clause on its own."""
    core = page["core"]
    out: list[tuple[str, str]] = []
    for t in _body_texts(page):
        text = t["text"]
        if t["button"]:
            out.append(("button", text))
        elif text == core["toast"] and text.startswith("acknowledged: "):
            out.append(("acknowledged", text))
        elif text == core["toast"]:
            out.append(("toast", text))
        elif text in core["text"]:
            out += [("clause", c) for c in _clauses(text)]
        else:
            out += [("fact", f) for f in _facts(text)]
    return out


def _alone_height(page: dict[str, Any]) -> float:
    """A page's one item's height: its text's, or (the step's buttons) from the top one to the bottom one."""
    body = _body_texts(page)
    if all(t["button"] for t in body):
        return max(t["rect"][1] + t["rect"][3] for t in body) - min(t["rect"][1] for t in body)
    assert len(_items(page)) == 1, _items(page)
    return float(body[0]["glyphs"][3])


@pytest.mark.ui
@pytest.mark.parametrize("size", ["1280x800", "800x480"])
def test_the_column_beside_the_image_shows_pages_of_whole_items_and_says_how_many_more(
    ui_env: dict[str, str], tmp_path: Path, size: str
) -> None:
    artifacts = ARTIFACTS / "ui" / f"column-{size}"
    r = run_scenario_file(SCENARIO, ui_env, tmp_path, artifacts, "--size", size, timeout_s=300)
    (artifacts / "column.json").write_text(json.dumps(r, indent=1, default=str))
    looks = {"acknowledged": [r["acknowledged"]]} | {m: r[f"{m}_pages"] for m in CYCLED}
    for m, seen in looks.items():
        for k, page in enumerate(seen):
            items = _items(page)
            # one item alone (the step's buttons are one): it may be taller than the body
            tall = bool(page["more"]) and (len(items) == 1 or {k for k, _t in items} == {"button"})
            cut, out_of_column = [], []
            for t in page["texts"]:
                rect, scroll = t["rect"], t["scroll"]
                if scroll is None:
                    if not _inside(rect, page["column"]):
                        out_of_column.append(t["text"])
                    continue
                drawn = rect if t["button"] else t["glyphs"]  # a button's box is its target; else the text
                if not (_inside(drawn, scroll) or _apart(drawn, scroll)):
                    cut.append((t["text"], drawn, scroll))
            row = next((t["glyphs"][3] for t in page["texts"] if t["text"] == page["more"]), 0.0)
            # the one item alone may be cut only if it cannot fit the body with the row at all (the step's
            # buttons are one item: all of them, from the top of the first to the bottom of the last)
            tops = [t["rect"][1] + t["rect"][3] for t in page["texts"] if t["scroll"] and t["button"]]
            bottoms = [t["rect"][1] for t in page["texts"] if t["scroll"] and t["button"]]
            span = max(tops) - min(bottoms) if tops else 0.0
            tall = tall and all(max(r[3], span) + row > s[3] + 0.5 for _t, r, s in cut)
            if tall and cut:
                # the one item alone, taller than the body: shown from its top, the rest read by scrolling
                (_text, rect, scroll), *rest = cut
                assert rest == [] and rect[1] + rect[3] <= scroll[1] + scroll[3] + 0.5, (size, m, k, cut)
                assert rect[1] < scroll[1], (size, m, k, cut)
            else:
                assert cut == [], (size, m, k, cut)
            assert out_of_column == [], (size, m, k, out_of_column)  # the header, the prompt, the strip
            shown = [t["text"] for t in page["texts"]]
            assert any("·" in s and "step" in s for s in shown), (size, m, k, shown)  # the header, whole
            if page["more"]:
                assert page["body"][3] >= TARGET_PX[size] - 0.5, (size, m, page["body"])  # the tap's target
    for m in CYCLED:
        seen = r[f"{m}_pages"]
        core = seen[0]["core"]
        visited = [it for page in seen for it in _items(page)]
        # every text of the step exactly once over the cycle, in order within its kind, then page 1 again
        assert " ".join(t for kind, t in visited if kind == "clause") == core["text"], (size, m, visited)
        got = [t for kind, t in visited if kind == "fact"]
        assert sorted(got) == sorted(_facts(core["detail"])), (size, m, visited)
        assert sorted(t for kind, t in visited if kind == "button") == sorted(core["buttons"]), (size, m)
        toasts = [t for kind, t in visited if kind in ("toast", "acknowledged")]
        assert toasts in ([core["toast"]], []) if core["toast"] else toasts == [], (size, m, toasts)
        assert len(visited) == len(set(visited)), (size, m, visited)
        if len(seen) > 1:
            assert more_row(r[f"{m}_back"]["more"])[1] == 1, (size, m)  # type: ignore[index]
            last = more_row(seen[-1]["more"])  # the last page (or one without its row: one item alone)
            assert last is None or last[1] == last[2], (size, m, seen[-1]["more"])
        # the row: the exact count of the texts not on its page (the core's texts at that moment), and the
        # next page on each tap (the same number when an item before it went: a toast's 3 s are over)
        at = 0
        row_h = max(t["glyphs"][3] for p in seen for t in p["texts"] if more_row(t["text"]))
        for k, page in enumerate(seen):
            row = more_row(page["more"])
            if len(seen) == 1:
                assert page["more"] == "", (size, m, page["more"])
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
            assert row[0] == total - len(_items(page)), (size, m, k, page["more"], _items(page))
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
    # the catalogue's STOP and injection clauses, laid out by Kivy at the body's width: which are taller
    # than the body with the row (each is then a page of its own, read by scrolling): written out
    clauses = r["stop_clauses"] + r["injection_clauses"]
    tall = sorted({c["clause"] for c in clauses if c["height"] + c["row"] > c["body"] + 0.5})
    (artifacts / "clauses.json").write_text(
        json.dumps({"taller_than_the_body": tall, "all": clauses}, indent=1)
    )
    assert tall == TALL_CLAUSES[size], (size, tall)
    for clause in tall:  # each on a page of its own, read from its top
        on = [_items(p) for p in r["stop_pages"] + r["medium_pages"] if ("clause", clause) in _items(p)]
        assert on and all(len(items) == 1 for items in on), (size, clause, on)
