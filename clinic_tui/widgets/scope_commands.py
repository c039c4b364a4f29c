"""Command palette entries for a screen's key bindings, so each action can be found by name.

A screen sets ``COMMANDS = {scope_commands("pupils")}``. The palette then
lists every KeyAction of that scope with the key the user's keymap gives it.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from clinic_tui import keys


def scope_commands(scope: str) -> type[Provider]:
    """Build a command palette provider for the KeyActions of ``scope``."""

    class ScopeCommands(Provider):
        def _entries(self) -> list[tuple[str, str, object]]:
            keymap = self.app.workspace.config.keymap  # type: ignore[attr-defined]
            screen = self.screen
            entries = []
            for action in keys.KEY_ACTIONS:
                if action.scope != scope:
                    continue
                key = keys.key_for(action.id, keymap)
                entries.append((action.label, f"{action.help} Key: {key}.", partial(screen.run_action, action.action)))
            return entries

        async def discover(self) -> Hits:
            for label, help_text, command in self._entries():
                yield DiscoveryHit(label, command, help=help_text)  # type: ignore[arg-type]

        async def search(self, query: str) -> Hits:
            matcher = self.matcher(query)
            for label, help_text, command in self._entries():
                score = matcher.match(label)
                if score > 0:
                    yield Hit(score, matcher.highlight(label), command, help=help_text)  # type: ignore[arg-type]

    ScopeCommands.__name__ = f"ScopeCommands[{scope}]"
    return ScopeCommands
