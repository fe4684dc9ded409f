"""Patient identifiers as the cart records them: a date of birth is a real past date or it is refused.

Typed dates are accepted as dd/mm/yyyy (also dd.mm.yyyy or dd-mm-yyyy, the day first, as written on
UK/EU wristbands) or ISO 8601 yyyy-mm-dd (or its basic form yyyymmdd, as DICOM writes it). Anything
else, an impossible date or one in the future is refused with the accepted forms named, so an invalid
DICOM date (12/04/1958 -> "12041958") can never be exported.

Names are typed as two fields, family and given, and stored as a DICOM PN (``FAMILY^GIVEN``, PS3.5
6.2.1.1), so nothing has to guess which word is which; people read them back with the parts named.
"""

from __future__ import annotations

import datetime as dt
import re

_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
FORMS = "dd/mm/yyyy or yyyy-mm-dd"
#: A PN component group is at most 64 characters (PS3.5 table 6.2-1); ^ = \\ are its delimiters.
NAME_CHARS = 64
_PN_DELIMITERS = frozenset("^=\\")


class PatientError(ValueError):
    """An identifier the cart will not record."""


def birth_date_iso(text: str, today: dt.date) -> str:
    """``text`` as an ISO date (yyyy-mm-dd); raises PatientError unless it is a real date up to ``today``."""
    raw = text.strip()
    if m := _ISO.fullmatch(raw):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DAY_FIRST.fullmatch(raw):
        d, mo, y = (int(g) for g in m.groups())
    else:
        raise PatientError(f"date of birth {raw!r}: write it as {FORMS}")
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        raise PatientError(f"date of birth {raw!r} is not a real date ({FORMS})") from None
    if day > today or day.year < 1900:
        raise PatientError(f"date of birth {raw!r} is not a plausible past date")
    return day.isoformat()


def person_name(family: str, given: str) -> str:
    """The two typed name fields as one DICOM PN ``FAMILY^GIVEN``; raises PatientError naming the field."""
    parts = []
    for label, raw in (("family name", family), ("given name", given)):
        part = " ".join(raw.split())
        if not part:
            raise PatientError(f"{label} is empty: type it as on the wristband")
        if _PN_DELIMITERS & set(part) or not part.isprintable():
            raise PatientError(f"{label} {part!r}: no ^, = or \\ characters")
        parts.append(part)
    if len(parts[0]) + len(parts[1]) + 1 > NAME_CHARS:
        raise PatientError(f"family and given name together are at most {NAME_CHARS - 1} characters")
    return "^".join(parts)


def name_parts(pn: str) -> tuple[str, str]:
    """(family, given) of a stored PN; the remaining PN components, if any, join the given name."""
    family, _, rest = pn.partition("^")
    return family, " ".join(x for x in rest.split("^") if x)


def name_line(patient: dict[str, object]) -> str:
    """The name with its parts named, e.g. "Family name: DOE, given name: Jane" (never a caret)."""
    family, given = name_parts(str(patient.get("name", "")))
    if not family:
        return "Name: not recorded"
    return f"Family name: {family}, given name: {given or 'not recorded'}"


def birth_date_text(patient: dict[str, object]) -> str:
    """The stored ISO date as people read it with the month named (12 Apr 1958: no day/month doubt)."""
    raw = str(patient.get("birth_date", ""))
    try:
        return dt.date.fromisoformat(raw).strftime("%d %b %Y")
    except ValueError:
        return raw or "not recorded"


def banner_line(patient: dict[str, object]) -> str:
    """The three identifiers on one line for the screens' banner, as a wristband prints them: the family
    name in capitals before the comma (so it cannot be taken for the given name), e.g.
    "DOE, Jane · born 12 Apr 1958 · MRN MRN1". Short enough for one line of the 7-inch screen."""
    family, given = name_parts(str(patient.get("name", "")))
    name = f"{family.upper()}, {given or 'given name not recorded'}" if family else "name not recorded"
    born = f"born {birth_date_text(patient)}" if patient.get("birth_date") else "date of birth not recorded"
    mrn = f"MRN {patient['id']}" if patient.get("id") else "MRN not recorded"
    return f"{name} · {born} · {mrn}"


def identifiers_line(patient: dict[str, object]) -> str:
    """Name, date of birth and MRN as the team reads them aloud against the wristband."""
    mrn = str(patient.get("id", "")) or "not recorded"
    return f"{name_line(patient)} · Date of birth: {birth_date_text(patient)} · MRN: {mrn}"
