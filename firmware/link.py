"""The board's end of the pedal link: framing, reliable delivery, host liveness. Pure logic.

Bytes from the host go in through :meth:`BoardLink.feed`; everything leaves through
the injected ``write`` function. Reliable messages (pedal events, faults, self-test
results) wait in an outbox and are sent stop-and-wait: the oldest goes out, is
resent every :data:`RESEND_MS` until the host ACKs its seq, then the next one goes.
So the host sees them in order and drops resends by seq. A reliable message is
never delivered late: one not acknowledged within :data:`EVENT_TTL_MS`, or still
waiting when the host is lost, is dropped and counted in ``lost_events``, which the
host reads in every heartbeat and in an ``events_lost`` fault when it is back.
"""

from debounce import ticks_diff
from mpcompat import const
from sonocart.wire import pedal_codec as pc
from sonocart.wire.framer import Framer, encode_frame

RESEND_MS = const(100)
EVENT_TTL_MS = const(1000)
HOST_TIMEOUT_MS = const(700)
OUTBOX_MAX = const(16)


class Pending:
    def __init__(self, seq: int, frame: bytes, created: int) -> None:
        self.seq = seq
        self.frame = frame
        self.created = created
        self.sent_at = 0
        self.sends = 0


class BoardLink:
    def __init__(self, write, identity: dict[str, int], texts: dict[str, str], now: int) -> None:  # type: ignore[no-untyped-def]
        self._write = write
        self.identity = identity  # boot_id, reset_cause
        self.texts = texts  # firmware_version, build_hash, board_id
        self.framer = Framer(self._on_payload, pc.MAX_PAYLOAD)
        self._seq = 0
        self._outbox: list[Pending] = []
        self._now = now
        self.last_host = 0
        self.host_seen = False  # a host has spoken since boot
        self.session = -1  # the host's session id; a new one means the host restarted
        self.new_session = False  # set when a (new) host says HELLO; the app clears it
        self.lost_events = 0
        self.unreported_lost = 0
        self.bad_messages = 0
        self.write_errors = 0
        self.commands: list[pc.Msg] = []  # SET_INDICATOR / BUZZ / SELF_TEST for the app

    # -- sending ---------------------------------------------------------------------------------
    def _take_seq(self) -> int:
        s = self._seq
        self._seq = (s + 1) & 0xFFFF
        return s

    def _send_frame(self, frame: bytes) -> None:
        try:
            self._write(frame)
        except OSError:
            self.write_errors += 1

    def send(self, name: str, fields: dict[str, int], texts: dict[str, str] | None = None) -> None:
        """Send once, unacknowledged (heartbeat, identify, ack)."""
        values: dict[str, object] = dict(fields)
        if texts:
            values.update(texts)
        msg = pc.make(name, self._take_seq(), 0, **values)
        self._send_frame(encode_frame(pc.encode(msg)))

    def post(self, name: str, fields: dict[str, int], now: int) -> bool:
        """Queue a reliable message; False (and counted lost) when it cannot be delivered."""
        if not self.host_alive(now) or len(self._outbox) >= OUTBOX_MAX:
            self.lost_events += 1
            self.unreported_lost += 1
            return False
        msg = pc.make(name, self._take_seq(), pc.FLAG_RELIABLE, **fields)
        self._outbox.append(Pending(msg.seq, encode_frame(pc.encode(msg)), now))
        self.pump(now)
        return True

    def pending(self) -> int:
        return len(self._outbox)

    def drop_pending(self) -> int:
        """Forget every unacknowledged message (host lost or replaced); count them lost."""
        n = len(self._outbox)
        self._outbox = []
        self.lost_events += n
        self.unreported_lost += n
        return n

    def pump(self, now: int) -> None:
        """Expire stale reliable messages and (re)send the oldest one when due."""
        while self._outbox and ticks_diff(now, self._outbox[0].created) >= EVENT_TTL_MS:
            self._outbox.pop(0)
            self.lost_events += 1
            self.unreported_lost += 1
        if not self._outbox:
            return
        head = self._outbox[0]
        if head.sends == 0 or ticks_diff(now, head.sent_at) >= RESEND_MS:
            head.sent_at = now
            head.sends += 1
            self._send_frame(head.frame)

    # -- receiving -------------------------------------------------------------------------------
    def host_alive(self, now: int) -> bool:
        return self.host_seen and ticks_diff(now, self.last_host) < HOST_TIMEOUT_MS

    def feed(self, data: bytes, now: int) -> None:
        self._now = now
        self.framer.feed(data)

    def _on_payload(self, payload: bytes) -> None:
        now = self._now
        msg = pc.decode(payload)
        if isinstance(msg, pc.Bad):
            self.bad_messages += 1
            return
        mid = msg.msg_id
        if mid == pc.ACK:
            if self._outbox and self._outbox[0].seq == msg.get("acked_seq"):
                self._outbox.pop(0)
                self.pump(now)
            return
        if mid == pc.HELLO:
            self._host_spoke(msg.get("session"), now, True)
            fields = dict(self.identity)
            fields["protocol_version"] = pc.PROTOCOL_VERSION
            fields["schema_hash"] = pc.SCHEMA_HASH
            fields["uptime_ms"] = now & 0xFFFFFFFF
            self.send("IDENTIFY", fields, self.texts)
            return
        if mid == pc.HEARTBEAT:
            self._host_spoke(msg.get("session"), now, False)
            return
        if mid in (pc.SET_INDICATOR, pc.BUZZ, pc.SELF_TEST, pc.MAINTENANCE):
            if self.host_alive(now):
                self.commands.append(msg)
            return
        self.bad_messages += 1  # a board-to-host message sent to the board

    def _host_spoke(self, session: int, now: int, hello: bool) -> None:
        if not hello and not self.host_alive(now) and session != self.session:
            return  # heartbeats of a host that has not said HELLO to this board: wait for HELLO
        if session != self.session:
            self.session = session
            self.new_session = True
            self.drop_pending()  # the old host's events mean nothing to a new one
        elif not self.host_alive(now):
            self.new_session = True  # the same host is back after losing us
        self.last_host = now
        self.host_seen = True
