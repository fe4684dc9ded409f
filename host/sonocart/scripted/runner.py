"""Run a scripted procedure through the engine: the headless path for rigs and demos."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import Catalogue
from sonocart.records.record import ProcedureRecord
from sonocart.scripted.script import Capture, Script, Wait


def test_pattern(rows: int, columns: int) -> npt.NDArray[np.uint8]:
    """A still for scripted captures: depth-graded speckle-free bands, so exports have real pixels to show."""
    depth = np.linspace(40, 200, rows, dtype=np.float32)[:, None]
    lateral = 0.5 + 0.5 * np.cos(np.linspace(0, 6 * np.pi, columns, dtype=np.float32))[None, :]
    return (depth * lateral).astype(np.uint8)


test_pattern.__test__ = False  # type: ignore[attr-defined]


def run_script(
    script: Script,
    records_root: Path,
    catalogue: Catalogue,
    clock: ManualClock,
    on_step: Callable[[int, object], None] | None = None,
) -> ProcedureRecord:
    """Create a record and submit every scripted input; ``wait`` entries move the scripted clock.

    Raises what the engine raises (InputRejected, JournalWriteError) with the record left as far as it got,
    so a failed script can be inspected and resumed.
    """
    record = ProcedureRecord.create(
        records_root, catalogue, clock, script.procedure, script.patient, script.operator
    )
    for index, step in enumerate(script.steps):
        if on_step is not None:
            on_step(index, step)
        if isinstance(step, Wait):
            clock.advance(step.seconds)
            record.engine.tick()
        elif isinstance(step, Capture):
            image = test_pattern(step.rows, step.columns)
            record.add_capture(image, step.mm_per_px, (step.columns / 2, 0.0), step.operator, step.label)
        else:
            record.engine.submit(step)
    return record
