"""The validation boundary sits below every layer that calls it: it imports none of them."""

from __future__ import annotations

from tests.test_layering import HOST, _offenders

ABOVE = (
    "sonocart.devices",
    "sonocart.cart",
    "sonocart.procedures",
    "sonocart.records",
    "sonocart.journal",
    "sonocart.scripted",
    "sonocart.commands",
)


def test_the_validation_package_imports_no_layer_above_it() -> None:
    assert _offenders(HOST / "validation", ABOVE) == []
