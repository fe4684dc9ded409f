"""How many pages the live column's body shows, counted as a gloved finger would count them: a tap on the
body beside its buttons (the middle of the tallest band of the body's window that no shown button is in),
again, until the first page's texts come back. Read from the real window's widget tree (column_geometry),
not from the column's own page list; the taps' page index is only the loop's stop. Scenario side."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.ui.column_geometry import column_texts
from tests.ui.layout import window_rect

#: More taps than this without the first page coming back is a failure of the cycle, not a count.
MAX_TAPS = 40


def tallest_gap(y: float, h: float, buttons: list[Any]) -> tuple[float, float]:
    """The tallest span of window heights from ``y`` to ``y + h`` that no button shown covers (lo, hi)."""
    taken = sorted((r[1], r[1] + r[3]) for r in (window_rect(b) for b in buttons))
    bands, at = [], y
    for lo, hi in taken:
        bands.append((at, max(at, min(lo, y + h))))
        at = max(at, hi)
    bands.append((at, max(at, y + h)))
    return max(bands, key=lambda b: b[1] - b[0])


def free_band(header: Any, scroll: Any, buttons: list[Any]) -> tuple[float, float, float]:
    """The tallest horizontal band from the body's window's foot to the step's header's top (window px)
    that no button shown is in: its middle's x and y, and its height (a tap there, on the header or on the
    body beside the buttons, pages on: it must be a touch target high to be one)."""
    x, y, w, _h = window_rect(scroll)
    h = window_rect(header)[1] + window_rect(header)[3] - y
    lo, hi = tallest_gap(y, h, buttons)
    return x + w / 2, (lo + hi) / 2, hi - lo


def _page_texts(live: Any) -> list[str]:
    """What the body draws now, top first (the texts and the buttons' labels)."""
    seen = column_texts(live)
    body = seen["body"]
    inside = [t for t in seen["texts"] if t["scroll"] is not None and t["scroll"] == body]
    return [t["text"] for t in sorted(inside, key=lambda t: -t["rect"][1])]


def count_pages(app: Any, out: dict[str, Any]) -> Iterator[None]:
    """Tap through the live column's pages; ``out`` gets "pages" (how many taps bring page 1 back, 1 when
    the body does not page), "free_bands" (each page's tallest band of the header and the body free of
    buttons, px), "texts" (each page's body texts) and "counters" (the header's and the row's words)."""
    from kivy.tests.common import UnitTestTouch

    from tests.ui.driver import settled, wait

    live = app.live_screen
    panel, pages = live.step_panel, live.column_pages
    out.update(pages=1, free_bands=[], texts=[], counters=[])
    for taps in range(MAX_TAPS + 1):
        shown = list(panel.ids.actions.children) if panel.grid_shown else []
        x, y, band = free_band(panel.ids.phase_title, panel.ids.scroll, shown)
        out["free_bands"].append(band)
        out["texts"].append(_page_texts(live))
        out["counters"].append([panel.phase_title, pages.more_row.text])
        if len(pages.page_ranges) < 2:
            return
        before = pages.page
        t = UnitTestTouch(x, y)
        t.touch_down()
        yield
        t.touch_up()
        # the next page shown, then its texts laid out where they stay (not a fixed pause: 9 taps a procedure)
        yield from wait(
            lambda b=before: bool(pages.page != b), 3, f"a tap at {(x, y)} to turn page {before + 1}"
        )
        yield from settled()
        if pages.page == 0:
            out["pages"] = taps + 1
            out["back"] = _page_texts(live)
            return
    raise AssertionError(f"page 1 not back after {MAX_TAPS} taps on the body")
