"""The form field that repaints instead of laying out the screen must still scroll and edit like an Input."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Input

from clinic_tui.widgets.form_input import FormInput

LONG = "The bus is often full on Mondays, so she waits for the next one and arrives late. "


class TwoFields(App[None]):
    def compose(self) -> ComposeResult:
        yield FormInput(id="form", compact=True)
        yield Input(id="plain", compact=True)


async def _type_and_move(app: TwoFields, pilot, field: Input) -> list[tuple[float, int, str]]:
    """Type a long text, move about in it and clear it, noting the scroll, cursor and value at each point."""
    field.focus()
    await pilot.pause()
    seen = []
    await pilot.press(*[("space" if char == " " else char) for char in LONG])
    seen.append((field.scroll_x, field.cursor_position, field.value))
    await pilot.press("home")
    seen.append((field.scroll_x, field.cursor_position, field.value))
    await pilot.press("end")
    seen.append((field.scroll_x, field.cursor_position, field.value))
    field.value = "Short"
    await pilot.pause()
    seen.append((field.scroll_x, field.cursor_position, field.value))
    await pilot.press("ctrl+u")
    seen.append((field.scroll_x, field.cursor_position, field.value))
    return seen


async def test_form_field_matches_textual_input():
    app = TwoFields()
    async with app.run_test(size=(60, 6)) as pilot:
        form = await _type_and_move(app, pilot, app.query_one("#form", Input))
        plain = await _type_and_move(app, pilot, app.query_one("#plain", Input))

    assert form == plain
    # The long text scrolled the field to its end, and Home brought it back to the start.
    assert form[0][0] > 0
    assert form[0][2] == LONG
    assert form[1][:2] == (0, 0)
    assert form[4] == (0, 0, "")


async def test_form_field_shows_end_of_long_text():
    app = TwoFields()
    async with app.run_test(size=(60, 6)) as pilot:
        field = app.query_one("#form", Input)
        field.focus()
        await pilot.press(*[("space" if char == " " else char) for char in LONG.rstrip()])
        await pilot.pause()
        line = field.render_line(0).text

    assert "arrives late." in line


async def test_tab_into_filled_field_keeps_text():
    app = TwoFields()
    async with app.run_test(size=(60, 6)) as pilot:
        form = app.query_one("#form", Input)
        form.value = "Bus pass renewed"
        app.query_one("#plain", Input).focus()
        await pilot.pause()
        await pilot.press("shift+tab", "x")
        await pilot.pause()
        value = form.value

    assert value == "Bus pass renewedx"
