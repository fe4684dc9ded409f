"""Run a scripted procedure through the cart core (no devices): demos, records for export tests, rigs.

The script goes through the same :class:`~sonocart.cart.cart.Cart` the touchscreen and the headless
service drive, on a manual clock that ``wait`` entries move; its events can be listened to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from sonocart.cart.cart import Cart, Listener
from sonocart.cart.settings import UiSettings, demo_operators
from sonocart.clock import ManualClock
from sonocart.devices.probe import ProbeClient
from sonocart.procedures.catalogue import Catalogue
from sonocart.records.record import ProcedureRecord
from sonocart.scripted.script import Capture, Script, Wait

#: A scripted run has no probe: the cart's probe session is never started (its status says so).
NO_PROBE = "no probe (scripted run)"


def test_pattern(rows: int, columns: int, point: int = 0) -> npt.NDArray[np.uint8]:
    """A still for scripted captures: depth-graded bands with a bright round target (a nerve) and, from the
    second capture point on, a dark ring around it that widens at each point (injectate spreading), so the
    stills of one record differ as the real ones would."""
    depth = np.linspace(40, 200, rows, dtype=np.float32)[:, None]
    lateral = 0.5 + 0.5 * np.cos(np.linspace(0, 6 * np.pi, columns, dtype=np.float32))[None, :]
    image = depth * lateral
    v, u = np.ogrid[:rows, :columns]
    r = np.hypot(v - rows * 0.55, u - columns * 0.5)
    target = min(rows, columns) * 0.08
    image[r <= target] = 230.0
    if point > 0:
        image[(r > target) & (r <= target * (1.0 + 0.6 * point))] = 8.0
    return image.astype(np.uint8)


test_pattern.__test__ = False  # type: ignore[attr-defined]


def run_script(
    script: Script,
    records_root: Path,
    catalogue: Catalogue,
    clock: ManualClock,
    on_step: Callable[[int, object], None] | None = None,
    listener: Listener | None = None,
) -> ProcedureRecord:
    """Open a record and submit every scripted input through the cart; ``wait`` entries move the clock.

    Raises what the engine raises (InputRejected, JournalWriteError) with the record left as far as it got,
    so a failed script can be inspected and resumed.
    """
    cart = Cart(
        catalogue=catalogue,
        records_root=records_root,
        clock=clock,
        # The demo team (PIN 1234): scripts are simulated runs, and PINs are checked as at the cart.
        settings=UiSettings(operators=demo_operators(), demo=True),
        probe=ProbeClient(NO_PROBE, clock=clock.monotonic),
    )
    cart.image_wanted = False
    if listener is not None:
        cart.subscribe(listener)
    record = cart.open_procedure(script.procedure, script.patient, None, script.operator)
    for index, step in enumerate(script.steps):
        if on_step is not None:
            on_step(index, step)
        if isinstance(step, Wait):
            clock.advance(step.seconds)
            cart.touched()  # the scripted team stays at the cart: the idle lock is for a screen left alone
            cart.pump()
        elif isinstance(step, Capture):
            image = test_pattern(step.rows, step.columns, len(record.engine.state.captures))
            cart.capture_image(image, step.mm_per_px, (step.columns / 2, 0.0), step.operator, step.label)
        else:
            cart.submit_input(step)
    return record
