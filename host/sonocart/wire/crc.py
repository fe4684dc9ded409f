"""CRC-32 (IEEE 802.3, reflected, poly 0x04C11DB7) over a frame. MicroPython subset.

``binascii.crc32`` is built into CPython and into the MicroPython rp2 and unix
ports; the table fallback keeps the codec correct on a port built without it.
"""

try:
    from binascii import crc32 as _builtin_crc32

    _HAVE_BUILTIN = True
except ImportError:  # pragma: no cover - only on ports without binascii.crc32
    _HAVE_BUILTIN = False

_TABLE: list[int] = []


def _table() -> list[int]:
    if not _TABLE:
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
            _TABLE.append(c)
    return _TABLE


def crc32(data: bytes, crc: int = 0) -> int:
    """Return the CRC-32 of ``data`` continuing from ``crc``."""
    if _HAVE_BUILTIN:
        return _builtin_crc32(data, crc) & 0xFFFFFFFF
    return crc32_table(data, crc)


def crc32_table(data: bytes, crc: int = 0) -> int:
    """Table-driven CRC-32; identical results to ``binascii.crc32``."""
    t = _table()
    c = crc ^ 0xFFFFFFFF
    for b in data:
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF
