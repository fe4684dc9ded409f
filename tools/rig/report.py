"""Measured figures and the markdown report of a rig run or soak (every number the run measured)."""

from __future__ import annotations

import json
import platform
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    """One measured number: what (``name``), where (``test``, ``backend``), how many samples."""

    test: str
    backend: str
    name: str
    value: float
    unit: str
    n: int = 1
    limit: str = ""  # the bound asserted, if any, e.g. "<= 1000"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100): with fewer than 100 samples p99 is the maximum."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))
    return ordered[int(k)]


def distribution(test: str, backend: str, name: str, values: list[float], unit: str) -> list[Figure]:
    """Median, 99th percentile and maximum of ``values`` as figures."""
    n = len(values)
    return [
        Figure(test, backend, f"{name} median", round(statistics.median(values), 2), unit, n),
        Figure(test, backend, f"{name} p99", round(percentile(values, 99), 2), unit, n),
        Figure(test, backend, f"{name} max", round(max(values), 2), unit, n),
    ]


def write_report(
    figures: list[Figure], path: Path, title: str, outcome: dict[str, int] | None = None
) -> None:
    """``path`` (markdown) and ``path`` with .json: every figure, with the machine it ran on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# {title}",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())} on {platform.node()} "
        f"({platform.machine()}, Python {platform.python_version()}).",
        "",
    ]
    if outcome:
        lines += ["Outcome: " + ", ".join(f"{k} {v}" for k, v in sorted(outcome.items())), ""]
    lines += [
        "| Test | Back end | Figure | Value | Unit | n | Bound asserted |",
        "|---|---|---|---:|---|---:|---|",
    ]
    for f in figures:
        lines.append(f"| {f.test} | {f.backend} | {f.name} | {f.value:g} | {f.unit} | {f.n} | {f.limit} |")
    if not figures:
        lines.append("| (no figures measured) | | | | | | |")
    path.write_text("\n".join(lines) + "\n")
    data = {"title": title, "outcome": outcome or {}, "figures": [asdict(f) for f in figures]}
    path.with_suffix(".json").write_text(json.dumps(data, indent=1) + "\n")
