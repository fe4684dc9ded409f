"""What each timer says when it runs out. Every expiry is a prompt a person acknowledges."""

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


def expiry_prompt(name: str) -> tuple[Priority, str]:
    if name.startswith("post_pain_"):
        minutes = name.removeprefix("post_pain_")
        return Priority.LOW, f"Diagnostic block: record pain (NRS 0-10) now, {minutes} min after."
    return EXPIRY_PROMPTS.get(name, (Priority.LOW, f"{name} time reached."))
