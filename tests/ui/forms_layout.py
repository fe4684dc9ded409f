"""Measuring the forms from the widget tree, as a ruler on the glass would: the keypads (each key's label
and where it is drawn, the value above them), each text field with the labels near it, and the forms'
closing buttons against the nav bar. Used by the UI scenarios; tests/ui/forms_checks.py asserts on it."""

from __future__ import annotations

from typing import Any

from tests.ui.layout import _scroll_of, visible_widgets, window_rect

#: The ids of the forms' closing buttons, per screen (the step panel's is ``submit``).
CLOSING = ("start_button", "create", "unlock", "document", "save_pacs", "submit")


def forms(app: Any) -> dict[str, Any]:
    from kivy.core.window import Window
    from kivy.uix.label import Label
    from kivy.uix.textinput import TextInput

    from sonocart_ui.widgets import Keypad

    shown = list(visible_widgets(Window))
    pads = []
    for pad in (w for w in shown if isinstance(w, Keypad)):
        keys = [b for b in pad.ids.pad_keys.children if b.opacity > 0 and not b.disabled]
        value = pad.ids.value
        pads.append(
            {
                "keys": [[b.text, window_rect(b)] for b in keys],
                "value": [value.text, window_rect(value), value.opacity > 0 and value.height > 0],
                "in_scroll": _scroll_of(pad) is not None,
            }
        )
    named = [w for w in shown if type(w).__name__.startswith("FieldLabel") and w.text.strip()]
    labels = [(w, window_rect(w)) for w in named]
    fields = []
    for field in (w for w in shown if isinstance(w, TextInput)):
        scroll = _scroll_of(field)
        fields.append(
            {
                "text": field.text,
                "rect": window_rect(field),
                "viewport": None if scroll is None else window_rect(scroll),
                "labels": [
                    [lab.text, rect, bool(getattr(lab, "is_shortened", False)), list(lab.texture_size)]
                    for lab, rect in labels
                ],
            }
        )
    screen = app.screens.current_screen
    ids = dict(screen.ids)
    if "panel" in ids:
        ids["submit"] = ids["panel"].ids.submit
    closing = [
        {
            "id": k,
            "text": ids[k].text,
            "rect": window_rect(ids[k]),
            "in_scroll": _scroll_of(ids[k]) is not None,
        }
        for k in CLOSING
        if k in ids and ids[k].opacity > 0 and ids[k].height > 0 and isinstance(ids[k], Label)
    ]
    return {
        "keypads": pads,
        "fields": fields,
        "closing": closing,
        "nav": window_rect(app.root.ids.nav),
        "window": [float(Window.width), float(Window.height)],
    }
