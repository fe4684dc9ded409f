"""Where the live screen puts the top prompt (when the nav bar's band cannot hold it) and why the step is
held: beside the image when the whole text fits in the column above its fixed parts, else in a band across
the image's width (the image gives way by that band alone). A mixin of
:class:`sonocart_ui.screens.live.LiveScreen`, which owns the image and the column's widgets."""

from __future__ import annotations

from typing import Any

from kivy.app import App


class PromptPlacement:
    """The prompt's and the held line's place on the live screen, from the column's room now."""

    ids: Any
    frozen: bool
    prompt_text: str
    prompt_action: str
    prompt_shown: str
    prompt_beside: bool
    beside_height: float
    held_across: str
    held_colour: list[float]
    step_panel_box: Any
    _placed_text: str
    _place_trigger: Any

    @property
    def step_panel(self) -> Any:
        """The step form's panel (text, detail and the step's other buttons)."""
        return self.step_panel_box.ids.panel

    def on_prompt_text(self, *_: object) -> None:
        self._prompt_words()

    def on_prompt_action(self, *_: object) -> None:
        self._prompt_words()

    def on_frozen(self, *_: object) -> None:
        self._place_trigger()

    def _prompt_words(self) -> None:
        act = f"  {self.prompt_action}" if self.prompt_action else ""  # "· Tap to ...", kept together
        self.prompt_shown = f"{self.prompt_text}{act}" if self.prompt_text else ""
        self.place_prompt()

    @property
    def prompt_button(self) -> Any:
        """The prompt's button on screen now (in the column or across the image)."""
        return self.ids.prompt_beside if self.prompt_beside else self.ids.prompt

    def place_prompt(self) -> None:
        """Beside the image, under the step's header, when the whole text fits in the column above the
        fixed parts (the step's body gives way): the image keeps its stage. Otherwise across the image's
        width, above it: the image gives way by that band alone. Never cut, never scrolled. Why the step
        is held is placed first, by the same rule (under the step's body, else across the image)."""
        self._place_held()
        if not self.prompt_shown:
            self.prompt_beside = False
            self._placed_text = ""
            return
        beside = self.ids.prompt_beside
        beside.texture_update()  # its text laid out at the column's width now, shown or not
        theme = App.get_running_app().theme
        need = max(theme.target, beside.texture_size[1] + theme.gap)  # the button around its text
        room = self._room_beside()
        # A change of place resizes the image, and a resize ends a freeze: the room for the cine slider
        # is kept free while live, and a frozen screen keeps the prompt where it is.
        if self.frozen and self.prompt_shown == self._placed_text:
            fits = bool(self.prompt_beside)
        else:
            fits = need <= room - (0 if self.frozen else theme.target)
        self._placed_text = self.prompt_shown
        self.beside_height = max(need, room)
        self.prompt_beside = fits

    def _place_held(self) -> None:
        """Why the step is held: under the step's body when the column holds it whole there and leaves the
        body a touch target's height, else across the image (also while the imaging controls are in the
        column: the step panel is not shown, its hold still is)."""
        panel = self.step_panel
        here = True
        if panel.held:
            here = self.step_panel_box in self.ids.flex.children  # (weak proxies: never `is` them)
            if here:
                label = panel.ids.held
                label.texture_update()  # laid out at the column's width, shown or not
                theme = App.get_running_app().theme
                submit = panel.ids.submit.height + (theme.gap if panel.submit_label else 0)
                header = panel.ids.phase_title.height + panel.spacing + submit + theme.gap
                here = label.texture_size[1] <= self._column_room() - header - theme.target
        panel.held_here = here
        self.held_across = "" if here else panel.held
        self.held_colour = list(panel.held_colour)

    def _column_room(self) -> float:
        """The column's height less its fixed parts (caliper readout, cine slider, sterile strip)."""
        ids = self.ids
        column = ids.column
        fixed = ids.caliper.height + ids.cine.height + ids.strip.height
        spacing = column.spacing * (len(column.children) - 1) + column.padding[1] + column.padding[3]
        return float(column.height - fixed - spacing)

    def _room_beside(self) -> float:
        """The column's height left for the prompt: less the step's fixed header and every fixed part."""
        ids = self.ids
        header = 0.0
        if self.step_panel_box in ids.flex.children:  # (ids are weak proxies: never `is` them)
            panel = self.step_panel
            # fixed under its body: why the step is held and its closing action (0 high when neither)
            foot = panel.ids.foot
            header = panel.ids.phase_title.height + panel.spacing
            header += foot.height + (App.get_running_app().theme.gap if foot.height else 0)
        return self._column_room() - header
