"""Keys of the clinic day timeline and its dialogs, and their command palette entries.

Every key comes from the one list in ``clinic_tui.keys``, so the footer, the
F1 help, the palette and the user's keymap agree.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from clinic_tui import keys

DIALOG_KEY_IDS = ("day.dialog_save", "day.dialog_close")


def screen_key_actions() -> list[keys.KeyAction]:
    """Return the day screen's own key actions, leaving out the ones its dialogs use."""
    return [action for action in keys.KEY_ACTIONS if action.scope == "day" and action.id not in DIALOG_KEY_IDS]


def dialog_bindings(*binding_ids: str) -> list[Binding]:
    """Return the timeline dialog bindings with these ids."""
    unknown = set(binding_ids) - set(DIALOG_KEY_IDS)
    assert not unknown, f"not a timeline dialog key: {sorted(unknown)}"
    return [action.binding() for action in keys.KEY_ACTIONS if action.id in binding_ids]


def key_display(binding_id: str, keymap: dict[str, str]) -> str:
    """Return the key bound to ``binding_id`` as a user reads it, such as "D" or "Ctrl+D"."""
    key = keys.key_for(binding_id, keymap)
    return "+".join(part.upper() if len(part) == 1 else part.capitalize() for part in key.split("+"))


class DayCommands(Provider):
    """Command palette entries for every key of the timeline."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        keymap = self.app.workspace.config.keymap  # type: ignore[attr-defined]
        return [
            (
                f"Timeline: {action.label}",
                f"{action.help} Key: {key_display(action.id, keymap)}.",
                getattr(screen, f"action_{action.action}"),
            )
            for action in screen_key_actions()
        ]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
