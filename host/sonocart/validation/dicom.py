"""Values written into DICOM objects, checked against their value representation (PS3.5 §6.2).

A record's patient fields come from the operator or a worklist; what a PACS accepts is narrower:

- PN: at most 5 ``^``-separated components, each component group at most 64 characters, no ``\\``
  (the value separator), ``=`` only between component groups, no control characters;
- DA: ``YYYYMMDD`` that is a real calendar date (``19580230`` is not) from 1900 on, not in the future;
- LO (ids, descriptions): at most 64 characters, no ``\\``, no control characters.
"""

from __future__ import annotations

import datetime as dt

from sonocart.validation.values import Refused, text


def person_name(name: str, value: object) -> str:
    s = text(name, value, 64 * 3 + 2)
    if "\\" in s:
        raise Refused(f"{name} holds a backslash (the DICOM value separator)")
    groups = s.split("=")
    if len(groups) > 3:
        raise Refused(f"{name} has more than 3 component groups")
    for g in groups:
        if len(g) > 64:
            raise Refused(f"{name} component group is {len(g)} characters (at most 64)")
        if g.count("^") > 4:
            raise Refused(f"{name} has more than 5 components")
    return s


def date(name: str, value: object, today: dt.date) -> str:
    s = text(name, value, 8)
    if s == "":
        return s
    try:
        d = dt.datetime.strptime(s, "%Y%m%d").date()
    except ValueError as exc:
        raise Refused(f"{name} {s!r} is not a calendar date (YYYYMMDD)") from exc
    if not (dt.date(1900, 1, 1) <= d <= today) or len(s) != 8:
        raise Refused(f"{name} {s} is outside 19000101..{today:%Y%m%d}")
    return s


def long_string(name: str, value: object) -> str:
    s = text(name, value, 64)
    if "\\" in s:
        raise Refused(f"{name} holds a backslash (the DICOM value separator)")
    return s
