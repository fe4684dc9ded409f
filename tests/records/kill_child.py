"""Child process for the SIGKILL test: plays the example procedure into observation, then journals notes
forever, printing each committed sequence number after its commit returned. The test kills it with SIGKILL."""

from __future__ import annotations

import sys
from pathlib import Path

from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import load_catalogue
from sonocart.procedures.inputs import Note
from sonocart.scripted.runner import run_script
from sonocart.scripted.script import Script, Wait, load_script


def main() -> None:
    root, example, wall = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
    full = load_script(example)
    cut = next(i for i, s in enumerate(full.steps) if isinstance(s, Wait) and s.seconds == 1800)
    script = Script(full.procedure, full.patient, full.operator, full.steps[:cut])
    clock = ManualClock(wall=wall)
    record = run_script(script, root, load_catalogue(), clock)
    timer = record.engine.state.timers["observation"]
    print(f"READY {record.path} {timer.started_wall} {record.engine.current_step().id}", flush=True)  # type: ignore[union-attr]
    n = 0
    while True:
        n += 1
        ev = record.engine.submit(Note(f"note {n}", "rn_ben"))[-1]
        print(f"COMMITTED {ev.seq}", flush=True)


if __name__ == "__main__":
    main()
