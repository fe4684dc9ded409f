"""Offline rendering of a frame file to a PNG plus its calibration JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PIL import Image

from sonocart.imaging import frame_file
from sonocart.imaging.pipeline import BModePipeline, DisplaySettings
from sonocart.imaging.scanconvert import Calibration


def calibration_json(cal: Calibration) -> dict[str, object]:
    return {
        "mm_per_px": cal.mm_per_px,
        "origin_px": [cal.origin_px[0], cal.origin_px[1]],
        "width_px": cal.width_px,
        "height_px": cal.height_px,
    }


def render_file(src: Path, out_png: Path, width: int, height: int, settings: DisplaySettings) -> Calibration:
    """Render ``src`` to ``out_png`` and write ``out_png`` with a ``.json`` suffix beside it."""
    frame = frame_file.load(src)
    image, cal = BModePipeline(width, height, settings).process(frame.lines, frame.geometry)
    _atomic_write(out_png, lambda p: Image.fromarray(image, mode="L").save(p, format="PNG"))
    meta = calibration_json(cal) | {"geometry": json.loads(frame.geometry.to_json()), "source": str(src)}
    _atomic_write(out_png.with_suffix(".json"), lambda p: p.write_text(json.dumps(meta, indent=2) + "\n"))
    return cal


def _atomic_write(path: Path, write: object) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)  # type: ignore[operator]
    os.replace(tmp, path)
