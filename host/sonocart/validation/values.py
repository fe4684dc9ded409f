"""Scalar checks shared by every boundary: exact types, finite numbers in ranges, clean strings."""

from __future__ import annotations

import math
import unicodedata


class Refused(ValueError):
    """A value refused at the boundary; ``str()`` is one line naming the field and why."""


def number(name: str, value: object, lo: float, hi: float) -> float:
    """``value`` as a float when it is an int or float (never a bool or text), finite, in lo..hi."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Refused(f"{name}: {type(value).__name__} {value!r:.40} is not a finite number")
    f = float(value)
    if not math.isfinite(f):
        raise Refused(f"{name}: {f} is not a finite number")
    if not lo <= f <= hi:
        raise Refused(f"{name} {f:g} is outside {lo:g}..{hi:g}")
    return f


def integer(name: str, value: object, lo: int, hi: int) -> int:
    """``value`` when it is an int (never a bool, float or text) in lo..hi."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refused(f"{name} must be a whole number, not {type(value).__name__} {value!r:.40}")
    if not lo <= value <= hi:
        raise Refused(f"{name} {value} is outside {lo}..{hi}")
    return value


def flag(name: str, value: object) -> bool:
    """``value`` when it is exactly True or False: ``"no"`` is text, not False."""
    if not isinstance(value, bool):
        raise Refused(f"{name} must be true or false, not {type(value).__name__} {value!r:.40}")
    return value


#: Unicode categories refused in operator text: controls, format characters (bidi overrides,
#: zero-width joiners), surrogates, private use and unassigned code points.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}


def text(name: str, value: object, max_len: int, *, allow_newlines: bool = False) -> str:
    """``value`` as NFC text with no control or bidi characters, trimmed, at most ``max_len`` long."""
    if not isinstance(value, str):
        raise Refused(f"{name} must be text, not {type(value).__name__}")
    if len(value) > 4 * max_len:  # refuse before normalising something huge
        raise Refused(f"{name} is {len(value)} characters long (at most {max_len})")
    s = unicodedata.normalize("NFC", value).strip()
    for ch in s:
        if allow_newlines and ch == "\n":
            continue
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            raise Refused(f"{name} holds a control or formatting character U+{ord(ch):04X}")
    if len(s) > max_len:
        raise Refused(f"{name} is {len(s)} characters long (at most {max_len})")
    return s
