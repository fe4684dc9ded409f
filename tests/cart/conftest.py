"""The cart on a manual clock with a recording pedal board (the driver's interface) and a probe whose
latest-frame slot the test fills: ``rig`` with no procedure, ``open_cart`` with a femoral block open
(LEFT consent to come), and ``to_injection`` to walk the real step form to the injection step.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import pytest

from sonocart.cart.cart import Cart
from sonocart.cart.events import CartEvent
from sonocart.cart.settings import Operator, UiSettings, demo_operators
from sonocart.clock import ManualClock
from sonocart.devices.pedal_events import BoardEvent, BoardIdentity, PedalEvent, PedalStatus
from sonocart.devices.probe import ProbeClient, ProbeStatus
from sonocart.procedures.catalogue import load_catalogue
from sonocart_ui.viewmodels.step_form import StepForm
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP

IDLE_LOCK_S = 60
Rig = tuple[Cart, "RecordingBoard", ManualClock, list[CartEvent]]


class RecordingBoard:
    """The pedal driver's interface: queued events in, every light and buzzer command recorded."""

    def __init__(self) -> None:
        self.queue: list[BoardEvent] = []
        self.lights: list[str] = []
        self.buzzes: list[str] = []
        self.seq = 0
        self.boot = 0xB007
        self.lost = 0  # the board's cumulative count of presses it dropped (its heartbeats carry it)

    def start(self) -> RecordingBoard:
        return self

    def stop(self) -> None:
        pass

    def get_event(self, timeout: float | None = None) -> BoardEvent | None:
        return self.queue.pop(0) if self.queue else None

    def set_indicator(self, state: str | int) -> None:
        self.lights.append(str(state))

    def buzz(self, priority: str | int) -> None:
        self.buzzes.append(str(priority))

    def status(self) -> PedalStatus:
        ident = BoardIdentity("1.0.0", "abc", "rig", self.boot, "power_on", 1, 0, 0)
        return PedalStatus("rig", True, ident, None, lost_events=self.lost)

    def gesture(self, pedal: str, kind: str) -> PedalEvent:
        self.seq += 1
        ev = PedalEvent(pedal, kind, self.seq * 100, self.seq, boot_id=0xB007)
        self.queue.append(ev)
        return ev


class ImmediateOutbox:
    """Light and buzzer commands straight to the board, on the pump's thread: the policies are seen
    exactly and at once. The real outbox thread is tested on its own (test_cart_policies)."""

    def __init__(self, board: RecordingBoard) -> None:
        self.board = board

    def start(self) -> ImmediateOutbox:
        return self

    def stop(self) -> None:
        pass

    def light(self, state: str) -> None:
        self.board.set_indicator(state)

    def buzz(self, priority: str) -> None:
        self.board.buzz(priority)


class HealthyProbe(ProbeClient):
    """The real driver, never started: its latest-frame slot is filled by the test, its link reported up."""

    def status(self) -> ProbeStatus:
        return replace(super().status(), connected=True, fault=None)


@pytest.fixture(scope="session")
def demo_roster() -> list[Operator]:
    """The demo team, hashed once per session: each PIN is an scrypt of about 0.1 s (settings.hash_pin),
    three per cart. Every ``rig`` gets its own deep copy, so no test sees another's changes."""
    return demo_operators()


@pytest.fixture
def rig(tmp_path: Path, demo_roster: list[Operator]) -> Rig:
    clock = ManualClock()
    board = RecordingBoard()
    settings = UiSettings(operators=copy.deepcopy(demo_roster))
    settings.idle_lock_s = IDLE_LOCK_S
    cart = Cart(
        catalogue=load_catalogue(),
        records_root=tmp_path / "records",
        clock=clock,
        settings=settings,
        probe=HealthyProbe("/nonexistent/probe", clock=clock.monotonic),
        pedal=board,  # type: ignore[arg-type]
        image_size=(320, 240),
    )
    cart.outbox = ImmediateOutbox(board)  # type: ignore[assignment]
    events: list[CartEvent] = []
    cart.subscribe(events.append)
    return cart, board, clock, events


@pytest.fixture
def open_cart(rig: Rig) -> Rig:
    rig[0].open_procedure("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
    return rig


def to_injection(cart: Cart) -> StepForm:
    """Sign-in, time-out, prep and the two-person STOP (LEFT) by the step form: at the injection step."""
    form = StepForm(cart.session)
    for _step, key in [*SIGN_IN_TO_PREP, ("prep_done", "confirm")]:
        assert form.press(key), cart.session.feedback
    assert form.press("stop:dr_ana:left") and form.press("stop:odp_cy:left")
    assert cart.session.current_step().kind == "injection"  # type: ignore[union-attr]
    return form
