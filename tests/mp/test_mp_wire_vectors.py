"""COBS, CRC-32 and framer against shared vectors; same file on CPython and MicroPython."""

import vectors
from sonocart.wire import cobs, framer
from sonocart.wire.crc import crc32, crc32_table


def test_cobs_encode_matches_reference_vectors():
    for case in vectors.load("cobs_crc.json")["cobs"]:
        assert cobs.encode(vectors.unhex(case["raw"])) == vectors.unhex(case["encoded"]), case["raw"][:40]


def test_cobs_decode_inverts_reference_vectors():
    for case in vectors.load("cobs_crc.json")["cobs"]:
        assert cobs.decode(vectors.unhex(case["encoded"])) == vectors.unhex(case["raw"]), case["raw"][:40]


def test_crc32_builtin_and_table_match_vectors():
    for case in vectors.load("cobs_crc.json")["crc32"]:
        raw = vectors.unhex(case["raw"])
        assert crc32(raw) == case["crc"]
        assert crc32_table(raw) == case["crc"]


def test_malformed_cobs_raises_decode_error_only():
    for bad in (b"\x05\x01", b"\x02\x00", b"\x00"):
        try:
            cobs.decode(bad)
        except cobs.DecodeError:
            continue
        raise AssertionError("no DecodeError for %r" % bad)


def test_framer_recovers_every_frame_after_damage():
    payloads = [bytes([i]) * (i + 1) + b"\x00" for i in range(20)]
    stream = bytearray()
    for i, p in enumerate(payloads):
        f = framer.encode_frame(p)
        if i == 5:
            f = f[:-4] + bytes([f[-4] ^ 0x40]) + f[-3:]  # bit flip inside frame 5
        if i == 9:
            stream.extend(b"\x13\x37garbage")  # noise between frames
        if i == 12:
            f = f[:3] + f[4:]  # dropped byte inside frame 12
        stream.extend(f)
    got = []
    fr = framer.Framer(got.append, 64)
    for i in range(0, len(stream), 7):
        fr.feed(bytes(stream[i : i + 7]))
    want = [p for i, p in enumerate(payloads) if i not in (5, 12)]
    assert got == want, (len(got), len(want))
    assert fr.stats.bad_total() == 3, fr.stats.as_dict()


def test_framer_drops_oversize_run_and_resyncs():
    got = []
    fr = framer.Framer(got.append, 16)
    fr.feed(b"\x01" * 100)
    fr.feed(framer.encode_frame(b"ok"))
    assert got == [b"ok"]
    assert fr.stats.oversize == 1
