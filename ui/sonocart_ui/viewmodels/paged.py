"""A text too long for its place, shown in parts of whole lines, each marked "(k/n)" at its end: the status
band's toast (bars.toast_pages) and the live column's text taller than its body (column.cut_tall)."""

from __future__ import annotations

from collections.abc import Sequence


def paged(lines: Sequence[str], per_page: int, joiner: str = "\n", space: str = " ") -> list[str]:
    """``lines`` (a text as laid out) ``per_page`` at a time, joined by ``joiner``: one unmarked part when
    they fit one, else each part marked "(k/n)" at its end after ``space`` (a no-break space keeps the mark
    on the line of the word before it). No word changed, dropped or added but the marks."""
    n = -(-len(lines) // per_page)
    return marked([joiner.join(lines[i * per_page : (i + 1) * per_page]) for i in range(n)], space)


def marked(parts: Sequence[str], space: str = " ") -> list[str]:
    """Each of ``parts`` marked "(k/n)" at its end after ``space``; a lone part unmarked."""
    if len(parts) <= 1:
        return list(parts)
    return [f"{part}{space}({k}/{len(parts)})" for k, part in enumerate(parts, 1)]
