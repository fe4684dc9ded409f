"""The one place logic modules get MicroPython-only names from, with CPython fallbacks for tests."""

try:
    from micropython import const
except ImportError:  # CPython: const() is just the value

    def const(x: int) -> int:  # type: ignore[misc]
        return x


__all__ = ["const"]
