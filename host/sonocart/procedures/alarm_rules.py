"""The alarm table applied to decided events: each prompt and hard stop gets its catalogue priority and
the condition, step or phase it ends with (catalogue/alarms.toml, cited to IEC 60601-1-8).

The journal records the priority the table gave, so a replay shows exactly what was shown; a prompt the
table does not list keeps the priority its code raised it with.
"""

from __future__ import annotations

from typing import Any

from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.prompts import Priority

Events = list[tuple[str, dict[str, Any]]]
IMAGE_LOST = "image_lost"


def classify(cat: Catalogue, events: Events) -> Events:
    out: Events = []
    for type_, payload in events:
        if type_ in ("prompt_raised", "hard_stop"):
            pid = payload["id"] if type_ == "prompt_raised" else f"hard_stop:{payload['rule']}"
            rule = cat.alarm_rule(pid)
            if rule is not None:
                payload = {**payload, "priority": rule.priority}
                if type_ == "prompt_raised":
                    payload.update(holds_while=rule.holds_while, expires=rule.expires)
        out.append((type_, payload))
    return out


def image_change(live: bool, reason: str, needle_work: bool, lost: bool) -> Events:
    """Image lost while the needle is in (injection step): a HIGH prompt that holds until it is back."""
    if not live and needle_work and not lost:
        text = (
            f"IMAGE LOST during needle work ({reason}): stop advancing and injecting until the image is back."
        )
        return [
            ("image_lost", {"reason": reason}),
            ("prompt_raised", {"id": IMAGE_LOST, "priority": Priority.HIGH.name, "text": text}),
        ]
    if live and lost:
        return [("image_restored", {})]
    return []
