"""The error for an input the engine refuses (re-exported by :mod:`checks`, where callers import it)."""


class InputRejected(ValueError):
    """The input does not fit the current state; nothing changed (the rejection itself is journaled)."""
