"""Pedal link v1: the one table of messages (docs/protocols/pedal-link.md). MicroPython subset.

The same file runs on the pedal board (deployed as ``sonocart/wire/pedal_codec``)
and in the host driver, and is held to the same vectors (tests/vectors/pedal_*.json)
on CPython and on the MicroPython unix port.

A payload is ``<BBH`` (msg_id, flags, seq) followed by the body laid out by
:data:`TABLE`: a ``struct`` format of fixed fields, then zero or more
length-prefixed printable-ASCII strings. :func:`decode` never raises: anything it
cannot read comes back as a :class:`Bad` for the caller to count.
:data:`SCHEMA_HASH` is a CRC-32 over the canonical text of the table, exchanged at
connect, so a board built against another table is refused instead of misread.
"""

import struct

from sonocart.wire.crc import crc32

PROTOCOL_VERSION = 1
COMMON = "<BBH"  # msg_id, flags, seq
COMMON_LEN = 4
MAX_PAYLOAD = 128
MAX_TEXT = 40

# Flags of the common header.
FLAG_RELIABLE = 0x01  # the receiver must ACK this seq; the sender resends until it does

# Message ids.
HELLO = 0x01
IDENTIFY = 0x02
HEARTBEAT = 0x03
PEDAL_EVENT = 0x10
FAULT = 0x11
SELF_TEST_RESULT = 0x12
SET_INDICATOR = 0x20
BUZZ = 0x21
SELF_TEST = 0x22
MAINTENANCE = 0x23  # reboot into the REPL (for flashing); body must carry MAINTENANCE_MAGIC
ACK = 0x30

MAINTENANCE_MAGIC = 0x52455052  # "REPR"

# Pedals.
PEDAL_A = 0
PEDAL_B = 1
PEDAL_NAMES = ("A", "B")

# Pedal event kinds.
EV_PRESS = 1
EV_RELEASE = 2
EV_TAP = 3
EV_HOLD = 4
EVENT_NAMES = ("", "press", "release", "tap", "hold")

# Fault codes (FAULT.code); FAULT.active is 1 when raised, 0 when cleared.
FAULT_STUCK_PEDAL = 1  # arg: pedal held longer than the stuck limit
FAULT_PEDAL_UNPLUGGED = 2  # pedal-present sense line low
FAULT_WATCHDOG_RESET = 3  # the previous run ended in a watchdog reset (raised once per boot)
FAULT_EVENTS_LOST = 4  # arg: events dropped unacknowledged (host lost or queue full)
FAULT_NAMES = ("", "stuck_pedal", "pedal_unplugged", "watchdog_reset", "events_lost")

# Reset causes (IDENTIFY.reset_cause).
RESET_POWER_ON = 1
RESET_WATCHDOG = 2
RESET_SOFT = 3
RESET_OTHER = 4
RESET_NAMES = ("unknown", "power_on", "watchdog", "soft", "other")

# Indicator states (SET_INDICATOR.state, HEARTBEAT.indicator).
IND_OFF = 0
IND_IDLE = 1
IND_READY = 2
IND_IMAGING = 3
IND_RECORDING = 4
IND_HOST_LOST = 5  # board-owned: shown by the board itself, never set by the host
IND_ALARM_LOW = 6
IND_ALARM_MEDIUM = 7
IND_ALARM_HIGH = 8
IND_SELF_TEST = 9  # board-owned, during a self-test
IND_MAINTENANCE = 10  # board-owned, REPL maintenance mode
INDICATOR_NAMES = (
    "off",
    "idle",
    "ready",
    "imaging",
    "recording",
    "host_lost",
    "alarm_low",
    "alarm_medium",
    "alarm_high",
    "self_test",
    "maintenance",
)
HOST_SETTABLE = (
    IND_OFF,
    IND_IDLE,
    IND_READY,
    IND_IMAGING,
    IND_RECORDING,
    IND_ALARM_LOW,
    IND_ALARM_MEDIUM,
    IND_ALARM_HIGH,
)

# Buzzer priorities (BUZZ.priority).
BUZZ_OFF = 0
BUZZ_LOW = 1
BUZZ_MEDIUM = 2
BUZZ_HIGH = 3

# HEARTBEAT.status bits from the board.
HB_PEDAL_PRESENT = 0x01
HB_HOST_LOST = 0x02
HB_PEDAL_A_DOWN = 0x04
HB_PEDAL_B_DOWN = 0x08
HB_FAULT = 0x10

# ACK.status
ACK_OK = 0
ACK_BAD_ARGUMENT = 1

#: msg_id, name, struct format of the fixed body, field names, string field names.
TABLE = (
    (HELLO, "HELLO", "<HII", ("protocol_version", "schema_hash", "session"), ()),
    (
        IDENTIFY,
        "IDENTIFY",
        "<HIIIB",
        ("protocol_version", "schema_hash", "boot_id", "uptime_ms", "reset_cause"),
        ("firmware_version", "build_hash", "board_id"),
    ),
    (HEARTBEAT, "HEARTBEAT", "<IIBBH", ("session", "uptime_ms", "indicator", "status", "lost_events"), ()),
    (PEDAL_EVENT, "PEDAL_EVENT", "<BBI", ("pedal", "kind", "board_ts_ms"), ()),
    (FAULT, "FAULT", "<BBBI", ("code", "arg", "active", "board_ts_ms"), ()),
    (SELF_TEST_RESULT, "SELF_TEST_RESULT", "<BBB", ("passed", "pedal_present", "pedals_down"), ()),
    (SET_INDICATOR, "SET_INDICATOR", "<B", ("state",), ()),
    (BUZZ, "BUZZ", "<B", ("priority",), ()),
    (SELF_TEST, "SELF_TEST", "<", (), ()),
    (MAINTENANCE, "MAINTENANCE", "<I", ("magic",), ()),
    (ACK, "ACK", "<HB", ("acked_seq", "status"), ()),
)

_BY_ID: dict[int, tuple[int, str, str, tuple[str, ...], tuple[str, ...]]] = {}
_BY_NAME: dict[str, int] = {}
for _row in TABLE:
    _BY_ID[_row[0]] = _row
    _BY_NAME[_row[1]] = _row[0]


def _schema_text() -> str:
    rows = ["pedal-link v%d common %s" % (PROTOCOL_VERSION, COMMON)]
    for msg_id, name, fmt, fields, texts in TABLE:
        rows.append("%02x %s %s %s | %s" % (msg_id, name, fmt, ",".join(fields), ",".join(texts)))
    for label, names in (
        ("pedal", PEDAL_NAMES),
        ("event", EVENT_NAMES),
        ("fault", FAULT_NAMES),
        ("reset", RESET_NAMES),
        ("indicator", INDICATOR_NAMES),
    ):
        rows.append("%s %s" % (label, ",".join(names)))
    return "\n".join(rows)


SCHEMA_TEXT = _schema_text()
SCHEMA_HASH = crc32(SCHEMA_TEXT.encode())


def msg_name(msg_id: int) -> str:
    row = _BY_ID.get(msg_id)
    return row[1] if row else "0x%02x" % msg_id


class Msg:
    """One decoded (or to-be-encoded) message: id, flags, seq, named fields."""

    def __init__(
        self, msg_id: int, seq: int, fields: dict[str, int], texts: dict[str, str], flags: int = 0
    ) -> None:
        self.msg_id = msg_id
        self.seq = seq
        self.flags = flags
        self.fields = fields
        self.texts = texts

    @property
    def name(self) -> str:
        return msg_name(self.msg_id)

    @property
    def reliable(self) -> bool:
        return bool(self.flags & FLAG_RELIABLE)

    def get(self, field: str) -> int:
        return self.fields[field]

    def text(self, field: str) -> str:
        return self.texts[field]

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Msg)
            and other.msg_id == self.msg_id
            and other.seq == self.seq
            and other.flags == self.flags
            and other.fields == self.fields
            and other.texts == self.texts
        )

    def __repr__(self) -> str:
        return "Msg(%s seq=%d flags=%d %r %r)" % (self.name, self.seq, self.flags, self.fields, self.texts)


class Bad:
    """A payload that passed the CRC but could not be read; counted, never raised."""

    def __init__(self, reason: str, msg_id: int = -1) -> None:
        self.reason = reason
        self.msg_id = msg_id

    def __repr__(self) -> str:
        return "Bad(%r)" % self.reason


def _printable(raw: bytes) -> bool:
    for b in raw:
        if b < 0x20 or b > 0x7E:
            return False
    return True


def make(name: str, seq: int, flags: int = 0, **values: object) -> Msg:
    """Build a message by table name: ``make("PEDAL_EVENT", 3, pedal=0, kind=1, board_ts_ms=9)``."""
    row = _BY_ID[_BY_NAME[name]]
    fields: dict[str, int] = {}
    texts: dict[str, str] = {}
    for f in row[3]:
        v = values.get(f, 0)
        fields[f] = int(v)  # type: ignore[call-overload]
    for t in row[4]:
        texts[t] = str(values.get(t, ""))
    return Msg(row[0], seq, fields, texts, flags)


def encode(msg: Msg) -> bytes:
    """Payload bytes of ``msg`` (framing is the framer's job). Raises on a message the table lacks."""
    _id, _name, fmt, fields, texts = _BY_ID[msg.msg_id]
    out = bytearray(struct.pack(COMMON, msg.msg_id, msg.flags & 0xFF, msg.seq & 0xFFFF))
    if fields:
        out.extend(struct.pack(fmt, *[msg.fields[f] for f in fields]))
    for t in texts:
        raw = msg.texts[t].encode()[:MAX_TEXT]
        if not _printable(raw):
            raw = b"?" * len(raw)
        out.append(len(raw))
        out.extend(raw)
    return bytes(out)


def decode(payload: bytes) -> Msg | Bad:
    """Read one payload; anything unreadable comes back as :class:`Bad`."""
    n = len(payload)
    if n < COMMON_LEN:
        return Bad("payload shorter than the common header")
    if n > MAX_PAYLOAD:
        return Bad("payload longer than %d bytes" % MAX_PAYLOAD)
    msg_id, flags, seq = struct.unpack_from(COMMON, payload, 0)
    row = _BY_ID.get(msg_id)
    if row is None:
        return Bad("unknown message id 0x%02x" % msg_id, msg_id)
    _id, name, fmt, fields, texts = row
    pos = COMMON_LEN
    values: dict[str, int] = {}
    if fields:
        size = struct.calcsize(fmt)
        if n < pos + size:
            return Bad("%s: body shorter than %d bytes" % (name, size), msg_id)
        unpacked = struct.unpack_from(fmt, payload, pos)
        for i in range(len(fields)):
            values[fields[i]] = unpacked[i]
        pos += size
    strings: dict[str, str] = {}
    for t in texts:
        if pos >= n:
            return Bad("%s: string %s missing" % (name, t), msg_id)
        length = payload[pos]
        end = pos + 1 + length
        if end > n or length > MAX_TEXT:
            return Bad("%s: string %s runs past the end" % (name, t), msg_id)
        raw = bytes(payload[pos + 1 : end])
        if not _printable(raw):
            return Bad("%s: string %s is not printable ASCII" % (name, t), msg_id)
        strings[t] = raw.decode()
        pos = end
    if pos != n:
        return Bad("%s: %d trailing bytes" % (name, n - pos), msg_id)
    return Msg(msg_id, seq, values, strings, flags)
