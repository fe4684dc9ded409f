"""The firmware application: one asyncio task per concern, wired to an injected board.

Tasks: ``pedals`` (poll, debounce, classify, post events), ``link_rx`` (bytes in,
commands out), ``link_tx`` (heartbeats, resends, host-lost handling), ``indicator``
(status light), ``buzzer``, ``health`` (checks that every task is alive and only then
feeds the hardware watchdog), plus any the board adds (the simulated board's control
channel). Every task handle is kept in :attr:`App.tasks`.

The board object provides: ``ticks_ms()``, ``pedal_raw(i)``, ``pedal_present_raw()``,
``set_rgb(r, g, b)``, ``set_buzzer(on)``, ``link_read()`` (non-blocking bytes),
``link_write(data)``, ``wdt_start(ms)``, ``wdt_feed()``, ``reset_cause()``,
``board_id()``, ``boot_id()``, ``enter_maintenance()``, ``extra_tasks(app)``.
"""

import asyncio

from buzzer import Buzzer
from debounce import ticks_diff
from indicator import Indicator
from link import BoardLink
from mpcompat import const
from pedals import Pedals
from sonocart.wire import pedal_codec as pc
from version import BUILD_HASH, FIRMWARE_VERSION

#: The two polls (docs/firmware.md "Polling"): 10 ms keeps a 20 ms debounce at 2-3 samples and a host
#: command within 10 ms, at half the idle load of 5 ms (27 % -> 15-17 % busy, measured on the emulator).
PEDAL_POLL_MS = const(10)
LINK_POLL_MS = const(10)
HEARTBEAT_MS = const(250)
#: Longest sleep of the light and buzzer tasks between edges: at most the shortest on or off time
#: of any pattern (a burst's 100 ms gap), so a pattern started while they sleep keeps every edge.
OUTPUT_IDLE_MS = const(100)
HEALTH_MS = const(100)
TASK_STALE_MS = const(500)
WDT_TIMEOUT_MS = const(2000)
SELF_TEST_MS = const(1000)


class App:
    def __init__(self, board) -> None:  # type: ignore[no-untyped-def]
        self.board = board
        now = board.ticks_ms()
        self.started = now
        self.pedals = Pedals(now)
        self.indicator = Indicator(now, pc.IND_HOST_LOST)
        self.buzzer = Buzzer()
        self.host_state = pc.IND_IDLE  # what the host asked the light to show
        self.self_test_until = -1
        self.was_alive = False
        self.watchdog_reset = board.reset_cause() == pc.RESET_WATCHDOG
        self.link = BoardLink(
            board.link_write,
            {"boot_id": board.boot_id(), "reset_cause": board.reset_cause()},
            {"firmware_version": FIRMWARE_VERSION, "build_hash": BUILD_HASH, "board_id": board.board_id()},
            now,
        )
        self.shown_rgb: tuple[int, int, int] | None = None  # what the light and buzzer show now
        self.shown_buzzer: bool | None = None
        self.alive: dict[str, int] = {}
        self.tasks: dict[str, asyncio.Task] = {}  # type: ignore[type-arg]
        self.running = True

    # -- tasks -----------------------------------------------------------------------------------
    async def pedals_task(self) -> None:
        b = self.board
        while self.running:
            now = b.ticks_ms()
            self.alive["pedals"] = now
            raw = [b.pedal_raw(0), b.pedal_raw(1)]
            for name, fields in self.pedals.update(raw, b.pedal_present_raw(), now):
                self.link.post(name, fields, now)
            await asyncio.sleep_ms(PEDAL_POLL_MS)

    async def link_task(self) -> None:
        """Read and answer the host, then what the board sends of itself: one task, one wake per poll."""
        b = self.board
        next_beat = b.ticks_ms()
        while self.running:
            now = b.ticks_ms()
            self.alive["link"] = now
            data = b.link_read()
            if data:
                self.link.feed(data, now)
                self.handle_commands(now)
                if not self.running:  # maintenance: the board leaves the firmware
                    return
            self.check_host(now)
            self.link.pump(now)
            if ticks_diff(now, next_beat) >= 0:
                next_beat = now + HEARTBEAT_MS
                self.heartbeat(now)
            self.show(now)  # a new light state or burst shows in this pass, not at the next output edge
            await asyncio.sleep_ms(LINK_POLL_MS)

    async def indicator_task(self) -> None:
        """Wakes at the light pattern's next edge (or after OUTPUT_IDLE_MS, to stay seen alive)."""
        b = self.board
        while self.running:
            now = b.ticks_ms()
            self.alive["indicator"] = now
            self.show_light(now)
            await asyncio.sleep_ms(min(self.indicator.ms_to_change(b.ticks_ms()), OUTPUT_IDLE_MS))

    async def buzzer_task(self) -> None:
        """Wakes at the burst's next edge (or after OUTPUT_IDLE_MS, to stay seen alive)."""
        b = self.board
        while self.running:
            now = b.ticks_ms()
            self.alive["buzzer"] = now
            self.show_buzzer(now)
            await asyncio.sleep_ms(max(1, min(self.buzzer.ms_to_change(b.ticks_ms()), OUTPUT_IDLE_MS)))

    async def health_task(self) -> None:
        """Feed the watchdog only while every task has run recently."""
        b = self.board
        b.wdt_start(WDT_TIMEOUT_MS)
        while self.running:
            now = b.ticks_ms()
            if self.healthy(now):
                b.wdt_feed()
            await asyncio.sleep_ms(HEALTH_MS)

    # -- logic shared by the tasks ---------------------------------------------------------------
    def healthy(self, now: int) -> bool:
        for name in ("pedals", "link", "indicator", "buzzer"):
            t = self.alive.get(name)
            if t is None or ticks_diff(now, t) > TASK_STALE_MS:
                return False
        return all(not task.done() for task in self.tasks.values())

    def show(self, now: int) -> None:
        self.show_light(now)
        self.show_buzzer(now)

    def show_light(self, now: int) -> None:
        """Drive the RGB light to the colour of this instant (only a change is written)."""
        colour = self.indicator.colour(now)
        if colour != self.shown_rgb:
            self.board.set_rgb(colour[0], colour[1], colour[2])
            self.shown_rgb = colour

    def show_buzzer(self, now: int) -> None:
        on = self.buzzer.on(now)
        if on != self.shown_buzzer:
            self.board.set_buzzer(on)
            self.shown_buzzer = on

    def check_host(self, now: int) -> None:
        """Host-lost state, entered by the board alone; re-announce state to a (new) host."""
        link = self.link
        alive = link.host_alive(now)
        if self.was_alive and not alive:
            link.drop_pending()
            self.buzzer.stop()
            self.buzzer.start(pc.BUZZ_MEDIUM, now)
            self.self_test_until = -1
        self.was_alive = alive
        if not alive:
            self.indicator.set_state(pc.IND_HOST_LOST, now)
            return
        if link.new_session:
            link.new_session = False
            self.host_state = pc.IND_IDLE
            self.buzzer.stop()
            if self.watchdog_reset:
                self.watchdog_reset = False
                link.post(
                    "FAULT", {"code": pc.FAULT_WATCHDOG_RESET, "arg": 0, "active": 1, "board_ts_ms": now}, now
                )
            for name, fields in self.pedals.active_faults(now):
                link.post(name, fields, now)
        if link.unreported_lost:
            n = min(link.unreported_lost, 255)
            link.unreported_lost = 0
            fields = {"code": pc.FAULT_EVENTS_LOST, "arg": n, "active": 1, "board_ts_ms": now}
            link.post("FAULT", fields, now)
        if self.self_test_until >= 0:
            if ticks_diff(now, self.self_test_until) < 0:
                self.indicator.set_state(pc.IND_SELF_TEST, now)
                return
            self.self_test_until = -1
            passed = 1 if self.pedals.present and not self.pedals.stuck() else 0
            fields = {"passed": passed, "pedal_present": 1 if self.pedals.present else 0}
            fields["pedals_down"] = self.pedals.down_mask()
            link.post("SELF_TEST_RESULT", fields, now)
        self.indicator.set_state(self.host_state, now)

    def handle_commands(self, now: int) -> None:
        link = self.link
        self.check_host(now)  # a HELLO in the same read starts the session before its commands run
        while link.commands:
            msg = link.commands.pop(0)
            ok = True
            if msg.msg_id == pc.SET_INDICATOR:
                state = msg.get("state")
                ok = state in pc.HOST_SETTABLE
                if ok:
                    self.host_state = state
            elif msg.msg_id == pc.BUZZ:
                ok = self.buzzer.start(msg.get("priority"), now)
            elif msg.msg_id == pc.SELF_TEST:
                self.self_test_until = now + SELF_TEST_MS
                self.buzzer.start(pc.BUZZ_LOW, now)
            elif msg.msg_id == pc.MAINTENANCE:
                ok = msg.get("magic") == pc.MAINTENANCE_MAGIC
                if ok:
                    link.send("ACK", {"acked_seq": msg.seq, "status": pc.ACK_OK})
                    self.running = False
                    self.board.enter_maintenance()
                    return
            link.send("ACK", {"acked_seq": msg.seq, "status": pc.ACK_OK if ok else pc.ACK_BAD_ARGUMENT})
        self.check_host(now)

    def heartbeat(self, now: int) -> None:
        status = self.pedals.down_mask() << 2
        if self.pedals.present:
            status |= pc.HB_PEDAL_PRESENT
        if not self.link.host_alive(now):
            status |= pc.HB_HOST_LOST
        if not self.pedals.present or self.pedals.stuck():
            status |= pc.HB_FAULT
        fields = {
            "session": self.link.identity["boot_id"],
            "uptime_ms": ticks_diff(now, self.started) & 0xFFFFFFFF,
        }
        fields["indicator"] = self.indicator.state
        fields["status"] = status
        fields["lost_events"] = self.link.lost_events & 0xFFFF
        self.link.send("HEARTBEAT", fields)

    # -- running ---------------------------------------------------------------------------------
    async def main(self) -> None:
        for name, coro in (
            ("pedals", self.pedals_task()),
            ("link", self.link_task()),
            ("indicator", self.indicator_task()),
            ("buzzer", self.buzzer_task()),
            ("health", self.health_task()),
        ):
            self.tasks[name] = asyncio.create_task(coro)
        for name, coro in self.board.extra_tasks(self):
            self.tasks[name] = asyncio.create_task(coro)
        while self.running:
            await asyncio.sleep_ms(HEALTH_MS)


def run(board) -> None:  # type: ignore[no-untyped-def]
    """Run the firmware on ``board`` until it stops (never, on the real board)."""
    asyncio.run(App(board).main())
