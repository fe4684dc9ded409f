"""The one validation boundary: every value entering the core is checked here before it is used.

Finite numbers in cited ranges, exact types, sizes bounded before allocation, strings normalised.
A refusal is a :class:`Refused` (a ``ValueError``) whose message is one line for the operator; the
callers turn it into a journaled refusal, a counted bad frame or a one-line error and exit code.
This package imports nothing above the wire and imaging layers, so every layer may call it.
"""

from sonocart.validation.values import Refused

__all__ = ["Refused"]
