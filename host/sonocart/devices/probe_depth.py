"""Depth requests to the probe and what the probe answered: pending, accepted, refused, not confirmed.

The host never shows a depth it merely asked for. A SET_DEPTH is *pending* until the probe's ACK for its
sequence number arrives (accepted, or refused with the ACK's status as the reason) or until
:data:`DEPTH_ACK_TIMEOUT_S` passes on the injected clock, or the link drops first: then it is *not
confirmed*. Whatever the answer, the depth of the image is the depth in the header of the frames that
arrive (``ProbeStatus.frame_depth_mm``): an accepted change shows once frames at the new depth arrive.

Pure bookkeeping, no I/O and no threads: the probe client feeds it and holds the lock.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, replace

from sonocart.wire import probe_codec as pc

#: A live probe answers a command within milliseconds; this is as long as the host waits before it
#: calls a probe silent (``probe.DEVICE_SILENT_S``): a probe that said nothing by then did not apply it.
DEPTH_ACK_TIMEOUT_S = 1.5
#: Deepest depth the host asks for at all: ultrasound does not image a metre into tissue, and the f32 on
#: the wire must hold it. The probe refuses whatever lies outside its own, narrower range.
MAX_REQUEST_MM = 1000.0
_MAX_IN_FLIGHT = 16  # requests awaiting an ACK; older ones are forgotten (they can only be superseded)

#: Why the probe refused a depth, by ACK status (docs/protocols/probe-link.md, Session).
REFUSAL_REASONS: dict[pc.AckStatus, str] = {
    pc.AckStatus.BAD_ARGUMENT: "outside the probe's depth range",
    pc.AckStatus.UNSUPPORTED: "this probe cannot change depth",
}


def checked_depth_mm(value: object) -> float:
    """``value`` as a depth to ask the probe for, or ValueError: a real number, 0 < depth ≤ 1000 mm."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"depth must be a number of millimetres, not {value!r}")
    depth = float(value)
    if not (math.isfinite(depth) and 0 < depth <= MAX_REQUEST_MM):
        raise ValueError(
            f"depth must be a positive number of millimetres up to {MAX_REQUEST_MM:g}, not {value!r}"
        )
    return depth


class DepthOutcome(enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    UNCONFIRMED = "not confirmed"


@dataclass(frozen=True)
class DepthRequest:
    """The latest depth request and its outcome; also the event sent at each change of outcome.

    ``reason`` says why it was refused or not confirmed (None while pending or once accepted).
    """

    depth_mm: float
    outcome: DepthOutcome
    requested_at: float  # the probe client's clock
    reason: str | None = None

    @property
    def text(self) -> str:
        """One line for a view: "depth 70 mm: refused (outside the probe's depth range)"."""
        tail = f" ({self.reason})" if self.reason else ""
        return f"depth {self.depth_mm:g} mm: {self.outcome.value}{tail}"


@dataclass(frozen=True)
class FrameDepthChanged:
    """Frames now arrive at ``depth_mm`` (from their header); ``previous_mm`` is None for the first."""

    depth_mm: float
    previous_mm: float | None


ProbeEvent = DepthRequest | FrameDepthChanged


class DepthRequests:
    """The latest depth request, the requests awaiting an ACK, and the depth to restore on reconnect."""

    def __init__(self, initial_mm: float | None, ack_timeout_s: float = DEPTH_ACK_TIMEOUT_S) -> None:
        self.ack_timeout_s = ack_timeout_s
        #: Sent again after every (re)connect: the operator's last depth that the probe did not refuse.
        self.wanted_mm = initial_mm
        self._accepted_mm: float | None = None
        self._latest: DepthRequest | None = None
        self._latest_seq: int | None = None  # the SET_DEPTH that carried the latest request
        self._in_flight: dict[int, float] = {}  # seq → depth, this link session's unanswered requests

    def sent(self, seq: int, depth_mm: float, now: float) -> DepthRequest:
        """A SET_DEPTH went out with ``seq``: it is pending."""
        self.wanted_mm = depth_mm
        self._in_flight[seq] = depth_mm
        while len(self._in_flight) > _MAX_IN_FLIGHT:
            del self._in_flight[next(iter(self._in_flight))]
        self._latest_seq = seq
        return self._set(DepthRequest(depth_mm, DepthOutcome.PENDING, now))

    def not_sent(self, depth_mm: float, now: float, reason: str) -> DepthRequest:
        """The link was down: not confirmed now; ``depth_mm`` is requested again at the next connect."""
        self.wanted_mm = depth_mm
        self._latest_seq = None
        return self._set(DepthRequest(depth_mm, DepthOutcome.UNCONFIRMED, now, reason))

    def acked(self, ack: pc.Ack) -> DepthRequest | None:
        """The probe answered a SET_DEPTH: the latest request's new state, or None if it is unchanged.

        A late answer (after the deadline) still counts: the probe's word beats the host's guess.
        """
        if ack.acked_msg != pc.MsgId.SET_DEPTH or ack.acked_seq not in self._in_flight:
            return None
        depth = self._in_flight.pop(ack.acked_seq)
        if ack.status is pc.AckStatus.OK:
            self._accepted_mm = depth
        latest = self._latest
        if latest is None or ack.acked_seq != self._latest_seq:
            return None  # superseded by a later request, which is the one shown
        self._latest_seq = None
        if ack.status is pc.AckStatus.OK:
            return self._set(replace(latest, outcome=DepthOutcome.ACCEPTED, reason=None))
        self.wanted_mm = self._accepted_mm
        reason = REFUSAL_REASONS.get(ack.status, ack.status.name.lower())
        return self._set(replace(latest, outcome=DepthOutcome.REFUSED, reason=reason))

    def expire(self, now: float) -> DepthRequest | None:
        """The latest request, if its deadline has passed since the last call without an answer."""
        current = self.current(now)
        if current is None or current is self._latest:
            return None
        return self._set(current)

    def link_lost(self) -> DepthRequest | None:
        """The link dropped: an unanswered request will never be answered (a new session numbers anew)."""
        self._in_flight.clear()
        self._latest_seq = None
        latest = self._latest
        if latest is None or latest.outcome is not DepthOutcome.PENDING:
            return None
        return self._set(_unconfirmed(latest, "the probe link dropped before the probe answered"))

    def current(self, now: float) -> DepthRequest | None:
        """The latest request as it stands at ``now`` (a pending one past its deadline is not confirmed)."""
        latest = self._latest
        if (
            latest is not None
            and latest.outcome is DepthOutcome.PENDING
            and now - latest.requested_at > self.ack_timeout_s
        ):
            return _unconfirmed(latest, f"no answer from the probe within {self.ack_timeout_s:g} s")
        return latest

    def _set(self, request: DepthRequest) -> DepthRequest:
        self._latest = request
        return request


def _unconfirmed(request: DepthRequest, reason: str) -> DepthRequest:
    return replace(request, outcome=DepthOutcome.UNCONFIRMED, reason=reason)
