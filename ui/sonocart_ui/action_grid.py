"""The action grid: a step's buttons (BigButton, widgets.py) in columns as wide as their longest word
allows, or only some rows of them (the live column's pages, show_rows). Its kv rule is in widgets.kv,
which widgets.py loads after importing this module (the rule names the class through Kivy's Factory:
the class is registered when this module is imported)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from kivy.properties import NumericProperty
from kivy.uix.gridlayout import GridLayout

from sonocart_ui.viewmodels.step_form import Action

if TYPE_CHECKING:
    from sonocart_ui.widgets import BigButton


class ActionGrid(GridLayout):  # type: ignore[misc]
    """Buttons for a tuple of actions; rebuilt only when the actions change (text re-rendering is costly).

    ``buttons`` holds them all, in the actions' order. The grid shows them all in its columns, or (the
    live column's pages, show_rows) only some rows of them, each row's buttons side by side in equal
    shares of its width: ``children`` are the buttons shown, ``button(key)`` finds any of them."""

    min_button_mm = NumericProperty(36.0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._shown: Sequence[Action] = ()
        self.buttons: list[BigButton] = []
        #: the rows shown (places in ``buttons``), top first; None: every button in the grid's columns
        self._page_rows: tuple[tuple[int, ...], ...] | None = None
        self._heights: dict[tuple[int, float], float] = {}  # a button's height at a width (rows_height)
        self._widths: dict[int, float] = {}  # a button's label on one line (one_line)
        self.on_action: Callable[[str], None] | None = None
        self.bind(width=lambda *_: self._columns())

    def _columns(self) -> None:
        from kivy.app import App

        theme = App.get_running_app().theme
        cols = max(1, int(self.width // max(1.0, theme.mm(self.min_button_mm))))
        # fewer, wider columns when a label's longest word would not fit a button: Kivy breaks a word
        # wider than its line mid-word ("Dexamethaso/ne"), which misreads a drug name
        word = max((_word_width(b.text, b.font_size, b.bold) for b in self.buttons), default=0.0)
        while cols > 1 and self._share(cols) < word + theme.gap * 2 + 2:
            cols -= 1
        self.cols = cols

    def _share(self, n: int) -> float:
        """The width of each of ``n`` buttons side by side across the grid (its spacing between them)."""
        spacing = float(self.spacing[0]) if isinstance(self.spacing, list | tuple) else float(self.spacing)
        left, _top, right, _bottom = (float(v) for v in self.padding)
        return (float(self.width) - left - right - spacing * (n - 1)) / n

    def show(self, actions: Sequence[Action]) -> None:
        if tuple(actions) == tuple(self._shown):
            return
        self._shown = tuple(actions)
        self.clear_widgets()
        self.buttons, self._page_rows = [], None
        self._heights.clear()
        self._widths.clear()
        from sonocart_ui.widgets import BigButton  # (widgets.py imports this module first)

        for a in actions:
            label = ("[!] " if a.unsafe else "[X] " if a.selected else "") + a.label
            b = BigButton(text=label, selected=a.selected, primary=a.primary, unsafe=a.unsafe, key=a.key)
            b.bind(on_release=self._pressed, texture_size=_grow)
            self.buttons.append(b)
            self.add_widget(b)
        self._columns()

    def grid_rows(self) -> list[tuple[int, ...]]:
        """The rows of the grid's own columns (every button shown in them), top first."""
        cols = max(1, int(self.cols or 1))
        n = len(self.buttons)
        return [tuple(range(a, min(a + cols, n))) for a in range(0, n, cols)]

    def one_line(self, place: int, n: int) -> bool:
        """Whether button ``place``'s label fits whole on one line in a button of ``n`` side by side (its
        width kept until the actions change)."""
        from kivy.app import App

        b = self.buttons[place]
        if place not in self._widths:
            self._widths[place] = _line_width(b.text, b.font_size, b.bold)
        gap = float(App.get_running_app().theme.gap)
        return self._widths[place] + gap * 2 + 2 <= self._share(n)

    def rows_height(self, rows: Sequence[Sequence[int]]) -> float:
        """The height ``rows`` of buttons take (as show_rows lays them out, or the grid's columns do): each
        row as tall as its tallest button at its share of the width, the grid's spacing between rows."""
        spacing = float(self.spacing[1]) if isinstance(self.spacing, list | tuple) else float(self.spacing)
        heights = [max(self._height_at(i, self._share(len(r))) for i in r) for r in rows if r]
        return sum(heights) + spacing * max(0, len(heights) - 1)

    def _height_at(self, place: int, width: float) -> float:
        """Button ``place``'s height at ``width`` (grow: its label wrapped at its width less its margins),
        kept until the actions change (the live column is laid out 4 times a second)."""
        from kivy.app import App
        from kivy.core.text import Label as CoreLabel

        known = self._heights.get((place, width))
        if known is not None:
            return known
        button, theme = self.buttons[place], App.get_running_app().theme
        core = CoreLabel(
            text=button.text,
            font_size=button.font_size,
            bold=button.bold,
            halign=button.halign,
            text_size=(max(1.0, width - theme.gap * 2), None),
        )
        core.refresh()
        height = max(float(theme.target), float(core.content_height) + float(theme.gap) * 2)
        self._heights[(place, width)] = height
        return height

    def show_rows(self, rows: Sequence[Sequence[int]] | None) -> None:
        """Show only ``rows`` of the buttons (places in ``buttons``), top first; None: all of them in the
        grid's columns. The buttons not shown leave the tree (nothing to touch) and stay in ``buttons``."""
        key = None if rows is None else tuple(tuple(r) for r in rows)
        if key == self._page_rows and (key is not None or len(self.children) == len(self.buttons)):
            return
        self._page_rows = key
        self.clear_widgets()
        for b in self.buttons if key is None else [self.buttons[i] for r in key for i in r]:
            self.add_widget(b)
        self._trigger_layout()

    def do_layout(self, *args: object) -> None:
        if self._page_rows is None:
            super().do_layout(*args)
            return
        # some rows: each row's buttons side by side in equal shares, tops aligned, top row first
        spacing = self.spacing if isinstance(self.spacing, list | tuple) else (self.spacing, self.spacing)
        left, top, _right, bottom = (float(v) for v in self.padding)
        y = float(self.top) - top
        for row in self._page_rows:
            share = self._share(len(row))
            buttons = [self.buttons[i] for i in row]
            for k, b in enumerate(buttons):
                b.width = share
                b.pos = (float(self.x) + left + k * (share + float(spacing[0])), y - float(b.height))
            y -= max(float(b.height) for b in buttons) + float(spacing[1])
        used = float(self.top) - y - (float(spacing[1]) if self._page_rows else 0.0) + bottom
        self.minimum_height = used

    def _pressed(self, button: BigButton) -> None:
        if self.on_action is not None:
            self.on_action(button.key)

    def button(self, key: str) -> BigButton | None:
        """The button that sends ``key``, shown or not (not on the live column's page: out of the tree)."""
        return next((b for b in self.buttons if b.key == key), None)


def _line_width(text: str, font_size: float, bold: bool) -> float:
    """Width in px of ``text`` laid out on one line as a button draws it."""
    from kivy.core.text import Label as CoreLabel

    core = CoreLabel(text=text, font_size=font_size, bold=bold)
    core.refresh()
    return float(core.content_width)


def _word_width(text: str, font_size: float, bold: bool) -> float:
    """Width in px of the widest word of ``text`` as a button draws it."""
    from kivy.core.text import Label as CoreLabel

    widest = 0.0
    for word in set(text.split()):
        core = CoreLabel(text=word, font_size=font_size, bold=bold)
        core.refresh()
        widest = max(widest, float(core.content_width))
    return widest


def _grow(button: BigButton, size: tuple[float, float]) -> None:
    """A grid's button is at least one touch target tall, taller when its label wraps."""
    from kivy.app import App

    theme = App.get_running_app().theme
    button.height = max(theme.target, size[1] + theme.gap * 2)
