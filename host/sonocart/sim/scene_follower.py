"""Keep the simulated probe's scene on the procedure open on the cart (simulated devices only).

The cart knows nothing of simulators: the start-up code that launched one subscribes
:meth:`SceneFollower.show_procedure` to the cart's ``record_opened`` events. The request goes out on a
thread of its own (a control socket must never stall the cart's pump); a simulator that is gone is
logged, not fatal: the image then simply keeps its scene.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from sonocart.sim.pedal_control import ControlError, PedalSimClient

log = logging.getLogger(__name__)


class SceneFollower:
    def __init__(self, control_path: Path | str) -> None:
        self._client = PedalSimClient(control_path)  # the same line protocol as the pedal board's
        self.last_answer = ""

    def show_procedure(self, procedure_id: str) -> threading.Thread:
        """Ask the simulator for the scene of ``procedure_id``; the thread doing it (tests join it)."""
        thread = threading.Thread(target=self._send, args=(procedure_id,), name="scene-follower", daemon=True)
        thread.start()
        return thread

    def _send(self, procedure_id: str) -> None:
        try:
            self.last_answer = self._client.command(f"procedure {procedure_id}")
        except ControlError as exc:
            self.last_answer = str(exc)
            log.warning("simulated probe did not change scene: %s", exc)
