"""The live sector drawn by the GPU: a fragment shader scan-converts the grey-level lines.

Each fragment computes its own exact (line, sample) — the polar (or Cartesian) mapping of
:class:`sonocart.imaging.gpu_params.SectorMapping`, written here in GLSL, not taken from the CPU
tables — and samples the lines texture with ``GL_LINEAR`` (the GPU's bilinear filter: on the Pi the
hardware does the interpolation, and a frame uploads 128 × 1024 bytes instead of a whole image).
Outside the sector it is black; where the overlay mask has a mark, the mark's level replaces the
tissue (as the CPU path burns marks in). Each frame uploads only the lines; :class:`SectorImage`
renders the sector into a texture of the image's size when a new frame arrives, and the live screen
shows that texture like the CPU path's image.

If the shader does not compile (or the GL has no high-precision floats in fragment shaders), or a
test sector it draws at start-up does not match the CPU scan converter within 1 grey level when read
back, the view keeps the CPU path; :func:`build` says why, once, in the log.
"""

from __future__ import annotations

import logging

import numpy as np
from kivy.graphics import BindTexture, Color, Fbo, InstructionGroup, Rectangle, RenderContext
from kivy.graphics.texture import Texture

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.gpu_params import GpuFrame, SectorMapping, sector_mapping
from sonocart.imaging.scanconvert import ScanConverter

log = logging.getLogger(__name__)

#: tex_coord0 carries the image pixel coordinate (u, v): (0, 0) at the image's top-left corner, so a
#: fragment centre is at (u + 0.5, v + 0.5). texture0 holds the lines: texel (sample, line), data row
#: 0 (line 0) at t = 0. texture1 holds the overlay mask: texel (u, v), data row 0 (the top) at t = 0.
FRAGMENT_SHADER = """
$HEADER$
#if defined(GL_ES) && !defined(GL_FRAGMENT_PRECISION_HIGH)
#error the sector needs highp floats in fragment shaders
#endif
uniform sampler2D texture1;
uniform vec2 lines_size;      // (n_samples, n_lines)
uniform vec2 image_size;      // (width_px, height_px)
uniform vec2 origin_px;       // where x = z = 0 mm is, in pixels
uniform float mm_per_px;
uniform float polar;          // 0.0 linear, 1.0 convex or phased
uniform float apex_mm;        // convex: the arc's radius (the lines meet at z = -apex_mm)
uniform float depth_start_mm;
uniform float sample_mm;
uniform float first_line;     // mm (linear) or rad (polar) of line 0
uniform float line_step;      // mm or rad from one line to the next

void main(void) {
    vec2 pix = tex_coord0 - vec2(0.5);             // this fragment's pixel (u, v), row 0 at the top
    float x = (pix.x - origin_px.x) * mm_per_px;   // lateral mm, right positive
    float z = (pix.y - origin_px.y) * mm_per_px;   // depth mm, down positive
    float lateral = x;
    float range_mm = z;
    if (polar > 0.5) {
        float zc = z + apex_mm;
        lateral = atan(x, zc);                      // angle from the centre line, right positive
        range_mm = sqrt(x * x + zc * zc) - apex_mm;
    }
    float line = (lateral - first_line) / line_step;
    float sample = (range_mm - depth_start_mm) / sample_mm;
    float eps = 1e-4;
    float inside = step(-eps, line) * step(line, lines_size.y - 1.0 + eps)
                 * step(-eps, sample) * step(sample, lines_size.x - 1.0 + eps);
    vec2 st = (clamp(vec2(sample, line), vec2(0.0), lines_size - vec2(1.0)) + vec2(0.5)) / lines_size;
    float tissue = texture2D(texture0, st).r * inside;
    float mark = texture2D(texture1, tex_coord0 / image_size).r;
    float grey = mix(tissue, mark, step(0.5 / 255.0, mark));
    gl_FragColor = vec4(vec3(grey), 1.0) * frag_color;
}
"""


class SectorShader(RenderContext):  # type: ignore[misc]
    """One quad, drawn in its parent's coordinates, that scan-converts on the GPU.

    ``ok`` is False when the shader did not compile; nothing is drawn then."""

    def __init__(self) -> None:
        super().__init__(use_parent_projection=True, use_parent_modelview=True)
        self.shader.fs = FRAGMENT_SHADER
        self.ok = bool(self.shader.success)
        self.mapping: SectorMapping | None = None
        self.overlay: np.ndarray | None = None
        self._lines: Texture | None = None
        self._mask: Texture | None = None
        self._bind = BindTexture(index=1)
        self._rect = Rectangle(size=(0, 0))
        self.add(Color(1, 1, 1, 1))
        self.add(self._bind)
        self.add(self._rect)
        self["texture1"] = 1

    def set_mapping(self, m: SectorMapping) -> None:
        """New lines shape, geometry or viewport: the uniforms, and textures of the right sizes."""
        if m == self.mapping:
            return
        self.mapping = m
        self["lines_size"] = (float(m.n_samples), float(m.n_lines))
        self["image_size"] = (float(m.width_px), float(m.height_px))
        self["origin_px"] = (float(m.origin_px[0]), float(m.origin_px[1]))
        self["mm_per_px"] = float(m.mm_per_px)
        self["polar"] = 1.0 if m.polar else 0.0
        self["apex_mm"] = float(m.apex_mm)
        self["depth_start_mm"] = float(m.depth_start_mm)
        self["sample_mm"] = float(m.sample_mm)
        self["first_line"] = float(m.first_line)
        self["line_step"] = float(m.line_step)
        lines = self._lines
        if lines is None or lines.size != (m.n_samples, m.n_lines):
            lines = self._lines = _texture((m.n_samples, m.n_lines), "linear")
            self._rect.texture = lines
        mask = self._mask
        if mask is None or mask.size != (m.width_px, m.height_px):
            self._mask = _texture((m.width_px, m.height_px), "nearest")
            self._bind.texture = self._mask
            self.overlay = None
        w, h = m.width_px, m.height_px
        # vertices bottom-left, bottom-right, top-right, top-left; pixel v grows downwards
        self._rect.tex_coords = (0.0, float(h), float(w), float(h), float(w), 0.0, 0.0, 0.0)

    def set_overlay(self, overlay: np.ndarray) -> None:
        """Upload the overlay mask (uint8 ``[height, width]``) if it is not the one already up."""
        if overlay is self.overlay or self._mask is None:
            return
        # the mask is read-only and Kivy wants a writable buffer: one copy, only when the marks change
        self._mask.blit_buffer(overlay.tobytes(), colorfmt="luminance", bufferfmt="ubyte")
        self.overlay = overlay

    def upload(self, lines: np.ndarray) -> None:
        """This frame's uint8 ``[n_lines, n_samples]`` grey levels: the only per-frame upload."""
        if self._lines is None:
            raise RuntimeError("set_mapping first")
        self._lines.blit_buffer(lines.reshape(-1), colorfmt="luminance", bufferfmt="ubyte")

    def place(self, x: float, y: float) -> None:
        """The image's bottom-left corner in the parent's coordinates; drawn 1:1 (one pixel a pixel)."""
        m = self.mapping
        if m is not None:
            self._rect.pos = (x, y)
            self._rect.size = (float(m.width_px), float(m.height_px))


class SectorImage:
    """The sector rendered into a texture of the image's size, only when a new frame arrives.

    The live screen shows :meth:`draw`'s texture like the CPU path's image (1:1, nearest): a window
    redraw without a new frame (a flashing prompt) costs one textured quad, not the shader again. The
    Fbo lives in ``group`` (put it in the image's ``canvas.before``): Kivy renders an Fbo when it
    is asked to, which :meth:`draw` does."""

    def __init__(self, sector: SectorShader) -> None:
        self.sector = sector
        self.group = InstructionGroup()
        self._fbo: Fbo | None = None
        self._size = (0, 0)

    def draw(self, frame: GpuFrame) -> Texture:
        """Upload this frame's lines (and the marks, when they changed); the texture it renders into."""
        sector = self.sector
        sector.set_mapping(frame.mapping)
        sector.set_overlay(frame.overlay)
        sector.upload(frame.lines)
        size = (frame.mapping.width_px, frame.mapping.height_px)
        fbo = self._fbo
        if fbo is None or size != self._size:
            if fbo is not None:
                fbo.remove(sector)
                self.group.remove(fbo)
            fbo = self._fbo = Fbo(size=size)
            fbo.texture.mag_filter = fbo.texture.min_filter = "nearest"  # drawn 1:1, as the CPU image
            fbo.add(sector)
            sector.place(0, 0)
            self.group.add(fbo)
            self._size = size
        fbo.ask_update()
        return fbo.texture

    def render_now(self) -> None:
        """Render outside a window frame (a test, the self-test); the window does it by itself."""
        if self._fbo is not None:
            self._fbo.draw()

    @property
    def pixels(self) -> np.ndarray:
        """uint8 ``[height, width]``: what the last frame rendered, read back (row 0 at the top)."""
        if self._fbo is None:
            return np.zeros((0, 0), dtype=np.uint8)
        w, h = self._size
        return np.frombuffer(self._fbo.pixels, np.uint8).reshape(h, w, 4)[::-1, :, 0]


def _texture(size: tuple[int, int], interpolation: str) -> Texture:
    tex = Texture.create(size=size, colorfmt="luminance", bufferfmt="ubyte")
    tex.mag_filter = interpolation
    tex.min_filter = interpolation
    tex.wrap = "clamp_to_edge"
    return tex


#: the self-test: a convex sector small enough to check in a few milliseconds at start-up
_CHECK_GEOMETRY = Geometry("convex", 0.0, 80.0, radius_mm=40.0, fov_deg=60.0)
_CHECK_LINES, _CHECK_SAMPLES, _CHECK_PX = 64, 256, (240, 180)


def _check_lines() -> np.ndarray:
    """Rings along the lines, a slow wave across them, one bright line left of the centre."""
    line = np.arange(_CHECK_LINES)[:, None]
    sample = np.arange(_CHECK_SAMPLES)[None, :]
    out: np.ndarray = np.rint(110 + 60 * np.sin(sample / 4.0) * np.cos(line / 7.0)).astype(np.uint8)
    out[12, 60:200] = 255
    return out


def self_test() -> str:
    """Render a known sector as the live screen does (:class:`SectorImage`), read it back, compare with
    the CPU scan converter: "" if it matches within 1 grey level (edge pixels aside), else what is
    wrong. A GL that compiles the shader but computes it wrongly (too little precision, a mirrored
    texture) must not draw the live image."""
    w, h = _CHECK_PX
    lines = _check_lines()
    conv = ScanConverter(_CHECK_GEOMETRY, _CHECK_LINES, _CHECK_SAMPLES, w, h)
    cpu = conv.convert(lines).astype(np.int16)
    sector = SectorShader()
    if not sector.ok:
        return "the shader did not compile"
    cal = conv.calibration
    mapping = sector_mapping(_CHECK_GEOMETRY, _CHECK_LINES, _CHECK_SAMPLES, cal)
    image = SectorImage(sector)
    image.draw(GpuFrame(lines, mapping, np.zeros((h, w), dtype=np.uint8), cal))
    image.render_now()
    gpu = image.pixels.astype(np.int16)
    inside = conv.inside
    core = inside.copy()  # one pixel in from the sector's edge, where 32- and 64-bit floats may differ
    core[1:-1, 1:-1] &= inside[:-2, 1:-1] & inside[2:, 1:-1] & inside[1:-1, :-2] & inside[1:-1, 2:]
    far = ~inside
    far[1:-1, 1:-1] &= far[:-2, 1:-1] & far[2:, 1:-1] & far[1:-1, :-2] & far[1:-1, 2:]
    worst_in = int(np.abs(gpu - cpu)[core].max())
    worst_out = int(gpu[far].max())
    if worst_in > 1 or worst_out > 0:
        return (
            f"it differs from the CPU path by {worst_in} grey levels inside the sector, {worst_out} outside"
        )
    return ""


def build(check: bool = True) -> SectorShader | None:
    """The shader, or None (said once in the log) when this GL cannot run it or runs it wrongly."""
    try:
        shader = SectorShader()
        fault = "the shader did not compile" if not shader.ok else (self_test() if check else "")
    except Exception as exc:  # a GL without what it needs must cost only speed, never the image
        fault = f"{type(exc).__name__}: {exc}"
    if fault:
        log.warning("sector shader not used (%s): the live screen scan-converts on the CPU", fault)
        return None
    log.info("live sector scan-converted by a GLSL fragment shader (checked against the CPU path)")
    return shader
