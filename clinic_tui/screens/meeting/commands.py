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

REVIEW_SCREEN_KEYS = tuple("review.back" if key == "meeting.back" else key for key in SCREEN_KEYS)
"""The same for a review, whose Escape goes back to the list of reviews."""


def key_label(key: str) -> str:
    """Return a key as the palette shows it, for example F9 or Escape."""
    return key.upper() if key.startswith("f") and key[1:].isdigit() else key.capitalize()


class MeetingCommands(Provider):
    """The meeting screen's key actions that apply right now, for the command palette."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        keymap = self.app.workspace.config.keymap
        is_review = getattr(screen, "is_review", False)
        screen_keys = REVIEW_SCREEN_KEYS if is_review else SCREEN_KEYS
        kind = "Review" if is_review else "Meeting"
        for action in keys.KEY_ACTIONS:
            if action.id not in screen_keys or not screen.check_action(action.action, ()):
                continue
            title = f"{kind}: {action.label} ({key_label(keys.key_for(action.id, keymap))})"
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
