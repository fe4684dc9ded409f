"""What a rig can do, whatever drives it: the interface every HIL test is written against.

A rig presses and releases the pedals, pulls and replugs the pedal connector and the probe
link, resets or power-cycles the pedal board, and watches the status light and buzzer. All
times are host ``time.monotonic()`` seconds: the simulated back end converts the board's own
millisecond ticks, the real back end its rig board's microsecond clock (synchronised by
round trips), so latencies are measured where the edges happen, not where they were polled.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass
from typing import Protocol

#: The status-light colours the firmware shows (firmware/indicator.py), by name: tests speak
#: names so a colour sensor's approximate RGB and the simulator's exact RGB compare alike.
PALETTE: dict[str, tuple[int, int, int]] = {
    "off": (0, 0, 0),
    "dim_white": (24, 24, 24),
    "white": (120, 120, 120),
    "green": (0, 200, 0),
    "blue": (0, 0, 255),
    "magenta": (200, 0, 200),
    "yellow": (255, 160, 0),
    "cyan": (0, 200, 200),
    "red": (255, 0, 0),
}


@dataclass(frozen=True)
class Sample:
    """The light showed ``value`` (a colour name) or the buzzer ``"on"``/``"off"`` from ``t`` (host s)."""

    t: float
    value: str


def colour_name(rgb: tuple[int, int, int]) -> str:
    """Nearest palette colour; exact for the simulator, tolerant of a colour sensor's scale and tint."""
    exact = {v: k for k, v in PALETTE.items()}
    if rgb in exact:
        return exact[rgb]
    level = max(rgb)
    if level < 8:
        return "off"

    def distance(name: str) -> float:
        ref = PALETTE[name]
        ref_level = max(ref) or 1
        chroma = sum((a / level - b / ref_level) ** 2 for a, b in zip(rgb, ref, strict=True))
        return chroma + (0.5 if (level < 60) != (ref_level < 60) else 0.0)

    return min((n for n in PALETTE if n != "off"), key=distance)


class Rig(Protocol):
    """One pedal board, one probe link and the host-side ports the app under test opens."""

    name: str
    pedal_port: str
    probe_port: str

    def press(self, pedal: str) -> float:
        """Close pedal ``pedal``'s contact; return when it closed (host s)."""
        ...

    def release(self, pedal: str) -> float: ...

    def pedal_unplug(self) -> None: ...

    def pedal_replug(self) -> None: ...

    def board_reset(self) -> float:
        """Reset the pedal board (its USB port re-enumerates); return when."""
        ...

    def board_power(self, on: bool) -> None: ...

    def probe_unplug(self) -> float:
        """Disconnect the probe link; return when it went."""
        ...

    def probe_replug(self) -> float: ...

    def light(self) -> str:
        """The colour shown now."""
        ...

    def light_log(self, since: float) -> list[Sample]:
        """Every light change from host time ``since`` on, oldest first."""
        ...

    def buzzer_log(self, since: float) -> list[Sample]: ...

    def close(self) -> None: ...


def flash_timing(samples: list[Sample], colour: str) -> tuple[float, float, int]:
    """(frequency Hz, duty 0..1, whole periods) of ``colour`` flashing, from light changes."""
    rises = [s.t for s in samples if s.value == colour]
    periods = [b - a for a, b in itertools.pairwise(rises)]
    ons = [b.t - a.t for a, b in itertools.pairwise(samples) if a.value == colour]
    if not periods:
        return 0.0, 0.0, 0
    period = statistics.mean(periods)
    return 1.0 / period, statistics.mean(ons[: len(periods)]) / period, len(periods)
