"""Split a byte stream into CRC-checked frames. MicroPython subset.

On the wire a frame is ``b"\\x00" + COBS(payload + crc32_le(payload)) + b"\\x00"``:
the leading delimiter keeps line noise between frames from merging with the next
good frame (empty packets are skipped). The
framer never touches a port: bytes go in through :meth:`Framer.feed`, payloads
come out through the ``on_frame`` callback. Damage never raises; it is counted,
and the next 0x00 delimiter resynchronises by construction.
"""

from sonocart.wire import cobs as _pycobs
from sonocart.wire.crc import crc32

DELIMITER = b"\x00"
CRC_LEN = 4


def encode_frame(payload: bytes, cobs_encode=None) -> bytes:  # type: ignore[no-untyped-def]
    """Return ``payload`` framed for the wire (COBS, CRC-32 LE, delimiter)."""
    enc = cobs_encode if cobs_encode is not None else _pycobs.encode
    c = crc32(payload)
    body = bytes(payload) + bytes((c & 0xFF, (c >> 8) & 0xFF, (c >> 16) & 0xFF, (c >> 24) & 0xFF))
    return DELIMITER + enc(body) + DELIMITER


def max_encoded_len(max_payload: int) -> int:
    """Largest COBS-encoded frame (without delimiter) for ``max_payload`` bytes."""
    n = max_payload + CRC_LEN
    return n + n // 254 + 1


class FramerStats:
    """Counters of what the framer saw; link quality as numbers, not log lines."""

    def __init__(self) -> None:
        self.frames = 0
        self.bad_cobs = 0
        self.bad_crc = 0
        self.too_short = 0
        self.oversize = 0
        self.bytes_discarded = 0

    def bad_total(self) -> int:
        return self.bad_cobs + self.bad_crc + self.too_short + self.oversize

    def as_dict(self) -> dict[str, int]:
        return {
            "frames": self.frames,
            "bad_cobs": self.bad_cobs,
            "bad_crc": self.bad_crc,
            "too_short": self.too_short,
            "oversize": self.oversize,
            "bytes_discarded": self.bytes_discarded,
        }


class Framer:
    """Accumulate bytes, emit each intact payload once through ``on_frame``.

    ``max_payload`` bounds memory: a run of bytes longer than the largest legal
    frame is dropped (counted as ``oversize``) and skipped up to the next delimiter.
    """

    def __init__(self, on_frame, max_payload: int, cobs_decode=None) -> None:  # type: ignore[no-untyped-def]
        self._on_frame = on_frame
        self._decode = cobs_decode if cobs_decode is not None else _pycobs.decode
        self._max_encoded = max_encoded_len(max_payload)
        self._buf = bytearray()
        self._discarding = False
        self.stats = FramerStats()

    def reset(self) -> None:
        """Forget a partial frame (after the transport reconnects)."""
        self.stats.bytes_discarded += len(self._buf)
        self._buf = bytearray()
        self._discarding = False

    def feed(self, data: bytes) -> None:
        buf = self._buf
        buf.extend(data)
        start = 0
        while True:
            end = buf.find(DELIMITER, start)
            if end < 0:
                break
            if self._discarding:
                self.stats.bytes_discarded += end - start
                self._discarding = False
            elif end > start:
                self._packet(bytes(buf[start:end]))
            start = end + 1
        if start:
            try:
                del buf[:start]
            except TypeError:  # MicroPython bytearrays cannot delete slices
                self._buf = buf = buf[start:]
        if len(buf) > self._max_encoded:
            if not self._discarding:
                self.stats.oversize += 1
            self._discarding = True
            self.stats.bytes_discarded += len(buf)
            self._buf = bytearray()

    def _packet(self, encoded: bytes) -> None:
        st = self.stats
        if len(encoded) > self._max_encoded:
            st.oversize += 1
            st.bytes_discarded += len(encoded)
            return
        try:
            body = self._decode(encoded)
        except Exception:
            st.bad_cobs += 1
            st.bytes_discarded += len(encoded)
            return
        if len(body) <= CRC_LEN:
            st.too_short += 1
            st.bytes_discarded += len(encoded)
            return
        n = len(body) - CRC_LEN
        c = body[n] | (body[n + 1] << 8) | (body[n + 2] << 16) | (body[n + 3] << 24)
        payload = body[:n]
        if crc32(payload) != c:
            st.bad_crc += 1
            st.bytes_discarded += len(encoded)
            return
        st.frames += 1
        self._on_frame(payload)
