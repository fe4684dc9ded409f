"""Benchmark: the cost of one engine input stays flat as the record grows (issue 15, item 7).

Journals 10 000 notes through ``Engine.submit`` on a real record (SQLite WAL, full sync, signed head
checkpoint) and compares the median per-input cost of the first and last 500. The old engine
deep-copied its whole state per input, so its cost grew with every note (500 / 1 500 / 3 000 notes
took 2.2 / 6.8 / 34 s). The last line is machine-readable: ``first_ms=X last_ms=Y ratio=Z``; the exit
code is 1 when the ratio exceeds :data:`MAX_RATIO`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import load_catalogue
from sonocart.procedures.inputs import Note
from sonocart.records.record import ProcedureRecord

MAX_RATIO = 1.5
WINDOW = 500
PATIENT = {"name": "BENCH^CART", "id": "B1", "birth_date": "19700101", "sex": "O"}


def run(inputs: int, key_dir: Path) -> tuple[float, float]:
    import os

    os.environ.setdefault("SONOCART_KEY_DIR", str(key_dir))
    clock = ManualClock(wall=1_800_000_000.0, monotonic=100.0)
    with tempfile.TemporaryDirectory() as tmp:
        rec = ProcedureRecord.create(
            Path(tmp), load_catalogue(), clock, "femoral_nerve_block", PATIENT, "bench"
        )
        costs: list[float] = []
        for i in range(inputs):
            t0 = time.perf_counter()
            rec.engine.submit(Note(f"note {i}", "bench"))
            costs.append(time.perf_counter() - t0)
            clock.advance(1.0)
        rec.close()
    first = statistics.median(costs[:WINDOW]) * 1000
    last = statistics.median(costs[-WINDOW:]) * 1000
    return first, last


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=10_000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as keys:
        first, last = run(args.inputs, Path(keys))
    ratio = last / first
    print(
        f"engine: {args.inputs} notes journaled; per input {first:.3f} ms (first {WINDOW})"
        f" -> {last:.3f} ms (last {WINDOW})"
    )
    print(f"first_ms={first:.3f} last_ms={last:.3f} ratio={ratio:.2f}")
    return 0 if ratio <= MAX_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
