"""The cart on a manual clock with a recording pedal board, a procedure open (femoral block, LEFT)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sonocart.cart.cart import Cart
from sonocart.cart.events import CartEvent
from sonocart.cart.settings import UiSettings, demo_operators
from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import load_catalogue
from tests.cart.test_cart_policies import HealthyProbe, RecordingBoard

IDLE_LOCK_S = 60


@pytest.fixture
def open_cart(tmp_path: Path) -> tuple[Cart, RecordingBoard, ManualClock, list[CartEvent]]:
    clock = ManualClock()
    board = RecordingBoard()
    settings = UiSettings(operators=demo_operators())
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
    events: list[CartEvent] = []
    cart.subscribe(events.append)
    cart.open_procedure("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
    return cart, board, clock, events
