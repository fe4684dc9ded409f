"""What the pedal-board driver hands to the app: events and a status snapshot (plain data)."""

from __future__ import annotations

from dataclasses import dataclass

from sonocart.wire import pedal_codec as pc


@dataclass(frozen=True)
class PedalEvent:
    """A pedal ``"A"``/``"B"`` did ``kind`` (press, release, tap, hold) at ``board_ts`` (board ms).

    Delivered once: ``(boot_id, seq)`` identifies it; ``received`` is the host's monotonic time.
    """

    pedal: str
    kind: str
    board_ts: int
    seq: int
    boot_id: int = 0
    received: float = 0.0

    @property
    def press_id(self) -> str:
        """The press's identity on the record, unique over any uptime: ``boot:board_ts:seq``.

        ``seq`` alone wraps every 65 536 board frames (~4.5 h); together with the board's
        millisecond timestamp (2**30 ms wrap) two presses of one boot never share an id.
        """
        return f"{self.boot_id:08x}:{self.board_ts:08x}:{self.seq}"


@dataclass(frozen=True)
class FaultEvent:
    """A board fault raised (``active``) or cleared: stuck_pedal, pedal_unplugged, watchdog_reset,
    events_lost (``arg`` = how many pedal events were dropped undelivered)."""

    fault: str
    active: bool
    arg: int
    board_ts: int
    seq: int
    boot_id: int = 0


@dataclass(frozen=True)
class LinkEvent:
    """The link changed: connected, identified, board_reset, incompatible, silent, disconnected."""

    kind: str
    detail: str = ""


@dataclass(frozen=True)
class SelfTestResult:
    passed: bool
    pedal_present: bool
    pedals_down: tuple[str, ...]


BoardEvent = PedalEvent | FaultEvent | LinkEvent | SelfTestResult


@dataclass(frozen=True)
class BoardIdentity:
    firmware_version: str
    build_hash: str
    board_id: str
    boot_id: int
    reset_cause: str
    protocol_version: int
    schema_hash: int
    uptime_ms: int


@dataclass(frozen=True)
class PedalStatus:
    """Everything the status bar needs; ``fault`` is None only when the board is fully usable."""

    port: str
    connected: bool
    identity: BoardIdentity | None
    fault: str | None
    faults: tuple[str, ...] = ()
    pedal_present: bool = False
    pedals_down: tuple[str, ...] = ()
    board_reports_host_lost: bool = False
    indicator: str = "off"
    lost_events: int = 0
    events_delivered: int = 0
    duplicates_dropped: int = 0
    bad_frames: int = 0
    board_resets: int = 0


def pedal_names(mask: int) -> tuple[str, ...]:
    return tuple(name for i, name in enumerate(pc.PEDAL_NAMES) if mask & (1 << i))


def name_of(names: tuple[str, ...], index: int) -> str:
    return names[index] if 0 <= index < len(names) else f"unknown({index})"
