"""Tooling that is not the product: test harnesses, rig drivers, benchmarks (never shipped)."""
