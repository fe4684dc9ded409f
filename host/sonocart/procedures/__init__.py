"""Procedure engine: the cited catalogue, a clock-injected state machine over it, prompts and dose rules.

Never imports Kivy: the UI, the pedal and scripts all drive it through :meth:`Engine.submit`.
"""
