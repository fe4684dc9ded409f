"""The settings screen: pedal mapping per context, idle lock time, PACS destination; saved as data."""

from __future__ import annotations

from dataclasses import replace

from sonocart.cart.session import CartSession
from sonocart.cart.settings import (
    PEDAL_ACTIONS,
    PEDAL_CONTEXTS,
    PEDAL_KEYS,
    SettingsError,
    default_pedal_map,
)
from sonocart.procedures.pedal_words import PEDAL_ACTION_WORDS

IDLE_STEPS_S = (30.0, 60.0, 120.0, 300.0, 600.0)
#: The core's names of the PACS fields (its errors name them) -> the labels above the fields on screen.
PACS_LABELS = {"pacs.host": "PACS host", "pacs.port": "Port", "pacs.called_aet": "Called AE title"}


class SettingsForm:
    def __init__(self, session: CartSession) -> None:
        self.session = session

    def rows(self) -> list[tuple[str, str]]:
        """(key, label) of each pedal mapping row: ``context/pedal gesture``."""
        m = self.session.settings.pedal_map
        return [
            (f"{ctx}/{key}", f"{ctx}: {key} = {PEDAL_ACTION_WORDS[m[ctx].get(key, 'none')]}")
            for ctx in PEDAL_CONTEXTS
            for key in PEDAL_KEYS
        ]

    def cycle_pedal(self, row: str) -> str:
        """Next action for one pedal gesture in one context."""
        ctx, _, key = row.partition("/")
        current = self.session.settings.pedal_map[ctx].get(key, "none")
        nxt = PEDAL_ACTIONS[(PEDAL_ACTIONS.index(current) + 1) % len(PEDAL_ACTIONS)]
        self.session.settings.pedal_map[ctx][key] = nxt
        self._save()
        return nxt

    def reset_pedals(self) -> None:
        self.session.settings.pedal_map = default_pedal_map()
        self._save()

    def cycle_idle(self) -> float:
        s = self.session.settings
        later = [v for v in IDLE_STEPS_S if v > s.idle_lock_s]
        s.idle_lock_s = later[0] if later else IDLE_STEPS_S[0]
        self._save()
        return s.idle_lock_s

    def pacs_fields(self) -> tuple[str, str, str]:
        """What the PACS fields hold on opening: the destination the cart sends to (host, port, AE title)."""
        p = self.session.settings.pacs
        return p.host, str(p.port), p.called_aet

    def set_pacs(self, host: str, port: str, called_aet: str) -> bool:
        """Save a new destination if the core's settings check takes it; else say the check's error
        (the field named by its label) and keep the destination as it was, in memory and in the file."""
        try:
            port_n = int(port)
        except ValueError:
            self.session.say("PACS not saved: Port must be a whole number", ok=False)
            return False
        s = self.session.settings
        pacs = replace(s.pacs, host=host.strip(), port=port_n, called_aet=called_aet.strip())
        try:
            replace(s, pacs=pacs).validate("PACS")
        except SettingsError as exc:
            self.session.say(f"PACS not saved: {_labelled(str(exc))}", ok=False)
            return False
        s.pacs = pacs
        self._save()
        return True

    def pacs_line(self) -> str:
        p = self.session.settings.pacs
        return f"PACS: {p.called_aet}@{p.host}:{p.port} (we are {p.calling_aet})"

    def _save(self) -> None:
        if self.session.settings_path is not None:
            self.session.settings.save(self.session.settings_path)
        self.session.say("settings saved")


def _labelled(error: str) -> str:
    """The core's ``PACS: pacs.port = 0 is out of range 1..65535`` as the screen names the field."""
    text = error.removeprefix("PACS: ").strip()
    for name, label in PACS_LABELS.items():
        if text.startswith(f"{name} "):
            return label + text[len(name) :]
    return text
