"""The board end of the pedal link with an injected clock and write; CPython and MicroPython."""

from link import EVENT_TTL_MS, HOST_TIMEOUT_MS, RESEND_MS, BoardLink
from sonocart.wire import framer
from sonocart.wire import pedal_codec as pc


class Wire:
    """Collects what the board writes, decoded."""

    def __init__(self):
        self.msgs = []
        self.fr = framer.Framer(lambda p: self.msgs.append(pc.decode(p)), pc.MAX_PAYLOAD)

    def write(self, data):
        self.fr.feed(data)

    def named(self, name):
        return [m for m in self.msgs if m.name == name]


def _link():
    w = Wire()
    ident = {"boot_id": 0xB007, "reset_cause": pc.RESET_POWER_ON}
    texts = {"firmware_version": "1.2.3", "build_hash": "abc", "board_id": "x"}
    return w, BoardLink(w.write, ident, texts, 0)


def _from_host(link, msg, now):
    link.feed(framer.encode_frame(pc.encode(msg)), now)


def _hello(link, now, session=42):
    _from_host(
        link, pc.make("HELLO", 1, protocol_version=1, schema_hash=pc.SCHEMA_HASH, session=session), now
    )


def _event(link, now):
    return link.post("PEDAL_EVENT", {"pedal": 0, "kind": pc.EV_PRESS, "board_ts_ms": now}, now)


def test_hello_is_answered_with_identify_carrying_version_schema_and_boot_id():
    w, link = _link()
    _hello(link, 10)
    ident = w.named("IDENTIFY")[0]
    assert ident.get("schema_hash") == pc.SCHEMA_HASH and ident.get("boot_id") == 0xB007
    assert ident.text("firmware_version") == "1.2.3"


def test_event_is_resent_until_acked_then_the_next_goes():
    w, link = _link()
    _hello(link, 0)
    assert _event(link, 10) and _event(link, 12)
    for t in range(12, 12 + 3 * RESEND_MS + 1, 5):
        link.pump(t)
        _from_host(link, pc.make("HEARTBEAT", 2, session=42), t)
    sent = w.named("PEDAL_EVENT")
    assert len(sent) == 4 and len(set(m.seq for m in sent)) == 1, sent  # stop-and-wait: only the first
    _from_host(link, pc.make("ACK", 3, acked_seq=sent[0].seq), 330)
    assert w.named("PEDAL_EVENT")[-1].seq != sent[0].seq
    assert link.pending() == 1


def test_event_never_acked_is_dropped_and_counted_lost_not_sent_late():
    _w, link = _link()
    _hello(link, 0)
    _event(link, 0)
    for t in range(0, EVENT_TTL_MS + 50, 50):
        _from_host(link, pc.make("HEARTBEAT", 2, session=42), t)
        link.pump(t)
    assert link.pending() == 0 and link.lost_events == 1


def test_host_is_lost_after_the_timeout_and_events_then_are_counted_lost():
    _w, link = _link()
    assert not link.host_alive(0)
    _hello(link, 0)
    assert link.host_alive(HOST_TIMEOUT_MS - 1)
    assert not link.host_alive(HOST_TIMEOUT_MS)
    assert not _event(link, HOST_TIMEOUT_MS + 10)
    assert link.lost_events == 1 and link.unreported_lost == 1


def test_a_new_host_session_drops_the_old_hosts_pending_events():
    _w, link = _link()
    _hello(link, 0, session=1)
    link.new_session = False
    _event(link, 5)
    _hello(link, 20, session=2)
    assert link.pending() == 0 and link.lost_events == 1 and link.new_session


def test_corrupt_frames_are_counted_not_raised():
    _w, link = _link()
    link.feed(b"\x00\x05garbage\x00\x03\x03\x03\x00", 0)
    frame = bytearray(framer.encode_frame(pc.encode(pc.make("BUZZ", 1, priority=2))))
    frame[3] ^= 0xFF
    link.feed(bytes(frame), 1)
    assert link.framer.stats.bad_total() >= 2
    assert link.commands == []


def test_commands_from_a_host_that_never_said_hello_are_ignored():
    _w, link = _link()
    _from_host(link, pc.make("SET_INDICATOR", 1, state=pc.IND_READY), 0)
    assert link.commands == []
    _hello(link, 1)
    _from_host(link, pc.make("SET_INDICATOR", 2, state=pc.IND_READY), 2)
    assert [m.get("state") for m in link.commands] == [pc.IND_READY]
