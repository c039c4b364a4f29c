"""Every key binding of the app, in one place.

Each binding has an id (remappable in the ``[keymap]`` section of the config
file), a footer label and a help line for the F1 screen. Screens build their
``BINDINGS`` from here so the footer, F1 help and the keymap never disagree.

Essential actions use function keys or Ctrl+letter, never Ctrl+Enter or
Shift+Enter, which many terminals do not pass through.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class KeyAction:
    id: str
    key: str
    action: str
    label: str
    help: str
    scope: str
    show: bool = True
    priority: bool = False

    def binding(self) -> Binding:
        return Binding(
            self.key,
            self.action,
            self.label,
            show=self.show,
            priority=self.priority,
            id=self.id,
            tooltip=self.help,
        )


SCOPE_TITLES = {
    "app": "Everywhere",
    "profiles": "Choosing a profile",
    "unlock": "Unlocking",
    "home": "Home",
    "day": "Clinic day timeline",
    "meeting": "In a meeting",
    "pupils": "Pupil list",
    "pupil": "One pupil",
    "import": "Importing data",
}

KEY_ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("app.help", "f1", "help", "Help", "List every key and what it does.", "app", priority=True),
    KeyAction(
        "app.lock", "ctrl+l", "lock", "Lock",
        "Lock at once: hide everything on screen and ask for the passphrase.", "app", priority=True,
    ),
    KeyAction(
        "app.palette", "ctrl+p", "command_palette", "Commands",
        "Search the app's commands by name and run one.", "app", priority=True, show=False,
    ),
    KeyAction("app.theme", "f10", "cycle_theme", "Theme", "Switch to the next theme.", "app"),
    KeyAction(
        "app.quit", "ctrl+q", "quit", "Quit",
        "Save, lock the vault and leave the app.", "app", priority=True,
    ),
    KeyAction("profiles.open", "enter", "open_profile", "Open", "Unlock the highlighted profile.", "profiles"),
    KeyAction("profiles.new", "n", "new_profile", "New profile", "Create a profile for a new user of this laptop.", "profiles"),
    KeyAction("unlock.back", "escape", "back", "Profiles", "Go back to the list of profiles.", "unlock"),
    KeyAction("home.refresh", "f5", "refresh", "Refresh", "Read the vault again and redraw the home screen.", "home"),
    KeyAction("home.day", "d", "open_day", "Today", "Open today's clinic day timeline.", "home"),
    KeyAction("home.pupils", "p", "open_pupils", "Pupils", "List pupils with their attendance measures.", "home"),
    KeyAction("home.import", "i", "open_import", "Import", "Import a pupil list or attendance marks from the MIS.", "home"),
)

_BY_ID = {action.id: action for action in KEY_ACTIONS}


def bindings(scope: str) -> list[Binding]:
    return [action.binding() for action in KEY_ACTIONS if action.scope == scope]


def key_for(binding_id: str, keymap: dict[str, str]) -> str:
    """Return the key currently bound to ``binding_id`` after the user's keymap."""
    return keymap.get(binding_id, _BY_ID[binding_id].key)


def unknown_ids(keymap: dict[str, str]) -> list[str]:
    return [binding_id for binding_id in keymap if binding_id not in _BY_ID]
