"""Soak: a simulated procedure at 30 fps with random pedal taps and random link faults, then the count.

Devices: the pedal firmware on the MicroPython unix port and the probe simulator, each behind a
:class:`~tools.rig.relay.FaultRelay`; the shipped cart runs headless (``sonocart run --headless``)
on the relays' ports with the example femoral block open at its sterile prep step, so every tap is
acted on by the default pedal map (A: freeze, B: still) and journaled as one ``pedal_gesture``.
Faults, at random: bit flips on either link (corruption), pedal or probe link unplugged and
replugged, pedal board reset. Taps are made only while the cart shows the board connected (as a
nurse would see the light); a fault is never injected less than :data:`QUIET_AFTER_TAP_S` after a
tap, the time a delivered event needs to be acknowledged. Counted at the end from the journal (the
truth): taps neither acted on nor reported lost by the board, taps doubled and journal events lost
must be zero; frames dropped and the cart's memory growth are reported.

    python -m tools.rig.soak --minutes 10 [--seed N] [--report artifacts/soak-report.md]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sonocart.firmware_tool.build import build
from sonocart.journal.store import Journal
from sonocart.records.record import JOURNAL_NAME
from sonocart.sim.pedal_board import SimulatedPedalBoard
from tools.rig.headless_client import HeadlessCart
from tools.rig.relay import FaultRelay
from tools.rig.report import Figure, distribution, write_report

QUIET_AFTER_TAP_S = 0.3
#: Inputs of the example script that bring the femoral block to its first sterile step (prep done).
STERILE_PREP_INPUTS = 31
#: How long the end of a soak waits for the cart to account for every tap.
SETTLE_S = 60.0
FPS = 30
WARMUP_S = 5.0
FAULT_WEIGHTS = {
    "corrupt_pedal": 3,
    "corrupt_probe": 3,
    "unplug_pedal": 1,
    "unplug_probe": 1,
    "board_reset": 1,
}


@dataclass
class SoakResult:
    seconds: float
    taps: int = 0
    pedal_events_expected: int = 0
    pedal_events_journaled: int = 0
    pedal_events_lost: int = 0
    pedal_events_doubled: int = 0
    misread: int = 0  # taps the board saw as holds (its timing, e.g. under load)
    board_reported_lost: int = 0
    journal_committed: int = 0
    journal_lost: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    frames: int = 0
    sequence_gaps: int = 0
    bad_frames: int = 0
    device_dropped: int = 0
    rss_start_kib: int = 0
    rss_end_kib: int = 0
    press_to_journal_ms: list[float] = field(default_factory=list)

    rss_window_s: float = 0.0
    #: What happened when (host monotonic s): taps, faults and what the cart said; for finding a loss.
    trace: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def rss_growth_per_min(self) -> float:
        return (self.rss_end_kib - self.rss_start_kib) * 60 / self.rss_window_s if self.rss_window_s else 0.0

    @property
    def frames_dropped(self) -> int:
        return self.sequence_gaps + self.device_dropped

    @property
    def ok(self) -> bool:
        return self.unaccounted == 0 and self.pedal_events_doubled == 0 and self.journal_lost == 0

    @property
    def unaccounted(self) -> int:
        """Taps neither acted on nor reported lost by the board: must be zero (safety principle 3)."""
        return max(0, self.pedal_events_lost - self.board_reported_lost)

    def figures(self) -> list[Figure]:
        t, b = "soak", "sim"
        out = [
            Figure(t, b, "duration", round(self.seconds, 1), "s"),
            Figure(t, b, "taps made", self.taps, "count"),
            Figure(t, b, "pedal taps expected", self.pedal_events_expected, "count"),
            Figure(t, b, "pedal taps journaled", self.pedal_events_journaled, "count"),
            Figure(t, b, "pedal taps not acted on", self.pedal_events_lost, "count"),
            Figure(
                t, b, "pedal taps neither acted on nor reported lost", self.unaccounted, "count", limit="== 0"
            ),
            Figure(t, b, "pedal taps doubled", self.pedal_events_doubled, "count", limit="== 0"),
            Figure(t, b, "taps the board read as holds", self.misread, "count"),
            Figure(t, b, "pedal events the board reported dropped", self.board_reported_lost, "count"),
            Figure(t, b, "journal events committed", self.journal_committed, "count"),
            Figure(t, b, "journal events lost", self.journal_lost, "count", limit="== 0"),
            Figure(t, b, "frames received", self.frames, "count"),
            Figure(t, b, "frames dropped (sequence gaps + device drops)", self.frames_dropped, "count"),
            Figure(t, b, "sequence gaps", self.sequence_gaps, "count"),
            Figure(t, b, "bad frames (CRC/decode)", self.bad_frames, "count"),
            Figure(t, b, "host RSS after warm-up", self.rss_start_kib, "KiB"),
            Figure(t, b, "host RSS at end", self.rss_end_kib, "KiB"),
            Figure(t, b, "host memory growth", self.rss_end_kib - self.rss_start_kib, "KiB"),
            Figure(t, b, "host memory growth per minute", round(self.rss_growth_per_min, 1), "KiB/min"),
        ]
        out += [Figure(t, b, f"faults injected: {k}", v, "count") for k, v in sorted(self.faults.items())]
        if self.press_to_journal_ms:
            out += distribution(t, b, "release to cart action journaled", self.press_to_journal_ms, "ms")
        return out


class _Host:
    """The shipped cart, headless, on the relays' ports; follows its ``pedal`` and ``status`` lines."""

    def __init__(self, workdir: Path) -> None:
        self.cart = HeadlessCart(
            workdir / "cart", str(workdir / "probe"), str(workdir / "pedal"), status_every_s=0.2
        )
        # Through sign-in and time-out to "prep done": the sterile phase, where pedals drive the cart and
        # the screen never locks (outside it, a soak longer than the idle time would tap a locked cart).
        self.record = Path(self.cart.open_example(inputs=STERILE_PREP_INPUTS))

    def status(self) -> tuple[float, dict[str, Any]]:
        lines = self.cart.events("status")
        return (lines[-1].t, lines[-1].data) if lines else (0.0, {})

    def usable_since(self, t: float) -> bool:
        """The cart reports the pedal board connected and fault-free in a status taken after ``t``."""
        at, status = self.status()
        pedal = status.get("pedal", {})
        return at > t and bool(pedal.get("connected")) and pedal.get("fault") is None

    def accounted(self) -> int:
        """Taps the cart has acted on (or refused, or found locked) plus presses the board said it lost."""
        lost = sum(int(x.data["count"]) for x in self.cart.events("pedals_lost"))
        return len(self.cart.events("pedal")) + lost

    def rss(self) -> list[tuple[float, int]]:
        return [(x.t, int(x.data["rss_kib"])) for x in self.cart.events("status")]

    def stop(self) -> None:
        self.cart.close()


def _wait(pred: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def run_soak(seconds: float, workdir: Path, seed: int = 1, log: Any = None) -> SoakResult:
    """Run the soak for ``seconds``; return the counts (the caller decides pass/fail and reports)."""
    rng = random.Random(seed)
    fw = build("sim", workdir / "fw", version=("9.9.9+soak", False, False))
    board = SimulatedPedalBoard(workdir / "pedal-dev", None, fw).start()
    sim_args = ["--link", str(workdir / "probe-dev"), "--fps", str(FPS), "--lines", "64", "--samples", "256"]
    probe = subprocess.Popen([sys.executable, "-m", "sonocart", "sim", *sim_args], stdout=subprocess.DEVNULL)
    relays = {
        "pedal": FaultRelay(workdir / "pedal-dev", workdir / "pedal", rng).start(),
        "probe": FaultRelay(workdir / "probe-dev", workdir / "probe", rng).start(),
    }
    host = _Host(workdir)
    result = SoakResult(seconds)
    expected: list[tuple[str, str]] = []
    release_times: list[float] = []
    try:
        if not _wait(lambda: host.usable_since(0), 30):
            raise RuntimeError("the cart never came up on the simulated devices")
        t_start = time.monotonic()
        last_fault = t_start
        while time.monotonic() - t_start < seconds:
            if rng.random() < 0.7 or time.monotonic() - last_fault < 1.0:
                if not _wait(partial(host.usable_since, last_fault), 10):
                    continue
                pedal = rng.choice("AB")
                pressed = time.monotonic()
                board.press(pedal)
                time.sleep(rng.uniform(0.05, 0.25))
                release_times.append(time.monotonic())
                board.release(pedal)
                expected.append((pedal, "tap"))
                held = round(release_times[-1] - pressed, 3)
                result.trace.setdefault("taps", []).append([round(release_times[-1], 3), pedal, held])
                result.taps += 1
                time.sleep(QUIET_AFTER_TAP_S + rng.uniform(0, 0.5))
            else:
                kind = rng.choices(list(FAULT_WEIGHTS), list(FAULT_WEIGHTS.values()))[0]
                _inject(kind, rng, board, relays)
                result.faults[kind] += 1
                last_fault = time.monotonic()
                result.trace.setdefault("faults", []).append([round(last_fault, 3), kind])
                if log:
                    log(f"{last_fault - t_start:7.1f} s  fault {kind}")
        time.sleep(1.0)
        _wait(partial(host.usable_since, time.monotonic()), 10)
        # Every tap must end as an action or a reported loss: give a cart that is behind (a loaded
        # machine) time to catch up before counting, rather than counting its backlog as lost.
        _wait(lambda: host.accounted() >= result.taps, SETTLE_S)
        time.sleep(0.5)
        result.seconds = time.monotonic() - t_start
        warm = [(t, r) for t, r in host.rss() if t >= t_start + min(WARMUP_S, seconds / 4)]
        if warm:
            result.rss_start_kib, result.rss_end_kib = warm[0][1], warm[-1][1]
            result.rss_window_s = warm[-1][0] - warm[0][0]
        probe_status = host.status()[1].get("probe", {})
        result.frames = int(probe_status.get("frames", 0))
        result.sequence_gaps = int(probe_status.get("gaps", 0))
        result.bad_frames = int(probe_status.get("bad", 0))
        result.device_dropped = int(probe_status.get("device_dropped", 0))
    finally:
        host.stop()
        for r in relays.values():
            r.stop()
        probe.terminate()
        probe.wait(10)
        board.stop()
    _count(result, host, expected, release_times)
    result.trace["cart"] = [
        [round(x.t, 3), x.data] for x in host.cart.lines if x.event in ("pedal", "pedals_lost", "device")
    ]
    return result


def _inject(kind: str, rng: random.Random, board: SimulatedPedalBoard, relays: dict[str, FaultRelay]) -> None:
    if kind.startswith("corrupt_"):
        relays[kind.removeprefix("corrupt_")].corrupt(rng.randint(1, 6))
    elif kind.startswith("unplug_"):
        relay = relays[kind.removeprefix("unplug_")]
        relay.unplug()
        time.sleep(rng.uniform(0.2, 2.0))
        relay.replug()
    elif kind == "board_reset":
        board.reset()


def _count(
    result: SoakResult, host: _Host, expected: list[tuple[str, str]], release_times: list[float]
) -> None:
    """Compare what the pedals did with what the journal holds (the truth) and what the cart said."""
    with Journal(host.record / JOURNAL_NAME) as journal:
        events = list(journal.events())
        journal.verify()
    seqs = [e.seq for e in events]
    said = [x for x in host.cart.events("pedal")]
    committed = [int(x.data["seq"]) for x in said if x.data.get("seq") is not None]
    result.journal_committed = len(committed)
    result.journal_lost = len(set(committed) - set(seqs)) + (seqs != list(range(1, len(seqs) + 1)))
    gestures = [e.payload for e in events if e.type == "pedal_gesture"]
    ids = Counter(str(g["press_id"]) for g in gestures)
    result.pedal_events_doubled = sum(c - 1 for c in ids.values())
    got = [(str(g["pedal"]), str(g["gesture"])) for g in gestures]
    result.pedal_events_expected = len(expected)
    result.pedal_events_journaled = len(got)
    result.pedal_events_lost = _missing(expected, got)
    result.misread = sum(1 for _p, gesture in got if gesture != "tap")
    result.board_reported_lost = sum(int(x.data["count"]) for x in host.cart.events("pedals_lost"))
    result.press_to_journal_ms = [
        (x.t - r) * 1000 for r, x in zip(release_times, said, strict=False) if x.data.get("seq") is not None
    ]


def _missing(expected: list[tuple[str, str]], got: list[tuple[str, str]]) -> int:
    """How many expected taps have no gesture of their pedal (a tap misread as a hold still counts as
    acted on: it is the same press). Per pedal, since a press can only show on its own pedal."""
    return sum(
        max(0, sum(1 for p, _ in expected if p == pedal) - sum(1 for p, _ in got if p == pedal))
        for pedal in "AB"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.rig.soak", description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--report", type=Path, default=Path("artifacts/soak-report.md"))
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sonocart-soak-") as tmp:
        result = run_soak(args.minutes * 60, Path(tmp), args.seed, log=lambda m: print(m, flush=True))
    outcome = {"pass": int(result.ok)}
    args.report.with_name(args.report.stem + "-trace.json").write_text(json.dumps(result.trace))
    write_report(
        result.figures(), args.report, f"Sonocart soak, {args.minutes:g} min, seed {args.seed}", outcome
    )
    for f in result.figures():
        print(f"{f.name:48s} {f.value:>10g} {f.unit}")
    print(f"report: {args.report}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
