"""The GPU sector against the CPU scan converter, read back from the GPU (run in its own process).

``--mode fbo``: phantom lines for linear, convex and phased at two viewports, drawn by
``sonocart_ui.sector_shader`` into an Fbo and read back (``Fbo.pixels``), beside the CPU path's image
of the same lines (``ScanConverter`` + burnt-in overlays). ``--mode app``: the real cart app on a
simulated probe; the live screen's window is read back (a screenshot) while frozen and compared with
the CPU scan conversion of the same lines, then needle enhancement is turned on (the CPU path).
Observations go to ``--report`` (JSON); tests/ui/test_sector_shader.py makes the assertions.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sonocart_ui.kivy_setup import configure_kivy  # noqa: E402

configure_kivy(1280, 800)

import numpy as np  # noqa: E402

from sonocart.imaging.geometry import Geometry  # noqa: E402
from tests.ui.driver import Report, Steps, pause, run_scenario, wait  # noqa: E402

GEOMETRIES = {
    "linear": Geometry("linear", 0.0, 40.0, width_mm=38.0),
    "convex": Geometry("convex", 0.0, 80.0, radius_mm=40.0, fov_deg=60.0),
    "phased": Geometry("phased", 0.0, 120.0, fov_deg=90.0),
}
VIEWPORTS = ((800, 600), (480, 360))
N_LINES, N_SAMPLES = 128, 512
MARKER_LINE = 25  # left of the centre line (line 0 is leftmost): an off-axis marker
MARKER_SAMPLES = (150, 350)
#: pixels whose exact (line, sample) is this close to the sector's edge are not compared: the GPU
#: decides "inside" in 32-bit floats, the CPU tables in 64-bit, and they may disagree there
EDGE_BAND = 0.01


def phantom(kind: str, rng: np.random.Generator) -> np.ndarray:
    """uint8 [lines, samples]: rings along each line with a slow lateral wave, and the marker line;
    or uniform random speckle (every neighbour step from 0 to 255 possible)."""
    if kind == "speckle":
        return rng.integers(0, 256, (N_LINES, N_SAMPLES), dtype=np.uint8)
    line = np.arange(N_LINES)[:, None]
    sample = np.arange(N_SAMPLES)[None, :]
    rings = 110 + 60 * np.sin(2 * np.pi * sample / 24) * np.cos(2 * np.pi * line / 40)
    out = np.rint(rings).astype(np.uint8)
    out[MARKER_LINE, MARKER_SAMPLES[0] : MARKER_SAMPLES[1]] = 255
    return out


def exact_line_sample(g: Geometry, cal: Any, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pixel centre's (line, sample), from the textbook polar formula (not the code under test)."""
    v, u = np.mgrid[0:h, 0:w].astype(np.float64)
    x = (u - cal.origin_px[0]) * cal.mm_per_px
    z = (v - cal.origin_px[1]) * cal.mm_per_px
    dz = (g.depth_end_mm - g.depth_start_mm) / (N_SAMPLES - 1)
    if g.kind == "linear":
        return (x + g.width_mm / 2) / (g.width_mm / (N_LINES - 1)), (z - g.depth_start_mm) / dz
    apex = g.radius_mm if g.kind == "convex" else 0.0
    theta = np.arctan2(x, z + apex)
    r = np.sqrt(x**2 + (z + apex) ** 2)
    half = math.radians(g.fov_deg) / 2
    return (theta + half) / (2 * half / (N_LINES - 1)), (r - apex - g.depth_start_mm) / dz


def marker_pixel(g: Geometry, cal: Any) -> tuple[int, int]:
    """Where the middle of the marker line is drawn, by hand: (u, v) pixel, row 0 at the top."""
    depth = g.depth_start_mm + sum(MARKER_SAMPLES) / 2 * (g.depth_end_mm - g.depth_start_mm) / (N_SAMPLES - 1)
    if g.kind == "linear":
        x, z = -g.width_mm / 2 + MARKER_LINE * g.width_mm / (N_LINES - 1), depth
    else:
        apex = g.radius_mm if g.kind == "convex" else 0.0
        theta = math.radians(-g.fov_deg / 2 + MARKER_LINE * g.fov_deg / (N_LINES - 1))
        x, z = (apex + depth) * math.sin(theta), (apex + depth) * math.cos(theta) - apex
    return round(cal.origin_px[0] + x / cal.mm_per_px), round(cal.origin_px[1] + z / cal.mm_per_px)


def compare(
    gpu: np.ndarray, cpu: np.ndarray, li: np.ndarray, si: np.ndarray, shape: tuple[int, int]
) -> dict[str, Any]:
    """Differences inside and outside the sector, edge pixels apart (counted)."""
    n_l, n_s = shape[0] - 1, shape[1] - 1
    dist = np.minimum.reduce([np.abs(li), np.abs(li - n_l), np.abs(si), np.abs(si - n_s)])
    inside_exact = (li >= 0) & (li <= n_l) & (si >= 0) & (si <= n_s)
    edge = dist < EDGE_BAND
    inside, outside = inside_exact & ~edge, ~inside_exact & ~edge
    d = np.abs(gpu.astype(np.int16) - cpu.astype(np.int16))
    return {
        "inside_pixels": int(inside.sum()),
        "edge_pixels_excluded": int(edge.sum()),
        "edge_pixels_differing": int((d[edge] > 1).sum()),
        "max_diff_inside": int(d[inside].max()),
        "pixels_over_1_inside": int((d[inside] > 1).sum()),
        "mean_diff_inside": float(d[inside].mean()),
        "max_diff_outside": int(d[outside].max()),
    }


def fbo_cases(report: Report) -> None:
    from kivy.core.window import Window  # noqa: F401  (the GL context)

    from sonocart.imaging.gpu_params import GpuFrame, overlay_mask, sector_mapping
    from sonocart.imaging.overlays import draw, overlay_pixels
    from sonocart.imaging.scanconvert import ScanConverter
    from sonocart_ui import sector_shader

    rng = np.random.default_rng(12)
    cases = []
    shader = sector_shader.build()
    if shader is None:
        raise RuntimeError("the sector shader did not build on this GL")
    image = sector_shader.SectorImage(shader)
    for name, g in GEOMETRIES.items():
        for w, h in VIEWPORTS:
            for kind in ("phantom", "speckle"):
                lines = phantom(kind, rng)
                conv = ScanConverter(g, N_LINES, N_SAMPLES, w, h)
                cal = conv.calibration
                marks = (
                    overlay_pixels(g, cal, True, 30.0, 40.0)
                    if kind == "phantom"
                    else overlay_pixels(g, cal, False, None, None)
                )
                cpu = conv.convert(lines).copy()
                draw(cpu.reshape(-1), marks)
                mask = overlay_mask(cal, marks)
                # as the live screen draws: one SectorImage for every case (new mapping, marks, size)
                tex = image.draw(GpuFrame(lines, sector_mapping(g, N_LINES, N_SAMPLES, cal), mask, cal))
                image.render_now()
                rgba = np.frombuffer(tex.pixels, np.uint8).reshape(h, w, 4)  # Kivy's own read-back
                gpu = rgba[::-1, :, 0]  # GL's rows run bottom-up
                li, si = exact_line_sample(g, cal, w, h)
                case: dict[str, Any] = {"geometry": name, "viewport": [w, h], "lines": kind}
                case.update(compare(gpu, cpu, li, si, (N_LINES, N_SAMPLES)))
                case["grey_channels_equal"] = bool((rgba[..., 0] == rgba[..., 1]).all())
                if kind == "phantom":
                    u, v = marker_pixel(g, cal)
                    mirror = round(2 * cal.origin_px[0] - u)
                    case["marker_u_v_origin_u"] = [u, v, cal.origin_px[0]]
                    case["gpu_at_marker"] = int(gpu[v, u])
                    case["gpu_at_mirror"] = int(gpu[v, mirror])
                    case["marked_pixels"] = int((mask > 0).sum())
                cases.append(case)
    report["cases"] = cases
    report["fallbacks"] = fallbacks(sector_shader)
    report["completed"] = True


def fallbacks(module: Any) -> dict[str, Any]:
    """A shader that does not compile, and one that compiles but mirrors the image: both refused,
    each said once in the log."""
    import logging

    said: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: said.append(record.getMessage())  # type: ignore[method-assign]
    module.log.addHandler(handler)
    good = module.FRAGMENT_SHADER
    out: dict[str, Any] = {}
    try:
        for name, source in (
            ("not_compiling", good.replace("void main(void) {", "void main(void) { undeclared_name;")),
            (
                "mirrored",
                good.replace("atan(x, zc)", "atan(-x, zc)").replace(
                    "float lateral = x;", "float lateral = -x;"
                ),
            ),
        ):
            module.FRAGMENT_SHADER = source
            said.clear()
            out[name] = {"built": module.build() is not None, "log": list(said)}
    finally:
        module.FRAGMENT_SHADER = good
        module.log.removeHandler(handler)
    out["good_built"] = module.build() is not None
    return out


def app_scenario(args: argparse.Namespace, report: Report) -> None:
    from PIL import Image

    from sonocart.cart.cart import Cart
    from sonocart.cart.settings import UiSettings, demo_operators
    from sonocart.clock import SystemClock
    from sonocart.devices.probe import ProbeClient
    from sonocart.procedures.catalogue import load_catalogue
    from sonocart_ui.app import CartApp
    from tests.conftest import SimProcess

    sim = SimProcess(args.link, ["--lines", "96", "--samples", "384"]).start()
    cart = Cart(
        catalogue=load_catalogue(),
        records_root=Path(tempfile.mkdtemp(prefix="sonocart-records-")),
        clock=SystemClock(),
        settings=UiSettings(operators=demo_operators()),
        probe=ProbeClient(str(args.link)),
    ).start()
    app = CartApp(cart=cart)

    def window_vs_cpu(label: str) -> Steps:
        """Freeze, read the window back, compare with the CPU scan conversion of the same lines, go live."""
        screen = app.live_screen
        assert screen is not None
        app.live_action("freeze")
        yield from wait(lambda: screen.frozen, 5, "frozen")
        yield from pause(0.3)
        path = args.artifacts / f"{label}.png"
        app.save_screenshot(path)
        window = np.asarray(Image.open(path).convert("L"))
        shown = app.live_vm.displayed()  # the CPU scan conversion of the lines on screen
        assert shown is not None
        cpu, cal = shown
        sector = screen.sector
        assert sector is not None
        img = screen.ids.image
        h, w = cpu.shape
        # the image draws its texture 1:1 (nearest) at the layout's position: window pixel i shows
        # texel floor(i + 0.5 - x0), i.e. the image starts at pixel ceil(x0 - 0.5) (rows likewise)
        x0, y0 = img.to_window(img.center_x - w / 2, img.center_y - h / 2)
        left, bottom = math.ceil(x0 - 0.5), math.ceil(y0 - 0.5)
        top = window.shape[0] - bottom - h
        gpu = window[top : top + h, left : left + w]
        m = sector.sector.mapping
        assert m is not None
        v, u = np.mgrid[0:h, 0:w].astype(np.float64)
        x_mm = (u - cal.origin_px[0]) * cal.mm_per_px
        z_mm = (v - cal.origin_px[1]) * cal.mm_per_px
        if m.kind == "linear":
            li, si = (x_mm - m.first_line) / m.line_step, (z_mm - m.depth_start_mm) / m.sample_mm
        else:
            theta = np.arctan2(x_mm, z_mm + m.apex_mm)
            r = np.hypot(x_mm, z_mm + m.apex_mm)
            li, si = (theta - m.first_line) / m.line_step, (r - m.apex_mm - m.depth_start_mm) / m.sample_mm
        report[label] = compare(gpu, cpu, li, si, (m.n_lines, m.n_samples))
        report[f"{label}_probe_kind"] = m.kind
        report[f"{label}_image_mean"] = float(gpu.mean())
        app.live_action("freeze")  # live again
        yield from wait(lambda: not screen.frozen, 5, "live again")

    def scenario() -> Steps:
        screen = app.live_screen
        assert screen is not None
        yield
        app.show("live")
        yield from wait(lambda: screen.live and screen.sector_frames >= 5, 20, "5 frames drawn by the GPU")
        report["gpu_wanted"] = app.live_vm.gpu_wanted
        n0, cpu0 = screen.sector_frames, screen.textures_updated - screen.sector_frames
        yield from pause(1.0)
        report["gpu_frames_in_1s"] = screen.sector_frames - n0
        report["cpu_frames_in_1s"] = screen.textures_updated - screen.sector_frames - cpu0
        yield from window_vs_cpu("window_vs_cpu")
        # a new depth: new uniforms, the marks moved; the next frames must still match
        depth = app.live_vm.shown_depth_mm
        app.cart.imaging_press("depth:+")
        yield from wait(lambda: app.live_vm.shown_depth_mm != depth, 10, "frames at the new depth")
        n0 = screen.sector_frames
        yield from wait(lambda: screen.sector_frames >= n0 + 3, 5, "3 more GPU frames")
        report["depths_mm"] = [depth, app.live_vm.shown_depth_mm]
        yield from window_vs_cpu("window_vs_cpu_new_depth")
        gpu_texture, img = screen.ids.image.texture, screen.ids.image
        app.live_action("needle")
        yield from wait(lambda: app.live_vm.needle_enhance, 5, "needle on")
        n0, t0 = screen.sector_frames, screen.textures_updated
        yield from pause(1.0)
        report["needle_gpu_frames_in_1s"] = screen.sector_frames - n0
        report["needle_cpu_frames_in_1s"] = screen.textures_updated - t0
        report["needle_texture_is_cpu_image"] = img.texture is not gpu_texture
        yield from window_vs_cpu("needle_window_vs_cpu")  # the CPU image shown 1:1: identical
        app.save_screenshot(args.artifacts / "needle-cpu.png")

    try:
        run_scenario(app, scenario(), report)
    finally:
        sim.stop()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("fbo", "app"), required=True)
    ap.add_argument("--report", type=Path, required=True)
    ap.add_argument("--link", type=Path)
    ap.add_argument("--artifacts", type=Path)
    args = ap.parse_args()
    report = Report(args.report)
    if args.mode == "fbo":
        try:
            fbo_cases(report)
        except Exception as exc:
            report["error"] = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            report.write()
    else:
        args.artifacts.mkdir(parents=True, exist_ok=True)
        app_scenario(args, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
