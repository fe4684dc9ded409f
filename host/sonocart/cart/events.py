"""The cart's one typed event stream: what the UI redraws from, what the rig and scripted runs observe.

Every event is a small frozen dataclass with a ``kind`` class attribute (its name on the headless
protocol) and :meth:`as_dict` for JSON. Events are emitted on the thread that pumps the cart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class CartEvent:
    kind: ClassVar[str] = "event"

    def as_dict(self) -> dict[str, Any]:
        return {"event": self.kind, **asdict(self)}


@dataclass(frozen=True)
class RecordOpened(CartEvent):
    kind: ClassVar[str] = "record_opened"
    path: str
    procedure: str
    step: str
    resumed: bool


@dataclass(frozen=True)
class RecordClosed(CartEvent):
    kind: ClassVar[str] = "record_closed"
    path: str


@dataclass(frozen=True)
class Committed(CartEvent):
    """Engine events made durable in the journal (in journal order)."""

    kind: ClassVar[str] = "committed"
    seqs: tuple[int, ...]
    types: tuple[str, ...]
    phase: str
    step: str


@dataclass(frozen=True)
class PromptsChanged(CartEvent):
    kind: ClassVar[str] = "prompts"
    top: str  # the top prompt's text, "" when none
    priority: str  # HIGH / MEDIUM / LOW / ""
    count: int


@dataclass(frozen=True)
class LightChanged(CartEvent):
    kind: ClassVar[str] = "light"
    state: str


@dataclass(frozen=True)
class Buzzed(CartEvent):
    kind: ClassVar[str] = "buzz"
    priority: str


@dataclass(frozen=True)
class PedalActed(CartEvent):
    """A pedal gesture was acted on (``outcome`` done) or not (refused, locked); journaled at ``seq``."""

    kind: ClassVar[str] = "pedal"
    pedal: str
    gesture: str
    press_id: str
    action: str
    outcome: str
    detail: str
    seq: int | None  # journal seq of the gesture's record; None when no procedure is open


@dataclass(frozen=True)
class PedalsLost(CartEvent):
    """The board dropped pedal events nobody acknowledged (host lost): each is reported, never silent."""

    kind: ClassVar[str] = "pedals_lost"
    count: int


@dataclass(frozen=True)
class LivenessChanged(CartEvent):
    kind: ClassVar[str] = "liveness"
    live: bool
    reason: str


@dataclass(frozen=True)
class ImagingChanged(CartEvent):
    """Freeze, depth, gain and other imaging settings (or their confirmation by the probe) changed."""

    kind: ClassVar[str] = "imaging"
    frozen: bool
    settings: str


@dataclass(frozen=True)
class CaptureSaved(CartEvent):
    kind: ClassVar[str] = "capture"
    what: str  # still / clip
    number: int
    file: str


@dataclass(frozen=True)
class Feedback(CartEvent):
    """A short message confirming or refusing an action, shown for a few seconds."""

    kind: ClassVar[str] = "feedback"
    text: str
    ok: bool
    at: float


@dataclass(frozen=True)
class LockChanged(CartEvent):
    """The screen locked or unlocked; on unlocking, ``highs`` holds every active HIGH prompt's text
    (the view shows them all: nothing urgent stays hidden behind the lock)."""

    kind: ClassVar[str] = "lock"
    locked: bool
    operator: str
    highs: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeviceChanged(CartEvent):
    """A device connected, identified, faulted or recovered; ``fault`` is "" when healthy."""

    kind: ClassVar[str] = "device"
    device: str  # probe / pedal
    connected: bool
    fault: str


@dataclass(frozen=True)
class TimersTicked(CartEvent):
    """Once a second while any procedure timer runs, so countdowns move without polling."""

    kind: ClassVar[str] = "timers"
    remaining_s: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PacsFinished(CartEvent):
    kind: ClassVar[str] = "pacs"
    text: str
    ok: bool


@dataclass(frozen=True)
class Fault(CartEvent):
    """Something the cart could not do (journal write, timer, capture); shown, never swallowed."""

    kind: ClassVar[str] = "fault"
    source: str
    text: str
