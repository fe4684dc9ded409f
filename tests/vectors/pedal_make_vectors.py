"""Write tests/vectors/pedal_messages.json from the byte layouts in docs/protocols/pedal-link.md.

Deliberately independent of sonocart.wire.pedal_codec: every payload is packed here by
hand from the specification, so the codec is checked against the document, not itself.
Run: .venv/bin/python tests/vectors/pedal_make_vectors.py
"""

import binascii
import json
import struct
from pathlib import Path

from cobs import cobs  # independent C implementation of COBS

from sonocart.wire import pedal_codec


def common(msg_id: int, flags: int, seq: int) -> bytes:
    return struct.pack("<BBH", msg_id, flags, seq)


def text(s: str) -> bytes:
    raw = s.encode("ascii")
    return bytes([len(raw)]) + raw


def frame(payload: bytes) -> bytes:
    body = payload + struct.pack("<I", binascii.crc32(payload))
    return b"\x00" + cobs.encode(body) + b"\x00"


GOOD = [
    (
        "HELLO",
        0,
        1,
        {"protocol_version": 1, "schema_hash": 0xDEADBEEF, "session": 0x01020304},
        {},
        struct.pack("<HII", 1, 0xDEADBEEF, 0x01020304),
    ),
    (
        "IDENTIFY",
        0,
        2,
        {
            "protocol_version": 1,
            "schema_hash": 0x12345678,
            "boot_id": 0xCAFEF00D,
            "uptime_ms": 1234,
            "reset_cause": 2,
        },
        {"firmware_version": "1.0.0", "build_hash": "0123abcd", "board_id": "e66038b7138f2b2d"},
        struct.pack("<HIIIB", 1, 0x12345678, 0xCAFEF00D, 1234, 2)
        + text("1.0.0")
        + text("0123abcd")
        + text("e66038b7138f2b2d"),
    ),
    (
        "HEARTBEAT",
        0,
        65535,
        {"session": 7, "uptime_ms": 4294967295, "indicator": 5, "status": 0x13, "lost_events": 2},
        {},
        struct.pack("<IIBBH", 7, 4294967295, 5, 0x13, 2),
    ),
    (
        "PEDAL_EVENT",
        1,
        300,
        {"pedal": 1, "kind": 3, "board_ts_ms": 987654},
        {},
        struct.pack("<BBI", 1, 3, 987654),
    ),
    (
        "FAULT",
        1,
        0,
        {"code": 1, "arg": 0, "active": 1, "board_ts_ms": 10000},
        {},
        struct.pack("<BBBI", 1, 0, 1, 10000),
    ),
    (
        "SELF_TEST_RESULT",
        0,
        9,
        {"passed": 1, "pedal_present": 1, "pedals_down": 2},
        {},
        struct.pack("<BBB", 1, 1, 2),
    ),
    ("SET_INDICATOR", 0, 10, {"state": 8}, {}, struct.pack("<B", 8)),
    ("BUZZ", 0, 11, {"priority": 3}, {}, struct.pack("<B", 3)),
    ("SELF_TEST", 0, 12, {}, {}, b""),
    ("MAINTENANCE", 0, 14, {"magic": 0x52455052}, {}, struct.pack("<I", 0x52455052)),
    ("ACK", 0, 13, {"acked_seq": 300, "status": 0}, {}, struct.pack("<HB", 300, 0)),
]
IDS = {
    "HELLO": 1,
    "IDENTIFY": 2,
    "HEARTBEAT": 3,
    "PEDAL_EVENT": 0x10,
    "FAULT": 0x11,
    "SELF_TEST_RESULT": 0x12,
    "SET_INDICATOR": 0x20,
    "BUZZ": 0x21,
    "SELF_TEST": 0x22,
    "MAINTENANCE": 0x23,
    "ACK": 0x30,
}

BAD = [
    ("empty", b""),
    ("short common header", b"\x10\x01"),
    ("unknown id", common(0x7F, 0, 1) + b"\x00"),
    ("truncated pedal event", common(0x10, 1, 1) + b"\x01\x03\x00"),
    ("trailing bytes", common(0x21, 0, 1) + b"\x01\x00"),
    ("string past end", common(0x02, 0, 1) + struct.pack("<HIIIB", 1, 2, 3, 4, 1) + b"\x09abc"),
    ("string missing", common(0x02, 0, 1) + struct.pack("<HIIIB", 1, 2, 3, 4, 1) + text("1.0")),
    (
        "non-printable string",
        common(0x02, 0, 1) + struct.pack("<HIIIB", 1, 2, 3, 4, 1) + b"\x02\x00\x03" + text("x") + text("y"),
    ),
    ("oversize", common(0x03, 0, 1) + bytes(200)),
]


def main() -> None:
    out = {
        "source": "packed by hand in tests/vectors/pedal_make_vectors.py from docs/protocols/pedal-link.md; "
        "COBS by the `cobs` package, CRC by binascii.crc32",
        "good": [
            {
                "name": n,
                "flags": fl,
                "seq": seq,
                "fields": f,
                "texts": t,
                "payload": (common(IDS[n], fl, seq) + body).hex(),
                "frame": frame(common(IDS[n], fl, seq) + body).hex(),
            }
            for n, fl, seq, f, t, body in GOOD
        ],
        "bad": [{"why": why, "payload": p.hex()} for why, p in BAD],
        # Pins the message table: a change here means a new PROTOCOL_VERSION and a reflash.
        "protocol_version": pedal_codec.PROTOCOL_VERSION,
        "schema_hash": pedal_codec.SCHEMA_HASH,
    }
    path = Path(__file__).with_name("pedal_messages.json")
    path.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
