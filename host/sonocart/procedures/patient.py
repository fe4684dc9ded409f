"""Patient identifiers as the cart records them: a date of birth is a real past date or it is refused.

Typed dates are accepted as dd/mm/yyyy (also dd.mm.yyyy or dd-mm-yyyy, the day first, as written on
UK/EU wristbands) or ISO 8601 yyyy-mm-dd (or its basic form yyyymmdd, as DICOM writes it). Anything
else, an impossible date or one in the future is refused with the accepted forms named, so an invalid
DICOM date (12/04/1958 -> "12041958") can never be exported.
"""

from __future__ import annotations

import datetime as dt
import re

_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
FORMS = "dd/mm/yyyy or yyyy-mm-dd"


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


def identifiers_line(patient: dict[str, object]) -> str:
    """Name, date of birth and MRN as the team reads them aloud against the wristband."""
    name = str(patient.get("name", "")).replace("^", ", ", 1).replace("^", " ")
    dob = str(patient.get("birth_date", "")) or "not recorded"
    mrn = str(patient.get("id", "")) or "not recorded"
    return f"Name: {name or 'not recorded'} · Date of birth: {dob} · MRN: {mrn}"
