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
    "review": "In a review meeting",
    "reviews": "Reviews due",
    "pupils": "Pupil list",
    "pupil": "One pupil",
    "import": "Importing data",
    "sync": "Sync",
    "impact": "Impact report",
    "prepare": "Preparing a clinic day",
    "contacts": "Contact log and chronology",
    "schedule": "Scheduling",
    "letters": "Letters and records",
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
    KeyAction(
        "home.prepare", "r", "open_prepare", "Prepare",
        "Prepare clinic days: candidates, named decisions, the contact log, scheduling and letters.", "home",
    ),
    KeyAction(
        "home.reviews", "v", "open_reviews", "Reviews",
        "List reviews that are overdue, due today or due this week, and start one.", "home",
    ),
    KeyAction(
        "home.sync", "s", "open_sync", "Sync",
        "Open the sync screen: what waits to be synced, the last sync, and syncing to a folder.", "home",
    ),
    # The sync screen has no text input of its own; the folder dialog is a
    # modal screen whose Input takes printable keys first.
    KeyAction(
        "sync.run", "f2", "run_sync", "Sync to folder",
        "Ask for a folder (a USB stick or shared folder), seal what waits and sync through it.", "sync",
    ),
    KeyAction("sync.refresh", "f5", "refresh", "Refresh", "Count the records waiting, sent and acknowledged again.", "sync"),
    KeyAction("sync.back", "escape", "back", "Home", "Go back to the home screen, unless a sync is running.", "sync"),
    KeyAction(
        "sync.dialog_close", "escape", "close", "Cancel",
        "Close the folder dialog without syncing.", "sync", show=False,
    ),
    # The pupil list's plain letters reach the screen only when the search
    # box is not focused, because a focused Input takes printable keys first.
    # Priority, so the footer shows it over the table's own Enter. The screen
    # passes Enter on to the search box and the filter panel (check_action).
    KeyAction(
        "pupils.open", "enter", "open_pupil", "Open",
        "Open the highlighted pupil's register, measures and contacts.", "pupils", priority=True,
    ),
    KeyAction(
        "pupils.search", "ctrl+f", "focus_search", "Search",
        "Search by name or UPN, ignoring case and accents. Enter returns to the list.", "pupils", priority=True,
    ),
    KeyAction(
        "pupils.sort", "s", "cycle_sort", "Sort",
        "Sort by the next column: name, year, attendance, unauthorised sessions, broken weeks.", "pupils",
    ),
    KeyAction("pupils.reverse", "r", "reverse_sort", "Reverse", "Reverse the sort order.", "pupils"),
    KeyAction(
        "pupils.filters", "f", "toggle_filters", "Filters",
        "Show or hide the filters: persistent or severe absence, threshold, trend, early warning, year, SEN, CIN/CP.",
        "pupils",
    ),
    KeyAction("pupils.clear", "c", "clear_query", "Clear", "Clear the search and every filter.", "pupils"),
    KeyAction("pupils.refresh", "f5", "refresh", "Refresh", "Read the vault again and recompute every pupil's measures.", "pupils"),
    KeyAction(
        "pupils.back", "escape", "back", "Back",
        "Close the filters or leave the search box; otherwise go back to the home screen.", "pupils",
    ),
    KeyAction("pupil.back", "escape", "back", "Back", "Go back to the pupil list.", "pupil"),
    KeyAction(
        "pupil.overview", "o", "show_tab('overview')", "Overview",
        "Show the attendance measures, threshold window, weekday pattern and absence reasons.", "pupil",
    ),
    KeyAction("pupil.register", "g", "show_tab('register')", "Register", "Show the register grid of marks by week.", "pupil"),
    KeyAction("pupil.contacts", "c", "show_tab('contacts')", "Contacts", "Show the pupil's parents, carers and other contacts.", "pupil"),
    KeyAction("pupil.next", "n", "next_pupil", "Next", "Open the next pupil in the pupil list's order.", "pupil"),
    KeyAction("pupil.previous", "p", "previous_pupil", "Previous", "Open the previous pupil in the pupil list's order.", "pupil"),
    KeyAction(
        "import.dry_run", "f2", "dry_run", "Dry run",
        "Read the file's header row and show what each column is recognised as. Stores nothing.", "import",
    ),
    KeyAction(
        "import.run", "f3", "run_import", "Import",
        "Check the whole file and store it only if it has no errors.", "import",
    ),
    KeyAction("import.kind", "ctrl+t", "toggle_kind", "Kind", "Switch between a pupil list and attendance marks.", "import"),
    KeyAction("import.back", "escape", "back", "Back", "Go back to the home screen, unless an import is running.", "import"),
    # The day screen has no text input of its own, and its dialogs are modal
    # screens that take every key first, so plain letters are safe here.
    KeyAction(
        "day.open", "enter", "open_meeting", "Open",
        "Open the highlighted slot's meeting, starting the slot if it is planned.", "day", priority=True,
    ),
    # The footer shows keys in this order and cannot fit them all at 80
    # columns, so the keys used most during a clinic come first.
    KeyAction("day.finish", "f", "finish", "Finish", "Finish the meeting in progress.", "day"),
    KeyAction(
        "day.did_not_attend", "d", "did_not_attend", "DNA",
        "Record that the highlighted slot's family did not attend, the contact tried and a follow-up.", "day",
    ),
    KeyAction("day.skip", "s", "skip", "Skip", "Skip the highlighted planned slot. Asks for a reason.", "day"),
    KeyAction(
        "day.rearrange", "r", "rearrange", "Rearrange",
        "Move the highlighted slot's family to another date and time. The old slot keeps its history.", "day",
    ),
    KeyAction(
        "day.move_to", "t", "move_to", "Time",
        "Move the highlighted planned slot to another free time today. Asks for the time and a reason.", "day",
    ),
    KeyAction(
        "day.earlier", "e", "move_earlier", "Earlier",
        "Swap the highlighted planned slot with the planned slot before it.", "day",
    ),
    KeyAction(
        "day.later", "l", "move_later", "Later",
        "Swap the highlighted planned slot with the planned slot after it.", "day",
    ),
    KeyAction("day.history", "h", "history", "History", "Show every change to the highlighted slot.", "day"),
    KeyAction("day.follow_ups", "u", "follow_ups", "Follow-ups", "List the day's did-not-attend follow-ups.", "day"),
    KeyAction("day.back", "escape", "back", "Home", "Leave the timeline for the home screen.", "day"),
    KeyAction("day.dialog_save", "f2", "save", "Save", "Save the open timeline dialog.", "day"),
    KeyAction(
        "day.dialog_close", "escape", "close", "Close",
        "Close the open timeline dialog. Nothing typed in it is saved.", "day",
    ),
    # The meeting screen is full of text fields, so none of its keys is a
    # plain letter. F6 and F7 are priority keys because a focused TextArea
    # would otherwise take them for selecting text.
    KeyAction(
        "meeting.previous", "f7", "previous_step", "Previous",
        "Save and go to the previous step of the meeting.", "meeting", priority=True,
    ),
    KeyAction(
        "meeting.next", "f8", "next_step", "Next",
        "Save and go to the next step of the meeting.", "meeting", priority=True,
    ),
    KeyAction(
        "meeting.steps", "f3", "choose_step", "Steps",
        "List the meeting's steps with what each still needs, and go to one.", "meeting",
    ),
    KeyAction(
        "meeting.add", "f4", "add", "Add",
        "Add the attendee or action typed in the form on this step.", "meeting",
    ),
    KeyAction(
        "meeting.remove", "delete", "remove", "Remove",
        "Remove the highlighted attendee or action from the list.", "meeting",
    ),
    KeyAction(
        "meeting.concern", "f6", "raise_concern", "Concern",
        "Raise a safeguarding concern from any step, or record when the DSL was told.", "meeting", priority=True,
    ),
    KeyAction(
        "meeting.finalise", "f9", "finalise", "Finalise",
        "Finalise and lock the record, or list everything still missing.", "meeting",
    ),
    KeyAction(
        "meeting.addendum", "f5", "addendum", "Addendum",
        "Add a correction or addition to a finalised record, with the reason.", "meeting",
    ),
    KeyAction(
        "meeting.back", "escape", "back", "Day",
        "Save and go back to the clinic day timeline. The meeting stays open.", "meeting",
    ),
    KeyAction(
        "review.back", "escape", "back", "Reviews",
        "Save and go back to the list of reviews. The review stays open.", "review",
    ),
    KeyAction("meeting.dialog_save", "f2", "save", "Save", "Save the open meeting dialog.", "meeting"),
    KeyAction(
        "meeting.dialog_confirm", "f2", "confirm", "Finalise and lock",
        "In the finalise dialog: finalise and lock the record.", "meeting",
    ),
    KeyAction(
        "meeting.dialog_go", "enter", "go", "Go to step",
        "In a list of steps or missing items: go to the highlighted step.", "meeting",
    ),
    KeyAction(
        "meeting.dialog_close", "escape", "close", "Close",
        "Close the open meeting dialog. Nothing typed in it is saved.", "meeting",
    ),
    KeyAction(
        "reviews.start", "enter", "start_review", "Start review",
        "Start the review meeting of the highlighted family, or go back into one already started.", "reviews",
        priority=True,
    ),
    KeyAction("reviews.refresh", "f5", "refresh", "Refresh", "Read the reviews due again.", "reviews"),
    KeyAction("reviews.back", "escape", "back", "Home", "Go back to the home screen.", "reviews"),
    KeyAction(
        "reviews.dialog_go", "enter", "go", "Start",
        "In the choice of how the review is held: start the review that way.", "reviews", priority=True,
    ),
    KeyAction("reviews.dialog_close", "escape", "close", "Back", "Close the choice and go back to the list.", "reviews"),
    # The impact report app has no text input, so plain letters are safe.
    KeyAction(
        "impact.next", "n", "next_view", "Next view",
        "Show the next view: figures, summary, each breakdown, charts, methodology.", "impact",
    ),
    KeyAction("impact.previous", "p", "previous_view", "Previous view", "Show the previous view.", "impact"),
    # The preparing screens' plain letters reach the screen only when no text
    # box is focused, because a focused Input takes printable keys first.
    # Their dialogs are modal screens that take every key first.
    KeyAction(
        "prepare.decide", "d", "decide", "Decide",
        "Record a named person's decision to invite the highlighted pupil's family, with their role and reason.",
        "prepare",
    ),
    KeyAction(
        "prepare.contacts", "c", "contacts", "Contacts",
        "Open the contact log of the highlighted pupil's family, with the call script.", "prepare",
    ),
    KeyAction(
        "prepare.chronology", "h", "chronology", "Chronology",
        "Show the highlighted pupil's contacts, decisions, slots and meetings in date order.", "prepare",
    ),
    KeyAction("prepare.schedule", "s", "schedule", "Schedule", "Create clinic days and give invited families slots.", "prepare"),
    KeyAction("prepare.letters", "l", "letters", "Letters", "Preview and write letters and records for a clinic day.", "prepare"),
    KeyAction(
        "prepare.filters", "f", "toggle_filters", "Filters",
        "Show or hide the filters: flags, broken weeks, year group and invitation state.", "prepare",
    ),
    KeyAction("prepare.clear", "x", "clear_filters", "Clear", "Clear every filter.", "prepare"),
    KeyAction(
        "prepare.withdraw", "w", "close_invitation", "Withdraw",
        "Mark the highlighted pupil's open invitation as withdrawn by the school or declined by the family.",
        "prepare",
    ),
    KeyAction("prepare.refresh", "f5", "refresh", "Refresh", "Read the vault again and recompute the measures.", "prepare"),
    KeyAction(
        "prepare.back", "escape", "back", "Back",
        "Close the filters or leave a filter field; otherwise go back to the home screen.", "prepare",
    ),
    KeyAction("prepare.dialog_save", "f2", "save", "Save", "Save the open preparing dialog.", "prepare"),
    KeyAction(
        "prepare.dialog_close", "escape", "close", "Close",
        "Close the open preparing dialog. Nothing typed in it is saved.", "prepare",
    ),
    KeyAction("contacts.call", "c", "log_call", "Log call", "Log a phone call to this family, with the call script on screen.", "contacts"),
    KeyAction(
        "contacts.other", "o", "log_other", "Log other",
        "Log another contact with this family: a letter, text message, email or home visit.", "contacts",
    ),
    KeyAction(
        "contacts.chronology", "h", "chronology", "Chronology",
        "Show the chronology of this family's first pupil: contacts, decisions, slots and meetings in date order.",
        "contacts",
    ),
    KeyAction(
        "contacts.next_pupil", "n", "next_pupil", "Next pupil",
        "In the chronology: show the next pupil of the family.", "contacts",
    ),
    KeyAction("contacts.back", "escape", "back", "Back", "Go back to the screen before.", "contacts"),
    KeyAction("contacts.dialog_save", "f2", "save", "Save", "Save the contact in the open dialog.", "contacts"),
    KeyAction(
        "contacts.dialog_close", "escape", "close", "Close",
        "Close the open contact dialog. Nothing typed in it is saved.", "contacts",
    ),
    KeyAction(
        "schedule.new_day", "n", "new_day", "New day",
        "Create a clinic day: date, start time, slot length, room and school.", "schedule",
    ),
    KeyAction(
        "schedule.assign", "a", "assign", "Assign",
        "Give the highlighted invited family a slot on this day, with the mode, time and attendees.", "schedule",
    ),
    KeyAction("schedule.previous_day", "left_square_bracket", "previous_day", "Previous day", "Show the clinic day before this one.", "schedule"),
    KeyAction("schedule.next_day", "right_square_bracket", "next_day", "Next day", "Show the clinic day after this one.", "schedule"),
    KeyAction("schedule.letters", "l", "letters", "Letters", "Preview and write letters for this clinic day.", "schedule"),
    KeyAction("schedule.timeline", "t", "timeline", "Timeline", "Open this clinic day's timeline.", "schedule"),
    KeyAction("schedule.back", "escape", "back", "Back", "Go back to the screen before.", "schedule"),
    KeyAction("schedule.dialog_save", "f2", "save", "Save", "Save the open scheduling dialog.", "schedule"),
    KeyAction(
        "schedule.dialog_close", "escape", "close", "Close",
        "Close the open scheduling dialog. Nothing typed in it is saved.", "schedule",
    ),
    KeyAction(
        "letters.write", "f2", "write", "Write",
        "Write every letter of this kind for the day as PDF and DOCX into the folder, and log each letter.",
        "letters",
    ),
    KeyAction(
        "letters.kind", "k", "next_kind", "Kind",
        "Switch to the next letter kind: invitation, rearranged, did not attend, meeting summary.", "letters",
    ),
    KeyAction("letters.large_print", "g", "toggle_large_print", "Large print", "Switch large print on or off.", "letters"),
    KeyAction("letters.folder", "o", "focus_folder", "Folder", "Type the folder the files are written to.", "letters"),
    KeyAction(
        "letters.record", "r", "export_record", "Record",
        "Choose one of the day's finalised meeting records and write it as PDF and DOCX into the folder.", "letters",
    ),
    KeyAction(
        "letters.summary", "u", "day_summary", "Summary",
        "Write the day's anonymised, counts-only summary as PDF and DOCX into the folder.", "letters",
    ),
    KeyAction("letters.previous_day", "left_square_bracket", "previous_day", "Previous day", "Show the clinic day before this one.", "letters"),
    KeyAction("letters.next_day", "right_square_bracket", "next_day", "Next day", "Show the clinic day after this one.", "letters"),
    KeyAction(
        "letters.back", "escape", "back", "Back",
        "Leave the folder box; otherwise go back to the screen before.", "letters",
    ),
    KeyAction("letters.dialog_go", "enter", "go", "Write", "In the list of records: write the highlighted record.", "letters"),
    KeyAction("letters.dialog_close", "escape", "close", "Close", "Close the list of records without writing.", "letters"),
)

_BY_ID = {action.id: action for action in KEY_ACTIONS}


def bindings(scope: str) -> list[Binding]:
    return [action.binding() for action in KEY_ACTIONS if action.scope == scope]


def key_for(binding_id: str, keymap: dict[str, str]) -> str:
    """Return the key currently bound to ``binding_id`` after the user's keymap."""
    return keymap.get(binding_id, _BY_ID[binding_id].key)


def unknown_ids(keymap: dict[str, str]) -> list[str]:
    return [binding_id for binding_id in keymap if binding_id not in _BY_ID]
