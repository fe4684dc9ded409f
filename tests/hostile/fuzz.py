"""``make fuzz MINUTES=N``: the CI fuzzers without their CI bounds, for as long as asked.

Runs the probe-frame fuzzer (CRC-valid mutated frames through the connected client and the live view)
for the whole time with a fresh seed per round, and prints what it fed; any exception or oracle failure
ends the run with a non-zero exit and the seed that found it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from tests.hostile.frame_fuzz import run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    args = ap.parse_args(argv)
    deadline = time.monotonic() + args.minutes * 60
    fed = shown = rounds = 0
    while (left := deadline - time.monotonic()) > 0:
        seed = random.randrange(1 << 32)
        try:
            tally = run(seconds=min(60.0, left), seed=seed)
        except Exception:
            print(
                f"fuzz: FAILED with seed {seed} (tests/hostile/frame_fuzz.run(seed={seed}))", file=sys.stderr
            )
            raise
        fed, shown, rounds = fed + tally.fed, shown + tally.shown, rounds + 1
        print(f"fuzz: round {rounds} seed {seed}: {tally.fed} frames, {tally.refused} refused", flush=True)
    print(f"fuzz: {fed} CRC-valid mutated frames in {rounds} rounds, {fed - shown} refused, 0 exceptions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
