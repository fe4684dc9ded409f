"""Shared test vectors (tests/vectors/*.json) for the MicroPython-subset tests; runs on both interpreters."""

import json


def load(name):
    """The vector file ``tests/vectors/<name>`` as parsed JSON."""
    here = __file__.rsplit("/", 1)[0]
    with open(here + "/../vectors/" + name) as f:
        return json.load(f)


def unhex(s):
    """bytes.fromhex for MicroPython builds that lack it."""
    return bytes(int(s[i : i + 2], 16) for i in range(0, len(s), 2))
