"""Command palette entries for the meeting screen's keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from textual.command import DiscoveryHit, Hit, Hits, Provider

from clinic_tui import keys

SCREEN_KEYS = (
    "meeting.previous",
    "meeting.next",
    "meeting.steps",
    "meeting.add",
    "meeting.remove",
    "meeting.concern",
    "meeting.finalise",
    "meeting.addendum",
    "meeting.back",
)
"""The ids of the KeyActions bound on the meeting screen itself, not in its dialogs."""


def key_label(key: str) -> str:
    """Return a key as the palette shows it, for example F9 or Escape."""
    return key.upper() if key.startswith("f") and key[1:].isdigit() else key.capitalize()


class MeetingCommands(Provider):
    """The meeting screen's key actions that apply right now, for the command palette."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        keymap = self.app.workspace.config.keymap
        for action in keys.KEY_ACTIONS:
            if action.id not in SCREEN_KEYS or not screen.check_action(action.action, ()):
                continue
            title = f"Meeting: {action.label} ({key_label(keys.key_for(action.id, keymap))})"
            yield title, action.help, getattr(screen, f"action_{action.action}")

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(f"{title} {help_text}")
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, help=help_text)
