"""What each timer is called and what it says when it runs out. Every expiry is a prompt a person
acknowledges; every name is the words the team reads (the step form's timers line, the chart note)."""

from __future__ import annotations

from sonocart.procedures import injection, last_mode
from sonocart.procedures.prompts import Priority

EXPIRY_PROMPTS: dict[str, tuple[Priority, str]] = {
    injection.PAUSE_TIMER: (Priority.LOW, "Pause over: aspirate before the next aliquot."),
    injection.TEST_DOSE_TIMER: (
        Priority.MEDIUM,
        "Test-dose watch over: heart-rate rise of 10 bpm or more, or ECG change? If none, continue.",
    ),
    "last_onset": (
        Priority.LOW,
        "5 min since injection: most LAST has shown by now; keep watching to 60 min.",
    ),
    "last_tail": (Priority.LOW, "60 min since injection: LAST watch complete."),
    "observation": (Priority.MEDIUM, "Observation time complete: assess for discharge."),
    last_mode.BOLUS_TIMER: (Priority.HIGH, "Lipid bolus time over: infusion running?"),
    last_mode.REPEAT_TIMER: (
        Priority.HIGH,
        "5 min since lipid bolus: still unstable? Repeat bolus (max twice), double the infusion rate.",
    ),
    last_mode.INFUSION_TIMER: (Priority.HIGH, "Lipid infusion time over: continue 15 min past stability."),
}


#: Timer id -> what the team calls it (the ids are the engine's; the screen and the chart show these).
TIMER_NAMES: dict[str, str] = {
    injection.PAUSE_TIMER: "pause between aliquots",
    injection.TEST_DOSE_TIMER: "test-dose watch",
    "last_onset": "LAST onset watch",
    "last_tail": "whole LAST watch",
    "observation": "observation",
    last_mode.BOLUS_TIMER: "lipid bolus",
    last_mode.REPEAT_TIMER: "lipid repeat-bolus check",
    last_mode.INFUSION_TIMER: "lipid infusion",
}


def timer_name(name: str) -> str:
    """What the team calls timer ``name``; a timer the table does not know is "a timer", never its id."""
    if name.startswith("post_pain_"):
        return f"pain score at {name.removeprefix('post_pain_')} min"
    return TIMER_NAMES.get(name, "a timer")


def expiry_prompt(name: str) -> tuple[Priority, str]:
    if name.startswith("post_pain_"):
        minutes = name.removeprefix("post_pain_")
        return Priority.LOW, f"Diagnostic block: record pain (NRS 0-10) now, {minutes} min after."
    return EXPIRY_PROMPTS.get(name, (Priority.LOW, f"Time reached: {timer_name(name)}."))
