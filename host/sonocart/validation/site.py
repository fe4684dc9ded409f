"""The site-file boundary: a site's local defaults checked for shape, types and ranges before use.

The catalogue applies what a site changes (``procedures.catalogue._apply_site``: a maximum dose may only
go down, stock only narrows). What must hold for any value at all is checked here, first, because a
check written ``lim > base`` is false for NaN and a "lowered" maximum of −1 or 0 would disable the dose
hard stop or divide by zero:

- every table and key known (a typo must not leave the cited default silently in force);
- dose limits: finite numbers with 0 < max_mg and 0 < mg_per_kg (the upper bound is the cited maximum,
  enforced by the catalogue);
- ``observation_minutes`` above 0 and at most 240 (post-block observation is 15–60 min in practice:
  ASRA Practice Advisory on Local Anesthetic Systemic Toxicity, Neal et al., Reg Anesth Pain Med
  2018;43:113–123); short values stay possible for rigs and demos, 0, negative and NaN do not;
- ``pause_s`` above 0 and at most 120 (incremental injection pauses of 15–30 s per 3–5 mL aliquot,
  same source).
"""

from __future__ import annotations

import math
from typing import Any

from sonocart.validation.values import Refused, number

SITE_TABLES = ("dose_limits", "procedures", "stock")
DOSE_KEYS = ("plain", "with_epinephrine")
LIMIT_KEYS = ("mg_per_kg", "max_mg")
PROCEDURE_KEYS = {"observation_minutes": (0.0, 240.0), "pause_s": (0.0, 120.0)}
MAX_ITEMS = 256


def _table(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Refused(f"site file: {where} must be a table, not {type(value).__name__}")
    if len(value) > MAX_ITEMS:
        raise Refused(f"site file: {where} has more than {MAX_ITEMS} entries")
    return value


def _known(where: str, table: dict[str, Any], known: tuple[str, ...] | list[str]) -> None:
    if unknown := sorted(set(table) - set(known)):
        raise Refused(f"site file: {where}: unknown key(s) {unknown}; known: {list(known)}")


def check_site(raw: Any) -> dict[str, Any]:
    """``raw`` (parsed TOML) when its shape and values can be applied; raises :class:`Refused`."""
    site = _table("the file", raw)
    if unknown := sorted(set(site) - set(SITE_TABLES)):
        raise Refused(f"site file: unknown table(s) {unknown}; known: {list(SITE_TABLES)}")
    for drug, limits in _table("dose_limits", site.get("dose_limits", {})).items():
        _known(f"dose_limits.{drug}", _table(f"dose_limits.{drug}", limits), DOSE_KEYS)
        for key, lim in limits.items():
            where = f"dose_limits.{drug}.{key}"
            _known(where, _table(where, lim), LIMIT_KEYS)
            for field, value in lim.items():
                v = number(f"site file: {where}.{field}", value, -math.inf, math.inf)
                if v <= 0:
                    raise Refused(
                        f"site file: {where}.{field} must be above 0 (a limit may be lowered, not removed)"
                    )
    for pid, changes in _table("procedures", site.get("procedures", {})).items():
        _known(f"procedures.{pid}", _table(f"procedures.{pid}", changes), list(PROCEDURE_KEYS))
        for key, value in changes.items():
            where = f"site file: procedures.{pid}.{key}"
            if number(where, value, *PROCEDURE_KEYS[key]) <= 0:
                raise Refused(f"{where} must be above 0")
    _table("stock", site.get("stock", {}))
    return site
