"""Developer tooling that is not the product: rig drivers, benchmarks, screenshot and UI-bench scripts."""
