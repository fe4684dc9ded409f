"""Record a short clip and a still of every simulator scene into docs/screenshots/sim/ (for the README).

Each scene on its block probe (the linear, 10 MHz) with its block needle advancing,
3 s at 15 frames/s, through the real live chain (default settings, smoothing on,
persistence low), as MP4/H.264 (PyAV, the same encoder as cine clips) and a PNG still.
``python -m tools.bench.scene_clips [--out DIR]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import av
import numpy as np
from PIL import Image

from sonocart.imaging.pipeline import BModePipeline, DisplaySettings
from sonocart.sim.probe_sim import PROBES, scene_needle
from sonocart.sim.scenes import SCENES
from sonocart.sim.tissue import TissueScene

FPS, SECONDS, SIZE = 15, 3.0, (640, 480)


def record(name: str, out: Path, probe: str = "linear") -> tuple[Path, Path]:
    g = PROBES[probe]
    scene = TissueScene(g, 128, 512, seed=5, needle=scene_needle(g, name, 30.0), scene_name=name)
    pipe = BModePipeline(*SIZE, DisplaySettings(smoothing=True, persistence=0.25, depth_scale=True))
    clip, still = out / f"{name}-{probe}.mp4", out / f"{name}-{probe}.png"
    with av.open(str(clip), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        stream.options = {"crf": "26", "preset": "veryslow"}  # small files: README clips, not records
        for k in range(int(SECONDS * FPS)):
            t = 1.0 + k / FPS  # the needle advancing
            image, _ = pipe.process(scene.envelope(t, k), g)
            if k == int(SECONDS * FPS) - 1:
                Image.fromarray(image).save(still)
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="gray")
            container.mux(stream.encode(frame.reformat(format="yuv420p")))
        container.mux(stream.encode())
    return clip, still


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench.scene_clips", description=__doc__)
    ap.add_argument("--out", type=Path, default=Path("docs/screenshots/sim"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in SCENES:
        for path in record(name, args.out):
            print(f"{path} ({path.stat().st_size // 1024} KiB)")
    path = record("femoral", args.out, "convex")[1]
    print(f"{path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
