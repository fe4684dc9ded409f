"""Benchmark: the live screen's GPU scan conversion against the tuned OpenCV chain, one pinned core.

``python -m tools.bench.gpu_scan`` (part of ``make bench``). The same frames as ``python -m tools.bench``
(128 × 1024 uint16 envelope, convex R40 60°, every stage on, → 800 × 600). Variants, interleaved frame by
frame, medians of ``--frames`` each:

* **gpu path, CPU side** — what the live screen's thread spends per displayed frame on the GPU path:
  levels + temporal filters (``BModePipeline.process_for_gpu``), the lines texture upload (128 × 1024
  bytes) and the draw submitted (``sonocart_ui.sector_shader.SectorImage``, the live screen's: the
  shader renders into an 800 × 600 texture), without waiting for the GPU;
* **gpu path, glFinish'd** — the same, then ``glFinish``: the whole frame, rasterisation included;
* **cpu path as displayed, glFinish'd** — today's CPU chain (``process``) + the 800 × 600 image upload +
  a 1:1 textured quad (what the live screen does on the CPU path), then ``glFinish``;
* **cpu chain** and **tuned OpenCV chain** (float and fixed-point maps, the faster counted), as in
  ``python -m tools.bench``.

On this machine the "GPU" is Mesa's llvmpipe: software rasterisation on the CPU, its threads confined
to the same pinned core as everything else. So the glFinish'd figures are CPU time too; on a Pi the
fragment work runs on its VideoCore GPU instead, and only the CPU-side figure stays on the CPU.
Runs on a private Xvfb of its own. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Step = Callable[[int], object]


def _interleaved(variants: dict[str, tuple[Step, Callable[[], object]]], frames: int) -> dict[str, float]:
    """Median ms of each variant's timed step; its settle step runs untimed right after (glFinish), so
    GL work a variant left queued is never charged to the next one."""
    for k in range(20):
        for fn, settle in variants.values():
            fn(k)
            settle()
    times: dict[str, list[float]] = {name: [] for name in variants}
    for k in range(frames):
        for name, (fn, settle) in variants.items():
            t0 = time.perf_counter()
            fn(k)
            times[name].append((time.perf_counter() - t0) * 1e3)
            settle()
    return {name: statistics.median(ts) for name, ts in times.items()}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench.gpu_scan", description=__doc__)
    ap.add_argument("--frames", type=int, default=300, help="timed frames per variant")
    args = ap.parse_args(argv)

    from tools.bench.__main__ import HEIGHT, N_LINES, N_SAMPLES, WIDTH, _pin_to_one_core, live_settings

    where = _pin_to_one_core()  # before GL starts: llvmpipe's threads inherit the one core
    from sonocart.launch.xvfb import Xvfb

    with Xvfb(1280, 800) as xvfb:
        os.environ.update(xvfb.client_env())
        return _run(args.frames, where, (N_LINES, N_SAMPLES, WIDTH, HEIGHT), live_settings())


def _run(frames_timed: int, where: str, dims: tuple[int, int, int, int], settings: object) -> int:
    from sonocart_ui.kivy_setup import configure_kivy

    configure_kivy(1280, 800)
    import cv2
    import numpy as np
    from kivy.core.window import Window
    from kivy.graphics import ClearBuffers, ClearColor, Fbo, Rectangle
    from kivy.graphics.opengl import GL_RENDERER, GL_VERSION, glFinish, glGetString
    from kivy.graphics.texture import Texture

    from sonocart.imaging.pipeline import BModePipeline
    from sonocart.imaging.settings import DisplaySettings
    from sonocart.sim.probe_sim import PROBES
    from sonocart.sim.tissue import TissueScene, default_needle
    from sonocart_ui import sector_shader
    from tools.bench.opencv_reference import OpenCVReference

    assert isinstance(settings, DisplaySettings)
    n_lines, n_samples, width, height = dims
    g = PROBES["convex"]
    scene = TissueScene(g, n_lines, n_samples, seed=7, needle=default_needle(g, 35.0))
    frames = [scene.envelope(t_s=0.1 * k, index=k).copy() for k in range(8)]
    gpu_pipe = BModePipeline(width, height, settings)
    gpu_fin_pipe = BModePipeline(width, height, settings)
    cpu_pipe = BModePipeline(width, height, settings)
    cpu_shown_pipe = BModePipeline(width, height, settings)
    float_ref = OpenCVReference(g, n_lines, n_samples, width, height, settings, False)
    fixed_ref = OpenCVReference(g, n_lines, n_samples, width, height, settings, True)

    def target() -> Fbo:
        fbo = Fbo(size=(width, height))
        with fbo:
            ClearColor(0, 0, 0, 1)  # the window clears every frame too
            ClearBuffers()
        return fbo

    def gpu_target() -> sector_shader.SectorImage:
        shader = sector_shader.build()
        if shader is None:
            raise SystemExit("the sector shader does not build on this GL: nothing to measure")
        return sector_shader.SectorImage(shader)  # what the live screen draws with

    image_gpu, image_fin = gpu_target(), gpu_target()
    fbo_cpu = target()
    tex = Texture.create(size=(width, height), colorfmt="luminance", bufferfmt="ubyte")
    tex.flip_vertical()
    tex.mag_filter = tex.min_filter = "nearest"
    fbo_cpu.add(Rectangle(texture=tex, pos=(0, 0), size=(width, height)))

    def gpu_frame(pipe: BModePipeline, image: sector_shader.SectorImage, k: int) -> None:
        # upload the lines (the marks only when they change: never here), render into its texture
        image.draw(pipe.process_for_gpu(frames[k % 8], g))
        image.render_now()

    def gpu_finished(k: int) -> None:
        gpu_frame(gpu_fin_pipe, image_fin, k)
        glFinish()

    def cpu_displayed(k: int) -> None:
        image, _ = cpu_shown_pipe.process(frames[k % 8], g)
        tex.blit_buffer(image.reshape(-1), colorfmt="luminance", bufferfmt="ubyte")
        fbo_cpu.ask_update()
        fbo_cpu.draw()
        glFinish()

    nothing: Callable[[], object] = lambda: None  # noqa: E731
    times = _interleaved(
        {
            "gpu path, CPU side (levels+temporal+upload+draw submit)": (
                lambda k: gpu_frame(gpu_pipe, image_gpu, k),
                glFinish,
            ),
            "gpu path, glFinish'd (llvmpipe: on the CPU)": (gpu_finished, nothing),
            "cpu path as displayed (chain+image upload+draw), glFinish'd": (cpu_displayed, nothing),
            "cpu chain (process)": (lambda k: cpu_pipe.process(frames[k % 8], g), nothing),
            "opencv float maps": (lambda k: float_ref.process(frames[k % 8]), nothing),
            "opencv fixed-point maps": (lambda k: fixed_ref.process(frames[k % 8]), nothing),
        },
        frames_timed,
    )
    # what was measured really drew the frame: the two pipelines behind gpu_finished and cpu_displayed
    # saw the same frames in the same order, so their last frames must match
    drawn = image_fin.pixels
    conv = cpu_shown_pipe.converter
    assert conv is not None
    diff = np.abs(drawn.astype(np.int16) - conv.out.astype(np.int16))
    best = min(("opencv float maps", "opencv fixed-point maps"), key=lambda n: times[n])
    side = times["gpu path, CPU side (levels+temporal+upload+draw submit)"]
    done = times["gpu path, glFinish'd (llvmpipe: on the CPU)"]
    shown = times["cpu path as displayed (chain+image upload+draw), glFinish'd"]
    renderer = glGetString(GL_RENDERER).decode(errors="replace")
    version = glGetString(GL_VERSION).decode(errors="replace")
    print(f"# numpy {np.__version__}, opencv {cv2.__version__}, python {sys.version.split()[0]}, {where}")
    print(f"# GL: {renderer} / {version} (on Xvfb the 'GPU' is this software renderer, on the same core)")
    print(f"# chain: {n_lines}x{n_samples} uint16 convex -> {width}x{height}, {settings}")
    for name, ms in times.items():
        print(f"# {name:62s} p50 {ms:7.3f} ms")
    print(
        f"# read back after the last frame: max |gpu - cpu| = {int(diff[conv.inside].max())} grey levels "
        f"inside the sector, {int((diff[conv.inside] > 1).sum())} of {int(conv.inside.sum())} pixels over 1"
    )
    print(f"# ratios against the faster OpenCV variant ({best})")
    print(
        f"gpu_cpu_side_ms={side:.3f} gpu_finished_ms={done:.3f} "
        f"cpu_displayed_finished_ms={shown:.3f} "
        f"cpu_chain_ms={times['cpu chain (process)']:.3f} opencv_ms={times[best]:.3f} "
        f"ratio_cpu_side={side / times[best]:.3f} ratio_finished={done / times[best]:.3f}"
    )
    Window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
