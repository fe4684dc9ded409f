"""Pedal codec against the shared vectors; the same file runs on CPython and on MicroPython."""

import vectors
from sonocart.wire import framer
from sonocart.wire import pedal_codec as pc


def _msg(case):
    return pc.make(case["name"], case["seq"], case["flags"], **dict(case["fields"], **case["texts"]))


def test_every_message_encodes_to_the_documented_bytes():
    for case in vectors.load("pedal_messages.json")["good"]:
        assert pc.encode(_msg(case)) == vectors.unhex(case["payload"]), case["name"]


def test_every_documented_payload_decodes_to_its_fields():
    for case in vectors.load("pedal_messages.json")["good"]:
        got = pc.decode(vectors.unhex(case["payload"]))
        assert isinstance(got, pc.Msg), (case["name"], got)
        assert got == _msg(case), (case["name"], got)


def test_framed_messages_match_vectors_and_come_back_through_the_framer():
    got = []
    fr = framer.Framer(got.append, pc.MAX_PAYLOAD)
    for case in vectors.load("pedal_messages.json")["good"]:
        assert framer.encode_frame(pc.encode(_msg(case))) == vectors.unhex(case["frame"]), case["name"]
        fr.feed(vectors.unhex(case["frame"]))
    assert [pc.decode(p).name for p in got] == [
        c["name"] for c in vectors.load("pedal_messages.json")["good"]
    ]


def test_corrupt_payloads_are_bad_messages_never_exceptions():
    for case in vectors.load("pedal_messages.json")["bad"]:
        got = pc.decode(vectors.unhex(case["payload"]))
        assert isinstance(got, pc.Bad), (case["why"], got)


def test_every_truncation_of_every_message_is_bad_not_an_exception():
    for case in vectors.load("pedal_messages.json")["good"]:
        raw = vectors.unhex(case["payload"])
        for n in range(len(raw)):
            got = pc.decode(raw[:n])
            assert isinstance(got, pc.Bad), (case["name"], n, got)


def test_schema_hash_and_version_are_the_pinned_ones_on_this_interpreter():
    v = vectors.load("pedal_messages.json")
    assert v["protocol_version"] == pc.PROTOCOL_VERSION
    assert v["schema_hash"] == pc.SCHEMA_HASH, (
        "message table changed: bump PROTOCOL_VERSION, regenerate vectors"
    )


def test_reliable_flag_round_trips():
    m = pc.make("PEDAL_EVENT", 5, pc.FLAG_RELIABLE, pedal=1, kind=pc.EV_TAP, board_ts_ms=77)
    back = pc.decode(pc.encode(m))
    assert back.reliable and back.get("kind") == pc.EV_TAP and back.get("board_ts_ms") == 77


def test_random_bytes_never_raise_out_of_the_decoder():
    x = 12345
    for _ in range(3000):
        n = x % 40
        buf = bytearray()
        for _ in range(n):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            buf.append(x >> 16 & 0xFF)
        if n >= 1:
            buf[0] = (0x01, 0x02, 0x03, 0x10, 0x11, 0x12, 0x20, 0x21, 0x22, 0x23, 0x30)[x % 11]
        got = pc.decode(bytes(buf))
        assert isinstance(got, pc.Msg) or isinstance(got, pc.Bad), got  # noqa: SIM101 (MicroPython)
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
