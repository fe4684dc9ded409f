"""The pin map (hardware/pinmap.json) rendered for the firmware (pinmap.py) and for the docs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sonocart.firmware_tool.paths import PINMAP_JSON

DOC_BEGIN = "<!-- pinmap:begin (generated from hardware/pinmap.json by `sonocart firmware pinmap`) -->"
DOC_END = "<!-- pinmap:end -->"


def load(path: Path = PINMAP_JSON) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def render_python(pinmap: dict[str, Any]) -> str:
    lines = [
        '"""GPIO numbers of the pedal board. GENERATED from hardware/pinmap.json: do not edit."""',
        "",
        "from mpcompat import const",
        "",
    ]
    for pin in pinmap["pins"]:
        lines.append(
            f"{pin['name']} = const({int(pin['gpio'])})  # Pico pin {pin['pico_pin']}: {pin['function']}"
        )
    return "\n".join(lines) + "\n"


def render_markdown(pinmap: dict[str, Any]) -> str:
    rows = [
        DOC_BEGIN,
        f"Board: {pinmap['board']}.",
        "",
        "| signal | GPIO | Pico pin | mode | connector | function |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for p in pinmap["pins"]:
        cells = [p["name"], f"GP{p['gpio']}", p["pico_pin"], p["mode"], p["connector"], p["function"]]
        rows.append("| " + " | ".join(str(c) for c in cells) + " |")
    rows += [DOC_END]
    return "\n".join(rows)


def splice_markdown(doc: str, table: str) -> str:
    """Replace the generated block in ``doc`` with ``table``."""
    start = doc.index(DOC_BEGIN)
    end = doc.index(DOC_END) + len(DOC_END)
    return doc[:start] + table + doc[end:]
