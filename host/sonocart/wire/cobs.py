"""Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999). MicroPython subset.

Used by the pedal link on both the board and the host. The probe link uses the
C-accelerated ``cobs`` package for throughput; both are held to the same vectors
(tests/vectors/cobs.json).
"""


class DecodeError(ValueError):
    pass


def encode(data: bytes) -> bytes:
    """Return ``data`` COBS-encoded; the result contains no zero byte."""
    out = bytearray(b"\x00")
    code_pos = 0
    code = 1
    last = len(data) - 1
    for i in range(len(data)):
        b = data[i]
        if b == 0:
            out[code_pos] = code
            code_pos = len(out)
            out.append(0)
            code = 1
            continue
        out.append(b)
        code += 1
        if code == 0xFF:
            out[code_pos] = code
            code = 1
            if i == last:
                return bytes(out)  # a full block ends the data: no empty block after it
            code_pos = len(out)
            out.append(0)
    out[code_pos] = code
    return bytes(out)


def decode(data: bytes) -> bytes:
    """Invert :func:`encode`; raise :class:`DecodeError` on a malformed block."""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        code = data[i]
        if code == 0:
            raise DecodeError("zero byte inside COBS block")
        end = i + code
        if end > n:
            raise DecodeError("COBS block runs past end of frame")
        chunk = data[i + 1 : end]
        for b in chunk:
            if b == 0:
                raise DecodeError("zero byte inside COBS block")
        out.extend(chunk)
        i = end
        if code != 0xFF and i < n:
            out.append(0)
    return bytes(out)
