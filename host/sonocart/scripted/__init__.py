"""Scripted procedure runs: a TOML script of inputs played through the cart, for demos, rigs and tests."""
