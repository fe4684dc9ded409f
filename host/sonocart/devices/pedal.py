"""Driver of the pedal-and-indicator board: handshake, heartbeats, exactly-once events, faults.

The transport (:class:`SerialLink`) reopens the port by itself; this driver says
HELLO on every connect, refuses a board whose protocol version or message-table
hash differ ("reflash the board"), sends a heartbeat every :data:`HEARTBEAT_S`,
and ACKs every reliable message. Pedal events reach the app once each, in order,
through :meth:`PedalBoard.get_event` (a thread-safe queue) and/or the ``on_event``
callback (called on the link thread): the board resends until ACKed, and resends
are dropped here by identical payload (:mod:`~sonocart.devices.exactly_once`: the 16-bit seq wraps,
so it is no identity on its own). A board reset shows up as a new boot id.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import random
import threading
import time
from collections.abc import Callable

from sonocart.devices.discovery import UsbId, find_port
from sonocart.devices.exactly_once import DuplicateFilter
from sonocart.devices.link_session import FaultTexts, LinkSession, Schema
from sonocart.devices.pedal_events import (
    BoardEvent,
    BoardIdentity,
    FaultEvent,
    LinkEvent,
    PedalEvent,
    PedalStatus,
    SelfTestResult,
    name_of,
    pedal_names,
)
from sonocart.wire import pedal_codec as pc
from sonocart.wire.framer import Framer, encode_frame
from sonocart.wire.transport import LinkDown, LinkState, SerialLink

log = logging.getLogger(__name__)

#: USB identities of the pedal board: our pid.codes id (custom MicroPython build) and the stock
#: MicroPython rp2 id (Raspberry Pi 2e8a:0005), told apart from other Picos by udev serial rules.
PEDAL_USB_IDS = (UsbId(0x1209, 0x5C02), UsbId(0x2E8A, 0x0005))
DEFAULT_PORT = "/dev/sonocart-pedal"

HEARTBEAT_S = 0.2
HELLO_RETRY_S = 0.5
BOARD_SILENT_S = 1.0
#: A gap between two of this cart's heartbeats this long is said with the board's "host lost": the
#: board gives up after 0.7 s of silence (firmware/link.py HOST_TIMEOUT_MS), so the cart itself was
#: too busy to send, not the cable or the board, and a technician looks at the cart's load.
LATE_BEAT_S = 0.5
#: How long after such a gap it is still given as the reason.
LATE_BEAT_MEMORY_S = 5.0
#: The words the status uses for that reason (tools/rig reads the gap back from them).
LATE_BEAT_TEXT = "this cart sent it no heartbeat for {gap:.1f} s"
REFLASH_HINT = "reflash the board: sonocart firmware flash"


def find_pedal_port() -> str | None:
    """The pedal board's port by USB identity, if one is attached."""
    return find_port(PEDAL_USB_IDS)


class PedalBoard:
    """Connect to the board on ``port`` and keep it connected; recover by itself."""

    def __init__(
        self,
        port: str = DEFAULT_PORT,
        *,
        on_event: Callable[[BoardEvent], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.port = port
        self._on_event = on_event
        self._clock = clock
        self.session = random.getrandbits(32)
        self._events: queue.Queue[BoardEvent] = queue.Queue()
        self._lock = threading.RLock()
        self._seq = 0
        self._framer = Framer(self._on_payload, pc.MAX_PAYLOAD)
        self._link = SerialLink(port, self, name="pedal-link")
        self._closing = threading.Event()
        self._ticker = threading.Thread(target=self._tick_loop, name="pedal-heartbeat", daemon=True)
        self._schema = Schema(pc.PROTOCOL_VERSION, pc.SCHEMA_HASH)
        self._session: LinkSession[BoardIdentity] = LinkSession(
            clock,
            silent_after_s=BOARD_SILENT_S,
            hello_retry_s=HELLO_RETRY_S,
            texts=FaultTexts(
                down=f"pedal board not connected ({port})",
                unidentified="pedal board not identified",
                silent="pedal board silent",
            ),
        )
        #: What a message does once the board is known to speak our table (IDENTIFY aside); any other
        #: reliable message is ACKed and becomes an app event through ``_events_of``.
        self._handlers: dict[int, Callable[[pc.Msg, float], None]] = {pc.HEARTBEAT: self._on_heartbeat}
        #: The app-facing event of each reliable message; one not listed is counted as unreadable.
        self._events_of: dict[int, Callable[[pc.Msg, int, float], BoardEvent]] = {
            pc.PEDAL_EVENT: self._pedal_event,
            pc.FAULT: self._fault_event,
            pc.SELF_TEST_RESULT: self._self_test_event,
        }
        self._delivered = DuplicateFilter()
        self._faults: dict[tuple[str, int], bool] = {}
        self._heartbeat: pc.Msg | None = None
        self._late_beat: tuple[float, float] | None = None  # (gap s, when) of the last late heartbeat
        self._indicator = pc.IND_IDLE
        self._last_boot: int | None = None
        self.events_delivered = 0
        self.duplicates_dropped = 0
        self.bad_messages = 0
        self.board_resets = 0

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> PedalBoard:
        self._link.start()
        self._ticker.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        self._link.stop()
        if self._ticker.is_alive():
            self._ticker.join(1.0)

    # -- app-facing API --------------------------------------------------------------------------
    def get_event(self, timeout: float | None = None) -> BoardEvent | None:
        """Next event (pedal, fault, link, self-test), or None after ``timeout`` seconds."""
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return None

    def set_indicator(self, state: str | int) -> None:
        """Show ``state`` (idle, ready, imaging, recording, alarm_low/medium/high, off) on the light.

        Kept and re-sent whenever the board reports something else (after a reset or reconnect).
        """
        code = state if isinstance(state, int) else pc.INDICATOR_NAMES.index(state)
        if code not in pc.HOST_SETTABLE:
            raise ValueError(f"the host cannot set indicator state {state!r}")
        with self._lock:
            self._indicator = code
        self._send(pc.make("SET_INDICATOR", self._take_seq(), state=code))

    def buzz(self, priority: str | int) -> None:
        """One buzzer burst of alarm ``priority`` (low, medium, high; off silences)."""
        names = ("off", "low", "medium", "high")
        code = priority if isinstance(priority, int) else names.index(priority)
        self._send(pc.make("BUZZ", self._take_seq(), priority=code))

    def self_test(self) -> None:
        """Ask the board to test itself; a :class:`SelfTestResult` event follows."""
        self._send(pc.make("SELF_TEST", self._take_seq()))

    def request_maintenance(self) -> None:
        """Reboot the board into its REPL (flashing); it leaves the link."""
        self._send(pc.make("MAINTENANCE", self._take_seq(), magic=pc.MAINTENANCE_MAGIC))

    def status(self) -> PedalStatus:
        with self._lock:
            connected = self._link.state is LinkState.CONNECTED
            hb = self._heartbeat
            bits = hb.get("status") if hb else 0
            faults = tuple(
                sorted(
                    f"{name}" + (f"({arg})" if name == "stuck_pedal" else "")
                    for (name, arg), on in self._faults.items()
                    if on
                )
            )
            host_lost = hb is not None and bool(hb.get("status") & pc.HB_HOST_LOST)
            late = self._late_beat
            why = ""
            if late is not None and self._clock() - late[1] <= LATE_BEAT_MEMORY_S:
                why = ": " + LATE_BEAT_TEXT.format(gap=late[0])
            return PedalStatus(
                port=self.port,
                connected=connected,
                identity=self._session.identity,
                fault=self._session.fault(
                    f"pedal board does not hear the host (shows host lost){why}" if host_lost else None,
                    "pedal board fault: " + ", ".join(faults) if faults else None,
                ),
                faults=faults,
                pedal_present=bool(bits & pc.HB_PEDAL_PRESENT),
                pedals_down=pedal_names(bits >> 2),
                board_reports_host_lost=bool(bits & pc.HB_HOST_LOST),
                indicator=name_of(pc.INDICATOR_NAMES, hb.get("indicator")) if hb else "off",
                lost_events=hb.get("lost_events") if hb else 0,
                events_delivered=self.events_delivered,
                duplicates_dropped=self.duplicates_dropped,
                bad_frames=self._framer.stats.bad_total() + self.bad_messages,
                board_resets=self.board_resets,
            )

    # -- LinkProtocol ----------------------------------------------------------------------------
    def connection_made(self, link: SerialLink) -> None:
        self._session.connected()
        with self._lock:
            self._framer.reset()
            self._heartbeat = None
        self._emit(LinkEvent("connected", self.port))
        self._hello()

    def data_received(self, data: bytes) -> None:
        self._framer.feed(data)

    def connection_lost(self, error: BaseException | None) -> None:
        self._session.disconnected()
        with self._lock:
            self._heartbeat = None
        self._emit(LinkEvent("disconnected", str(error or "")))

    # -- internals -------------------------------------------------------------------------------
    def _take_seq(self) -> int:
        with self._lock:
            s = self._seq
            self._seq = (s + 1) & 0xFFFF
            return s

    def _send(self, msg: pc.Msg) -> None:
        # A link that is down reports itself; the next connect says HELLO again.
        with contextlib.suppress(LinkDown):
            self._link.write(encode_frame(pc.encode(msg)))

    def _hello(self) -> None:
        self._session.hello_sent(self._clock())
        self._send(
            pc.make(
                "HELLO",
                self._take_seq(),
                protocol_version=pc.PROTOCOL_VERSION,
                schema_hash=pc.SCHEMA_HASH,
                session=self.session,
            )
        )

    def _emit(self, event: BoardEvent) -> None:
        self._events.put(event)
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:
                log.exception("pedal event callback failed on %r", event)

    def _on_payload(self, payload: bytes) -> None:
        now = self._clock()
        msg = pc.decode(payload)
        if isinstance(msg, pc.Bad):
            with self._lock:
                self.bad_messages += 1
            return
        self._session.received(now)
        if msg.msg_id == pc.IDENTIFY:
            self._on_identify(msg)
            return
        if self._session.incompatible:
            return  # never act on a board whose messages this host cannot be sure to read
        handler = self._handlers.get(msg.msg_id, self._on_reliable if msg.reliable else None)
        if handler is not None:
            handler(msg, now)

    def _on_identify(self, msg: pc.Msg) -> None:
        version, schema = msg.get("protocol_version"), msg.get("schema_hash")
        if not self._schema.matches(version, schema):
            text = (
                f"pedal board firmware {msg.text('firmware_version')} speaks pedal-link v{version} "
                f"(schema {schema:08x}); this host needs v{self._schema.protocol_version} "
                f"(schema {self._schema.schema_hash:08x}): " + REFLASH_HINT
            )
            if self._session.refused(text):
                log.error(text)
                self._emit(LinkEvent("incompatible", text))
            return
        ident = BoardIdentity(
            firmware_version=msg.text("firmware_version"),
            build_hash=msg.text("build_hash"),
            board_id=msg.text("board_id"),
            boot_id=msg.get("boot_id"),
            reset_cause=name_of(pc.RESET_NAMES, msg.get("reset_cause")),
            protocol_version=version,
            schema_hash=schema,
            uptime_ms=msg.get("uptime_ms"),
        )
        self._session.identified(ident)
        with self._lock:
            previous = self._last_boot
            self._last_boot = ident.boot_id
            reset = previous is not None and previous != ident.boot_id
            if reset:
                self.board_resets += 1
                self._faults.clear()
            indicator = self._indicator
        if reset:
            self._emit(LinkEvent("board_reset", f"boot {ident.boot_id:08x}, reset cause {ident.reset_cause}"))
        self._emit(
            LinkEvent(
                "identified", f"{ident.firmware_version} build {ident.build_hash} board {ident.board_id}"
            )
        )
        self._send(pc.make("SET_INDICATOR", self._take_seq(), state=indicator))

    def _on_heartbeat(self, msg: pc.Msg, now: float) -> None:
        ident = self._session.identity
        with self._lock:
            self._heartbeat = msg
            want = self._indicator
        if ident is None or msg.get("session") != ident.boot_id:
            if self._session.hello_due(now, HELLO_RETRY_S / 2):
                self._hello()  # a board we have not identified (or one that reset): ask who it is
            return
        shown = msg.get("indicator")
        if shown != want and shown in pc.HOST_SETTABLE:
            self._send(pc.make("SET_INDICATOR", self._take_seq(), state=want))

    def _on_reliable(self, msg: pc.Msg, now: float) -> None:
        ident = self._session.identity
        if ident is None:
            return  # not ACKed: the board resends after we have identified it
        self._send(pc.make("ACK", self._take_seq(), acked_seq=msg.seq, status=pc.ACK_OK))
        boot = ident.boot_id
        with self._lock:
            # a resend is the same frame again: its canonical bytes (seq and all fields) identify it
            if self._delivered.is_resend(boot, pc.encode(msg), now):
                self.duplicates_dropped += 1
                return
        make = self._events_of.get(msg.msg_id)
        if make is None:
            with self._lock:
                self.bad_messages += 1
            return
        event = make(msg, boot, now)
        with self._lock:
            self.events_delivered += 1
        self._emit(event)

    def _pedal_event(self, msg: pc.Msg, boot: int, now: float) -> BoardEvent:
        return PedalEvent(
            pedal=name_of(pc.PEDAL_NAMES, msg.get("pedal")),
            kind=name_of(pc.EVENT_NAMES, msg.get("kind")),
            board_ts=msg.get("board_ts_ms"),
            seq=msg.seq,
            boot_id=boot,
            received=now,
        )

    def _fault_event(self, msg: pc.Msg, boot: int, now: float) -> BoardEvent:
        name = name_of(pc.FAULT_NAMES, msg.get("code"))
        active = bool(msg.get("active"))
        if name in ("stuck_pedal", "pedal_unplugged"):
            with self._lock:
                self._faults[(name, msg.get("arg"))] = active
        return FaultEvent(name, active, msg.get("arg"), msg.get("board_ts_ms"), msg.seq, boot)

    def _self_test_event(self, msg: pc.Msg, boot: int, now: float) -> BoardEvent:
        return SelfTestResult(
            bool(msg.get("passed")), bool(msg.get("pedal_present")), pedal_names(msg.get("pedals_down"))
        )

    def _tick_loop(self) -> None:
        last_beat: float | None = None
        while not self._closing.wait(HEARTBEAT_S):
            if self._link.state is not LinkState.CONNECTED or self._session.incompatible:
                # incompatible: no heartbeats, the board shows "host lost" rather than pretend we are here
                last_beat = None
                continue
            now = self._clock()
            if last_beat is not None and now - last_beat >= LATE_BEAT_S:
                with self._lock:
                    self._late_beat = (now - last_beat, now)
                log.warning("pedal board: no heartbeat sent for %.2f s", now - last_beat)
            last_beat = now
            if self._session.needs_hello(now):
                self._hello()
            self._send(
                pc.make(
                    "HEARTBEAT",
                    self._take_seq(),
                    session=self.session,
                    uptime_ms=int(now * 1000) & 0xFFFFFFFF,
                )
            )
            if self._session.silence_began(now):
                self._emit(LinkEvent("silent", f"no frame from the board for {BOARD_SILENT_S:g} s"))
