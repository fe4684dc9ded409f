"""The link-session shape both drivers share, on a manual clock: state machine, HELLO retry, silence,
and the order of the fault table (most basic problem first)."""

from __future__ import annotations

from sonocart.devices.link_session import FaultTexts, LinkSession, Schema, SessionState

TEXTS = FaultTexts(down="down", unidentified="who?", silent="quiet")


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _session(clock: Clock) -> LinkSession[str]:
    return LinkSession(clock, silent_after_s=1.5, hello_retry_s=0.5, texts=TEXTS)


def test_fault_names_the_most_basic_problem_first_and_device_rows_only_when_the_session_is_clear() -> None:
    clock = Clock()
    s = _session(clock)
    assert s.state is SessionState.DISCONNECTED
    assert s.fault("board fault") == "down"
    s.connected()
    assert (s.state, s.fault("board fault")) == (SessionState.HANDSHAKING, "who?")
    s.received(clock.t)
    s.identified("probe 1")
    assert (s.state, s.identity) == (SessionState.IDENTIFIED, "probe 1")
    assert s.fault() is None
    assert s.fault(None, "host lost", "board fault") == "host lost"
    clock.t += 1.6
    assert s.fault("host lost") == "quiet"
    s.received(clock.t)
    assert s.fault(None, None) is None
    s.disconnected()
    assert (s.state, s.identity, s.fault()) == (SessionState.DISCONNECTED, None, "down")


def test_a_refused_device_stays_refused_across_link_loss_until_the_next_connect() -> None:
    clock = Clock()
    s = _session(clock)
    s.connected()
    s.received(clock.t)
    assert s.refused("speaks v2") is True
    assert s.refused("speaks v2") is False  # the same refusal is reported once
    assert (s.state, s.identity, s.incompatible) == (SessionState.INCOMPATIBLE, None, "speaks v2")
    assert s.fault("board fault") == "speaks v2"
    s.disconnected()
    assert s.fault() == "speaks v2"  # a pulled cable does not hide why the device was refused
    s.connected()
    assert (s.incompatible, s.fault()) == (None, "who?")


def test_hello_is_repeated_only_while_handshaking_and_after_the_retry_gap() -> None:
    clock = Clock()
    s = _session(clock)
    assert not s.needs_hello(clock.t)  # no port, no HELLO
    s.connected()
    assert s.needs_hello(clock.t)  # never said HELLO
    s.hello_sent(clock.t)
    clock.t += 0.4
    assert not s.needs_hello(clock.t)
    assert s.hello_due(clock.t, 0.25)  # a driver may ask sooner for its own reasons
    clock.t += 0.2
    assert s.needs_hello(clock.t)
    s.identified("x")
    assert not s.needs_hello(clock.t)
    s.refused("v2")
    assert not s.needs_hello(clock.t)  # never pester a refused device


def test_silence_is_reported_once_per_silence_and_never_before_the_device_spoke() -> None:
    clock = Clock()
    s = _session(clock)
    s.connected()
    clock.t += 10
    assert not s.silence_began(clock.t)  # nothing ever received: not silent, not identified
    s.received(clock.t)
    clock.t += 1.5
    assert not s.silence_began(clock.t)  # exactly the limit is not past it
    clock.t += 0.01
    assert s.silence_began(clock.t)
    assert not s.silence_began(clock.t + 5)
    s.received(clock.t + 5)
    assert s.silence_began(clock.t + 6.6)


def test_schema_matches_only_the_same_version_and_table_hash() -> None:
    schema = Schema(1, 0x95A309D1)
    assert schema.matches(1, 0x95A309D1)
    assert not schema.matches(2, 0x95A309D1)
    assert not schema.matches(1, 0x95A309D0)
