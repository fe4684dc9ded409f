"""Sign-out.

The current step of this phase as big buttons; the logic is in viewmodels/step_form.py.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from sonocart_ui.screens.checklist import StepScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class SignOutScreen(StepScreen):
    pass
