"""Property: whatever a touch, pedal or script input holds, the engine journals it or refuses it in one
line (journaled), and nothing non-finite, mistyped or unprintable reaches the record."""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sonocart.clock import ManualClock
from sonocart.procedures import inputs as I
from sonocart.procedures.checks import InputRejected
from sonocart.records.record import ProcedureRecord

NewRecord = Callable[..., ProcedureRecord]

hostile_text = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "  ", "dr_ana", "\x00", "a\u202eb", "x" * 5000, "no", "true", "é", "e\u0301"]),
)
hostile_number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.sampled_from(["3", "no", None]),
)
leaf = st.one_of(hostile_text, hostile_number)
nested = st.recursive(
    leaf,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.dictionaries(
            st.sampled_from(["drug", "percent", "epinephrine", "held", "value", "id", "x"]), kids, max_size=4
        ),
    ),
    max_leaves=12,
)
ids = st.one_of(
    st.sampled_from(["consent", "weight_kg", "side", "team", "medications", "pain"]), hostile_text
)


def _inputs() -> st.SearchStrategy[Any]:
    op = st.one_of(st.just("dr_ana"), st.just("rn_bo"), hostile_text)
    return st.one_of(
        st.builds(I.Answer, ids, nested, op),
        st.builds(I.Confirm, ids, op, st.one_of(st.none(), hostile_text)),
        st.builds(I.Override, ids, hostile_text, op),
        st.builds(I.AcknowledgeTop, op, st.one_of(st.none(), hostile_text)),
        st.builds(I.Aspirate, st.sampled_from(["negative", "positive", "no", "\x07"]), op),
        st.builds(
            I.LogAliquot, hostile_number, op, st.none(), st.just("touch"), st.one_of(st.none(), hostile_text)
        ),
        st.builds(I.TestDose, hostile_number, op),
        st.builds(I.Note, hostile_text, op),
        st.builds(I.RecordOutcome, hostile_text, hostile_number, op, st.one_of(st.none(), hostile_number)),
        st.builds(
            I.LastAction, ids, op, st.dictionaries(st.sampled_from(["weight_kg", "x"]), leaf, max_size=2)
        ),
    )


def _clean(value: Any, where: str) -> None:
    """The oracle: finite numbers and printable text all the way down (written without the validator)."""
    if isinstance(value, float):
        assert math.isfinite(value), f"{where} holds {value}"
    elif isinstance(value, str):
        bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") and c != "\n"]
        assert not bad, f"{where} holds control/bidi characters {bad!r}"
    elif isinstance(value, dict):
        for k, v in value.items():
            _clean(k, where)
            _clean(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _clean(v, f"{where}[{i}]")


@pytest.fixture()
def record(new_record: NewRecord) -> Iterator[ProcedureRecord]:
    yield new_record()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inp=_inputs())
def test_any_input_is_journaled_or_refused_in_one_line_and_the_record_stays_clean(
    record: ProcedureRecord, clock: ManualClock, inp: Any
) -> None:
    before = record.engine.state.last_seq
    try:
        record.engine.submit(inp)
    except InputRejected as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 400
        last = list(record.journal.events())[-1]
        op = inp.operator
        if (
            isinstance(op, str) and op.strip() and op.strip().isprintable()
        ):  # else: no one to journal it under
            assert last.seq > before and last.type == "input_rejected"
        else:
            assert last.seq == before
    clock.advance(1.0)
    for ev in record.journal.events():
        if ev.seq > before:
            _clean(ev.payload, ev.type)
            _clean(ev.operator, "operator")


def test_epinephrine_given_as_text_is_refused_not_read_as_true(record: ProcedureRecord) -> None:
    from sonocart.validation.inputs import checked_input
    from sonocart.validation.values import Refused

    syringes = [
        {
            "id": "A",
            "labelled": True,
            "contents": [{"drug": "lidocaine", "percent": 1.0, "epinephrine": "no"}],
        }
    ]
    with pytest.raises(Refused, match="epinephrine must be true or false"):
        checked_input(I.Answer("medications", syringes, "dr_ana"))
    assert dataclasses.asdict(checked_input(I.Note("  e\u0301  ", "dr_ana")))["text"] == "\u00e9"
