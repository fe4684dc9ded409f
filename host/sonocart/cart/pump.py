"""The cart's pump: devices, the procedure session and every policy, judged from one thread.

:class:`CartPump` owns the devices, the session, the lock, the light and the one event stream
(:mod:`sonocart.cart.events`); :class:`sonocart.cart.cart.Cart` adds the intents on top. Call
:meth:`CartPump.pump` often (the UI: from its clock; headless: :meth:`CartPump.wait_and_pump` in a loop)
on the thread that created the cart: SQLite objects and the engine stay on that thread, device drivers
hand their events over through queues.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

from sonocart.cart import pacs
from sonocart.cart.events import (
    Buzzed,
    CartEvent,
    Committed,
    DeviceChanged,
    Fault,
    ImagingChanged,
    LightChanged,
    LivenessChanged,
    PacsFinished,
    PedalActed,
    PedalsLost,
    PromptsChanged,
    RecordClosed,
    RecordOpened,
    TimersTicked,
)
from sonocart.cart.light import bursts_for, indicator_for
from sonocart.cart.live import LiveImaging, LiveView
from sonocart.cart.lock import ScreenLock
from sonocart.cart.outbox import BoardOutbox
from sonocart.cart.pedal_actions import PedalActions
from sonocart.cart.session import CartSession
from sonocart.cart.settings import UiSettings
from sonocart.cart.watchdog import Watchdog
from sonocart.clock import Clock
from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import BoardEvent, FaultEvent, LinkEvent, PedalEvent
from sonocart.devices.probe import ProbeClient
from sonocart.devices.probe_depth import DepthOutcome, DepthRequest, ProbeEvent
from sonocart.imaging.liveness import Liveness, assess
from sonocart.journal.store import Event, JournalError
from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.engine import Engine
from sonocart.procedures.inputs import ImageLiveness, Note
from sonocart.records.record import ProcedureRecord

log = logging.getLogger(__name__)
#: How often timers, the lock, device status and the light are re-judged (the image is every pump).
SLOW_TICK_S = 0.25
TIMER_EVENT_S = 1.0
Listener = Callable[[CartEvent], None]
_DEPTH_NOT_APPLIED = (DepthOutcome.REFUSED, DepthOutcome.UNCONFIRMED)


class CartPump:
    """Devices, session and policies pumped from one thread; the intents are :class:`Cart`'s."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        records_root: Path,
        clock: Clock,
        settings: UiSettings,
        probe: ProbeClient,
        pedal: PedalBoard | None = None,
        settings_path: Path | None = None,
        image_size: tuple[int, int] = (800, 600),
    ) -> None:
        self.clock = clock
        self.probe = probe
        self.pedal = pedal
        self._listeners: list[Listener] = []
        self.session = CartSession(catalogue, records_root, clock, settings, settings_path)
        self.session.set_emitter(self.emit)
        self.session.add_listener(self._on_commit)
        self.live = LiveImaging(probe, clock.monotonic, *image_size)
        self.lock = ScreenLock(self.session, clock.monotonic, self.emit)
        self.pedal_actions = PedalActions(self.session, self.live, self._buzz)
        self.pacs = pacs.PacsWorker()
        #: Light and buzzer commands go out from their own thread: a board that stops reading must not
        #: stall the pump (the display thread on the touchscreen).
        self.outbox = BoardOutbox(pedal) if pedal is not None else None
        #: The view says whether the image is on screen (rendered each new frame); headless: always.
        self.image_wanted = True
        self.view: LiveView | None = None
        self.liveness: Liveness = Liveness(False, "waiting for the first frame", None)
        self._lost_since: float | None = None  # when a live image went away (monotonic)
        self.light = ""
        self._next_slow = 0.0
        self._next_timers = 0.0
        self._devices: dict[str, tuple[bool, str]] = {}
        self._lost_reported: dict[int, int] = {}  # board boot id -> presses it said it dropped
        #: Depth answers and frame-depth changes arrive on the probe's threads; the pump hands them on.
        self._probe_events: queue.SimpleQueue[ProbeEvent] = queue.SimpleQueue()
        probe.subscribe(self._probe_events.put)
        self._prompts: tuple[str, str, int] = ("", "", 0)
        self.watchdog = Watchdog.from_environment(clock.monotonic)

    # -- the event stream -------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every cart event (on the pumping thread); returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: CartEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a faulty view must not stop the cart (the event is already done)
                log.exception("cart listener failed on %s", event.kind)
        if isinstance(event, RecordOpened | RecordClosed):  # however it was opened (touch, script...)
            self._prompts_changed()
            self._judge_light()

    # -- life cycle -------------------------------------------------------------------------------
    def start(self) -> Self:
        self.probe.start()
        if self.pedal is not None:
            self.pedal.start()
        if self.outbox is not None:
            self.outbox.start()
        return self

    def stop(self) -> None:
        if self.outbox is not None:
            self.outbox.stop()
        self.probe.stop()
        if self.pedal is not None:
            self.pedal.stop()
        self.close_record()

    def open_procedure(
        self, procedure_id: str, patient: dict[str, Any], weight_kg: float | None, operator: str
    ) -> ProcedureRecord:
        return self.session.start(procedure_id, patient, weight_kg, operator)

    def resume(self, path: Path, operator: str = "") -> ProcedureRecord:
        """Re-open a record after a restart, at the same phase, step and timers."""
        return self.session.resume(path, operator)

    def close_record(self) -> None:
        self.session.close()

    # -- the pump ---------------------------------------------------------------------------------
    def wait_and_pump(self, timeout_s: float) -> None:
        """Block up to ``timeout_s`` for a pedal event (low latency without spinning), then pump."""
        if self.pedal is not None:
            ev = self.pedal.get_event(timeout_s)
            if ev is not None:
                self._on_board_event(ev)
        self.pump()

    def pump(self) -> None:
        """Drain device events, render a new frame if wanted, judge liveness; timers and light 4x/s."""
        if self.pedal is not None:
            while (ev := self.pedal.get_event(0)) is not None:
                self._on_board_event(ev)
        now = self.clock.monotonic()
        self._pump_image()
        self._pump_probe_events()
        if now >= self._next_slow:
            self._next_slow = now + SLOW_TICK_S
            self.session.tick()
            self.lock.check()
            self._watch_devices()
            if now >= self._next_timers:
                self._next_timers = now + TIMER_EVENT_S
                self._timers_event()
        result = self.pacs.collect()
        if result is not None:
            text, ok = pacs.result_message(result, pacs.counts(self.session)[1])
            self.session.say(text, ok=ok)
            why = "" if ok else result.unreachable  # which PACS did not answer, after the short line
            self.emit(PacsFinished(f"{text} — {why}" if why else text, ok))
        self._judge_light()
        self.watchdog.tick()  # alive: systemd restarts the cart when these pings stop

    def _pump_image(self) -> None:
        if self.image_wanted:
            self.view = self.live.poll()
            liveness = self.view.liveness
        else:
            _frame, arrived, _count = self.probe.latest.get()
            liveness = assess(self.live.clock(), arrived, self.probe.status().fault)
        if liveness.live != self.liveness.live:
            self.emit(LivenessChanged(liveness.live, liveness.reason))
            self._lost_since = None if liveness.live else self.clock.monotonic()
        self.liveness = liveness
        self._judge_image_loss()

    def _judge_image_loss(self) -> None:
        """Image gone for the alarm table's delay during needle work: the engine raises the HIGH alarm
        (never gated by the lock); back: it ends. A hiccup shorter than the delay raises nothing."""
        eng = self.session.engine
        if eng is None:
            return
        step = eng.current_step()
        lost = eng.state.image_lost
        delay = self.session.catalogue.image_lost_after_s
        if self.liveness.live == (not lost):
            return  # nothing to change: live and not lost, or lost and journaled as lost
        if not self.liveness.live:
            gone = self._lost_since is not None and self.clock.monotonic() - self._lost_since >= delay
            if not gone or step is None or step.kind != "injection":
                return
        try:
            eng.submit(
                ImageLiveness(self.liveness.live, self.liveness.reason, self.session.operator or "system")
            )
        except (InputRejected, JournalError) as exc:
            self.emit(Fault("journal", f"image loss NOT RECORDED — {exc}"))

    def _pump_probe_events(self) -> None:
        """A depth the probe refused or did not confirm is said at once; any depth news redraws."""
        while True:
            try:
                ev = self._probe_events.get_nowait()
            except queue.Empty:
                return
            if isinstance(ev, DepthRequest) and ev.outcome in (
                DepthOutcome.REFUSED,
                DepthOutcome.UNCONFIRMED,
            ):
                self.session.say(ev.text, ok=False)
            self._imaging_changed()

    def imaging_live(self) -> bool:
        return self.liveness.live and not self.live.frozen and self.image_wanted

    def _on_board_event(self, ev: BoardEvent) -> None:
        if isinstance(ev, PedalEvent):
            out = self.pedal_actions.handle(ev, locked=self.lock.locked)
            if out is not None:
                press_id = ev.press_id
                self.emit(
                    PedalActed(ev.pedal, ev.kind, press_id, out.action, out.outcome, out.detail, out.seq)
                )
                self._imaging_changed()
        elif isinstance(ev, FaultEvent) and ev.fault == "events_lost" and ev.active:
            self._count_lost_presses()
        elif isinstance(ev, LinkEvent):
            self._watch_devices()

    def _count_lost_presses(self) -> None:
        """Report presses the board dropped, from its own cumulative count (per boot, in every heartbeat):
        a press it could not deliver in time (1 s) or still held when the host was lost. The count, not
        the ``events_lost`` fault, is the truth: that fault is itself a message that can be late."""
        if self.pedal is None:
            return
        ps = self.pedal.status()
        if ps.identity is None:
            return
        boot = ps.identity.boot_id
        reported = self._lost_reported.setdefault(boot, 0)
        if ps.lost_events > reported:
            self._lost_reported[boot] = ps.lost_events
            self._pedals_lost(ps.lost_events - reported)

    def _pedals_lost(self, count: int) -> None:
        """Presses the board dropped undelivered (host lost): on the record and on screen, never silent."""
        text = f"the pedal board dropped {count} pedal press(es) while the host was lost: not acted on"
        self.session.say(text, ok=False)
        self.emit(PedalsLost(count))
        eng = self.session.engine
        if eng is not None:
            try:
                eng.submit(Note(text, self.session.operator or "system"))
            except (InputRejected, JournalError) as exc:
                self.emit(Fault("journal", f"lost presses NOT RECORDED — {exc}"))

    # -- what follows a commit --------------------------------------------------------------------
    def _on_commit(self, events: list[Event]) -> None:
        step = self.session.current_step()
        self.emit(
            Committed(
                tuple(e.seq for e in events),
                tuple(e.type for e in events),
                self.session.phase() or "",
                step.id if step else "",
            )
        )
        for burst in bursts_for(events):
            self._buzz(burst)
        if any(e.type == "last_started" for e in events):
            self.lock.release_for_emergency()  # LAST started from the locked screen: no PIN needed
        self._prompts_changed()
        self._judge_light()

    def _prompts_changed(self) -> None:
        prompts = self.session.prompts()
        top = prompts[0] if prompts else None
        now = (top.text if top else "", top.priority.name if top else "", len(prompts))
        if now != self._prompts:
            self._prompts = now
            self.emit(PromptsChanged(*now))

    def _judge_light(self) -> None:
        state = indicator_for(
            self.session.highest_prompt(),
            self.session.record is not None,
            self.imaging_live(),
            False,
            emergency=self.session.last_active(),
        )
        if state != self.light:
            self.light = state
            if self.outbox is not None:
                self.outbox.light(state)
            self.emit(LightChanged(state))

    def _buzz(self, priority: str) -> None:
        if self.outbox is not None:
            self.outbox.buzz(priority)
        self.emit(Buzzed(priority))

    def _imaging_changed(self) -> None:
        self.emit(ImagingChanged(self.live.frozen, self.live.settings_line()))

    def _watch_devices(self) -> None:
        self._count_lost_presses()
        pr = self.probe.status()
        now = {"probe": (pr.connected and pr.identity is not None, pr.fault or "")}
        if self.pedal is not None:
            ps = self.pedal.status()
            now["pedal"] = (ps.connected and ps.identity is not None, ps.fault or "")
        for name, state in now.items():
            if self._devices.get(name) != state:
                self._devices[name] = state
                self.emit(DeviceChanged(name, *state))

    def _timers_event(self) -> None:
        eng: Engine | None = self.session.engine
        if eng is None or not eng.state.timers:
            return
        left = {n: r for n in sorted(eng.state.timers) if (r := eng.timer_remaining(n)) is not None}
        if left:
            self.emit(TimersTicked({n: round(v, 1) for n, v in left.items()}))
