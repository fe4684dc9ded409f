"""Random and mutated payloads: the codec and framer count damage, never raise (CPython, hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sonocart.wire import pedal_codec as pc
from sonocart.wire.framer import Framer, encode_frame


@given(st.binary(max_size=200))
@settings(max_examples=500, deadline=None)
def test_decode_of_any_bytes_is_a_message_or_bad_never_an_exception(data: bytes) -> None:
    got = pc.decode(data)
    assert isinstance(got, pc.Msg | pc.Bad)
    if isinstance(got, pc.Msg):
        assert pc.encode(got) == data  # anything accepted is exactly what was sent


@given(st.lists(st.binary(max_size=60), max_size=20), st.data())
@settings(max_examples=200, deadline=None)
def test_framer_never_raises_and_delivers_only_crc_checked_payloads(
    chunks: list[bytes], data: st.DataObject
) -> None:
    good = encode_frame(
        pc.encode(pc.make("PEDAL_EVENT", 9, pc.FLAG_RELIABLE, pedal=1, kind=1, board_ts_ms=5))
    )
    stream = b"".join(chunks) + good
    got: list[bytes] = []
    fr = Framer(got.append, pc.MAX_PAYLOAD)
    cut = data.draw(st.integers(0, len(stream)))
    fr.feed(stream[:cut])
    fr.feed(stream[cut:])
    assert got and got[-1] == pc.encode(pc.decode(got[-1]))  # type: ignore[arg-type]
