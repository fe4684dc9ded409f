"""Physical metrics and colours: sizes are set in millimetres on the cart's real screens, not in pixels.

The 7-inch panel (800x480) has ~5.2 px/mm and the 10-inch one (1280x800) ~5.9 px/mm, so the same
12 mm touch target is 63 px on one and 71 px on the other. No Kivy import: the numbers are tested.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The cart's screens: window size -> diagonal in inches.
SCREENS = {(800, 480): 7.0, (1280, 800): 10.1}
TARGET_MM = 12.0  # smallest touch target (gloved finger)
TEXT_MIN_MM = 3.0  # smallest glyph height: font size is the em box, caps are ~0.7 of it

# Dark, high-contrast palette (RGBA). Colour is never alone: alarms also carry text and a shape.
BG = (0.0, 0.0, 0.0, 1.0)
PANEL = (0.11, 0.12, 0.14, 1.0)
BUTTON = (0.22, 0.25, 0.30, 1.0)
BUTTON_DOWN = (0.40, 0.45, 0.55, 1.0)
PRIMARY = (0.05, 0.40, 0.75, 1.0)
TEXT = (1.0, 1.0, 1.0, 1.0)
TEXT_DIM = (0.78, 0.80, 0.84, 1.0)
OK_GREEN = (0.10, 0.65, 0.25, 1.0)
# IEC 60601-1-8 colours: high red, medium yellow, low cyan.
ALARM_HIGH = (0.90, 0.10, 0.10, 1.0)
ALARM_MEDIUM = (1.00, 0.80, 0.00, 1.0)
ALARM_LOW = (0.00, 0.80, 0.90, 1.0)


@dataclass(frozen=True)
class Theme:
    width_px: int
    height_px: int
    diagonal_in: float

    @classmethod
    def for_window(cls, width_px: int, height_px: int, diagonal_in: float | None = None) -> Theme:
        diag = diagonal_in or SCREENS.get((width_px, height_px), 10.1)
        return cls(width_px, height_px, diag)

    @property
    def px_per_mm(self) -> float:
        return math.hypot(self.width_px, self.height_px) / (self.diagonal_in * 25.4)

    def mm(self, millimetres: float) -> float:
        return millimetres * self.px_per_mm

    @property
    def compact(self) -> bool:
        """The 7-inch layout: side panels narrower, fewer labels."""
        return self.height_px < 600

    @property
    def target(self) -> float:
        """Height (and minimum width) of every touch target, px."""
        return math.ceil(self.mm(TARGET_MM))

    @property
    def font_small(self) -> float:
        """Smallest text: caps height >= 3 mm."""
        return math.ceil(self.mm(TEXT_MIN_MM / 0.7))

    @property
    def font(self) -> float:
        return math.ceil(self.mm(5.0))

    @property
    def font_large(self) -> float:
        return math.ceil(self.mm(7.0))

    @property
    def gap(self) -> float:
        return math.ceil(self.mm(1.5))

    @property
    def side_panel(self) -> float:
        """Width of the live screen's control column."""
        return math.ceil(self.mm(44 if self.compact else 58))

    @property
    def live_column(self) -> float:
        """Width of the live screen's column beside the image (prompt, step, sterile strip)."""
        return math.ceil(self.mm(31 if self.compact else 33.5))

    @property
    def band(self) -> float:
        """Height of the one-line text band above the image (LIVE badge, side, pedals)."""
        return math.ceil(self.font_small * 1.3)

    @property
    def depth_band(self) -> float:
        """Width of the depth-number band right of the image (two digits, or "cm")."""
        return math.ceil(self.mm(6.5))
