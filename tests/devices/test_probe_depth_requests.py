"""Depth requests and the probe's answers, on a manual clock with hand-made ACKs; and the client's
own checks before anything is sent."""

from __future__ import annotations

import math

import pytest

from sonocart.devices.probe import ProbeClient
from sonocart.devices.probe_depth import DepthOutcome, DepthRequest, DepthRequests
from sonocart.wire import probe_codec as pc

SET_DEPTH = 0x22  # docs/protocols/probe-link.md, message table
START = 0x20


def _ack(acked_seq: int, status: int = 0, acked_msg: int = SET_DEPTH) -> pc.Ack:
    return pc.Ack(900, acked_msg, acked_seq, pc.AckStatus(status))


def test_a_request_is_pending_until_the_probe_accepts_it() -> None:
    d = DepthRequests(None)
    sent = d.sent(7, 55.0, now=10.0)
    assert (sent.depth_mm, sent.outcome, sent.reason) == (55.0, DepthOutcome.PENDING, None)
    assert d.current(11.4) == sent
    assert d.acked(_ack(7, acked_msg=START)) is None  # an ACK of another command with the same seq
    assert d.acked(_ack(6)) is None  # an ACK of a request this host never made
    done = d.acked(_ack(7))
    assert done is not None and (done.depth_mm, done.outcome) == (55.0, DepthOutcome.ACCEPTED)
    assert d.current(99.0) == done  # answered: no deadline any more
    assert d.acked(_ack(7)) is None  # a repeated ACK changes nothing


@pytest.mark.parametrize(
    ("status", "reason"), [(1, "outside the probe's depth range"), (2, "this probe cannot change depth")]
)
def test_a_refusal_is_reported_with_its_reason_and_the_refused_depth_is_never_sent_again(
    status: int, reason: str
) -> None:
    d = DepthRequests(60.0)
    d.sent(1, 60.0, 0.0)
    d.acked(_ack(1))
    d.sent(2, 500.0, 1.0)
    assert d.wanted_mm == 500.0
    refused = d.acked(_ack(2, status))
    assert refused == DepthRequest(500.0, DepthOutcome.REFUSED, 1.0, reason)
    assert d.wanted_mm == 60.0  # what a reconnect asks for: the depth the probe last accepted
    assert refused.text == f"depth 500 mm: refused ({reason})"


def test_no_answer_by_the_deadline_is_not_confirmed_and_a_late_answer_still_counts() -> None:
    d = DepthRequests(None, ack_timeout_s=1.5)
    d.sent(3, 70.0, 10.0)
    assert d.expire(11.5) is None and d.current(11.5).outcome is DepthOutcome.PENDING  # type: ignore[union-attr]
    late = d.current(11.51)
    assert late is not None and late.outcome is DepthOutcome.UNCONFIRMED
    assert late.reason == "no answer from the probe within 1.5 s"
    assert d.expire(11.51) == late
    assert d.expire(12.0) is None  # reported once
    answered = d.acked(_ack(3))
    assert answered is not None and answered.outcome is DepthOutcome.ACCEPTED and answered.reason is None


def test_a_link_lost_before_the_answer_is_not_confirmed_and_no_old_answer_is_taken_afterwards() -> None:
    d = DepthRequests(None)
    d.sent(4, 80.0, 0.0)
    lost = d.link_lost()
    assert lost is not None and lost.outcome is DepthOutcome.UNCONFIRMED
    assert lost.reason == "the probe link dropped before the probe answered"
    assert d.link_lost() is None
    assert d.acked(_ack(4)) is None  # sequence numbers of a dead session mean nothing now
    assert d.wanted_mm == 80.0  # asked again when the probe is back


def test_only_the_latest_request_is_shown_but_an_earlier_acceptance_is_what_a_refusal_falls_back_to() -> None:
    d = DepthRequests(None)
    d.sent(10, 70.0, 0.0)
    d.sent(11, 200.0, 0.1)
    assert d.acked(_ack(10)) is None  # superseded: the display shows the request for 200 mm
    assert d.current(0.2).outcome is DepthOutcome.PENDING  # type: ignore[union-attr]
    refused = d.acked(_ack(11, 1))
    assert refused is not None and refused.outcome is DepthOutcome.REFUSED
    assert d.wanted_mm == 70.0


def test_set_depth_refuses_a_value_that_is_not_a_positive_number_and_sends_nothing() -> None:
    client = ProbeClient("/nonexistent/probe")
    for bad in (math.nan, math.inf, -math.inf, 0.0, -10.0, 1000.001, 1e39):
        with pytest.raises(ValueError, match="positive number of millimetres up to 1000"):
            client.set_depth(bad)
    for wrong_type in (True, "70", None):
        with pytest.raises(ValueError, match="must be a number of millimetres"):
            client.set_depth(wrong_type)  # type: ignore[arg-type]
    assert client.status().depth_request is None
    with pytest.raises(ValueError):
        ProbeClient("/nonexistent/probe", depth_mm=math.nan)
    assert client.set_depth(1000).depth_mm == 1000.0  # the limit itself is a depth one may ask for


def test_a_request_while_the_link_is_down_is_not_confirmed_at_once_and_told_to_subscribers() -> None:
    client = ProbeClient("/nonexistent/probe", clock=lambda: 5.0)  # never started: the link is down
    seen: list[object] = []
    unsubscribe = client.subscribe(seen.append)
    got = client.set_depth(70)
    assert got == DepthRequest(
        70.0, DepthOutcome.UNCONFIRMED, 5.0, "the probe link is down: asked again at reconnect"
    )
    status = client.status()
    assert (status.depth_requested_mm, status.depth_pending, status.depth_refused) == (70.0, False, None)
    assert status.depth_unconfirmed == got.reason and status.frame_depth_mm is None
    assert seen == [got]
    unsubscribe()
    client.set_depth(80)
    assert seen == [got]
