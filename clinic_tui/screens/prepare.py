"""The preparing screen: candidate pupils with their flags, and named decisions to invite them.

The list shows initials and year group only, never names, because it can
be on screen in a school office. The decide dialog and the contact log are
about one family, so they show the family's names. The list only suggests:
no family is invited until a named person's decision is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, SelectionList, Static

from clinic_tui.domain.candidates import CandidateFilter, Flag
from clinic_tui.domain.checks import format_short_date
from clinic_tui.domain.timeline import year_label
from clinic_tui.screens.prepare_dialogs import (
    CloseInvitationDialog,
    CloseRequest,
    DecideDialog,
    DecideRequest,
    FamilyChoice,
    scope_provider,
    screen_bindings,
    suggested_reason,
)
from clinic_tui.services.prepare import CandidateRow, PrepareService
from clinic_tui.widgets.form_input import FormInput

# The flags a filter can require, in the order the panel lists them.
FILTER_FLAGS = (Flag.PERSISTENT, Flag.SEVERE, Flag.THRESHOLD, Flag.FALLING, Flag.EARLY_WARNING, Flag.SEN, Flag.SOCIAL_CARE)
_FLAG_FIELDS = {
    Flag.PERSISTENT: "persistent",
    Flag.SEVERE: "severe",
    Flag.THRESHOLD: "threshold",
    Flag.FALLING: "falling",
    Flag.EARLY_WARNING: "early_warning",
    Flag.SEN: "sen",
    Flag.SOCIAL_CARE: "social_care",
}
# Short labels that fit the filter panel; the legend and F1 help give the rest.
_FILTER_LABELS = {
    Flag.PERSISTENT: "persistent (10%+ missed)",
    Flag.SEVERE: "severe (50%+ missed)",
    Flag.THRESHOLD: "10+ unauthorised in 10 weeks",
    Flag.FALLING: "falling over 4 weeks",
    Flag.EARLY_WARNING: "early warning",
    Flag.SEN: "SEN support or EHC plan",
    Flag.SOCIAL_CARE: "CIN or CP plan",
}
LEGEND = "Flags: P persistent · S severe · T 10+ unauthorised in 10 weeks · F falling · W early warning · E SEN · C CIN/CP · L looked after"

ANY, NOT_INVITED, INVITED = "any", "not_invited", "invited"


class CandidateFilterPanel(VerticalScroll):
    """Flag boxes, a broken-weeks minimum, a year group and the invitation state."""

    DEFAULT_CSS = """
    CandidateFilterPanel { width: 36; border-left: vkey $primary; padding: 0 1; }
    CandidateFilterPanel .filter-title { text-style: bold; }
    CandidateFilterPanel SelectionList { height: auto; }
    CandidateFilterPanel Label { margin-top: 1; }
    """

    class Changed(Message):
        """The user changed a filter."""

    def compose(self) -> ComposeResult:
        yield Label("A pupil must meet every filter", classes="filter-title")
        yield SelectionList[str](
            *((f"{flag.value}  {_FILTER_LABELS[flag]}", flag.value) for flag in FILTER_FLAGS),
            id="filter-flags",
            compact=True,
        )
        yield Label("Broken weeks in the last 6, at least")
        yield FormInput(id="filter-broken", restrict=r"\d{0,1}", max_length=1, placeholder="any", compact=True)
        yield Label("Year group")
        yield Select[str]([], prompt="Any year group", id="filter-year", compact=True)
        yield Label("Invitation")
        yield Select[str](
            [("Invited or not", ANY), ("Not invited yet", NOT_INVITED), ("Invited", INVITED)],
            value=ANY,
            allow_blank=False,
            id="filter-invited",
            compact=True,
        )

    def set_year_groups(self, year_groups: Iterable[str]) -> None:
        select = self.query_one("#filter-year", Select)
        ordered = sorted(set(year_groups) - {""}, key=lambda year: (not year.isdigit(), int(year) if year.isdigit() else 0, year))
        with self.prevent(Select.Changed):
            select.set_options((f"Year {year}" if year.isdigit() else year_label(year), year) for year in ordered)

    @property
    def candidate_filter(self) -> CandidateFilter:
        ticked = set(self.query_one("#filter-flags", SelectionList).selected)
        flags = {_FLAG_FIELDS[flag]: flag.value in ticked for flag in FILTER_FLAGS}
        broken = self.query_one("#filter-broken", Input).value
        year = self.query_one("#filter-year", Select).value
        return CandidateFilter(
            **flags,
            broken_weeks_at_least=int(broken) if broken else None,
            year_groups=frozenset() if year is Select.NULL else frozenset({str(year)}),
        )

    @property
    def invited(self) -> str:
        return str(self.query_one("#filter-invited", Select).value)

    def clear(self) -> None:
        with self.prevent(SelectionList.SelectedChanged, Input.Changed, Select.Changed):
            self.query_one("#filter-flags", SelectionList).deselect_all()
            self.query_one("#filter-broken", Input).value = ""
            self.query_one("#filter-year", Select).clear()
            self.query_one("#filter-invited", Select).value = ANY

    @on(SelectionList.SelectedChanged)
    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self, event: Message) -> None:
        event.stop()
        self.post_message(self.Changed())


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _invitation_cell(row: CandidateRow) -> str:
    invitation = row.invitation
    if invitation is None:
        return "-"
    return f"{invitation.status.value} {invitation.decision.decided_on:%d/%m}"


def _rate_cell(row: CandidateRow) -> str:
    rate = row.candidate.measures.attendance_rate
    return "-" if rate is None else f"{rate}"


class PrepareScreen(Screen[None]):
    """Candidate pupils, lowest attendance first, with the keys to decide, contact, schedule and write."""

    BINDINGS = screen_bindings("prepare")
    COMMANDS = {scope_provider("prepare")}
    DEFAULT_CSS = """
    PrepareScreen #prepare-status { padding: 0 1; height: auto; }
    PrepareScreen #prepare-body { height: 1fr; }
    PrepareScreen #candidates { height: 1fr; }
    PrepareScreen CandidateFilterPanel { display: none; }
    PrepareScreen.-filters-open CandidateFilterPanel { display: block; }
    PrepareScreen #prepare-legend { padding: 0 1; color: $text-muted; height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[CandidateRow] = []
        self.shown: list[CandidateRow] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="prepare-status", markup=False)
        with Horizontal(id="prepare-body"):
            yield DataTable(id="candidates", cursor_type="row", zebra_stripes=True)
            yield CandidateFilterPanel(id="prepare-filters")
        yield Static(LEGEND, id="prepare-legend", markup=False)
        # The compact footer fits more of the screen's keys at 80 columns.
        yield Footer(compact=True)

    @property
    def prepare(self) -> PrepareService:
        session = self.app.session
        assert session is not None, "the preparing screen runs only while a vault is unlocked"
        return session.prepare

    @property
    def table(self) -> DataTable:
        return self.query_one("#candidates", DataTable)

    def on_mount(self) -> None:
        self.title = "Prepare a clinic day"
        self.sub_title = "suggestions only: a named person decides"
        table = self.table
        for label, right in (("Pupil", False), ("Att %", True), ("Unauth", True), ("Broken", True),
                             ("Flags", False), ("Siblings", True), ("Invitation", False)):  # fmt: skip
            table.add_column(Text(label, justify="right" if right else "left"))
        self.load(refresh=False)
        table.focus()

    def on_screen_resume(self) -> None:
        if self.app.session is not None:
            self.load(refresh=False)

    # -- data --------------------------------------------------------------------

    def load(self, refresh: bool) -> None:
        """Read the candidates (measures are computed once per session unless ``refresh``) and redraw."""
        if refresh:
            self.prepare.attendance.rows(refresh=True)
        self.rows = self.prepare.candidates()
        self.query_one(CandidateFilterPanel).set_year_groups(row.candidate.pupil.year_group for row in self.rows)
        self.apply_filters()

    def apply_filters(self) -> None:
        panel = self.query_one(CandidateFilterPanel)
        chosen = panel.candidate_filter
        invited = panel.invited
        shown = [
            row
            for row in self.rows
            if chosen.matches(row.candidate.pupil, row.candidate.measures, row.candidate.flags)
            and (invited == ANY or (row.invitation is not None) == (invited == INVITED))
        ]
        self._show(shown)
        self._show_status(chosen, invited)

    def _show(self, shown: list[CandidateRow]) -> None:
        table = self.table
        keep = self.highlighted.pupil_id if self.highlighted else None
        table.clear()
        for row in shown:
            measures = row.candidate.measures
            siblings = len(row.family) - 1
            table.add_row(
                row.label,
                Text(_rate_cell(row), justify="right"),
                Text(str(measures.unauthorised), justify="right"),
                Text(str(measures.broken_weeks_recent), justify="right"),
                "".join(flag.value for flag in row.candidate.flags) or "-",
                Text(str(siblings) if siblings else "-", justify="right"),
                _invitation_cell(row),
                key=row.pupil_id,
            )
        self.shown = shown
        ids = [row.pupil_id for row in shown]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))

    def _show_status(self, chosen: CandidateFilter, invited: str) -> None:
        open_invitations = {row.invitation.id for row in self.rows if row.invitation is not None}
        waiting = len(self.prepare.scheduling.waiting())
        active = [flag.value for flag in FILTER_FLAGS if getattr(chosen, _FLAG_FIELDS[flag])]
        if chosen.broken_weeks_at_least is not None:
            active.append(f"{chosen.broken_weeks_at_least}+ broken weeks")
        active.extend(f"year {year}" for year in chosen.year_groups)
        if invited != ANY:
            active.append("invited" if invited == INVITED else "not invited yet")
        filters = f"; filters: {', '.join(active)}" if active else ""
        self.query_one("#prepare-status", Static).update(
            f"Showing {len(self.shown):,} of {len(self.rows):,} pupils, lowest attendance first{filters}. "
            f"{_count(len(open_invitations), 'family', 'families')} invited, {waiting} waiting for a slot."
        )

    @on(CandidateFilterPanel.Changed)
    def _filters_changed(self) -> None:
        self.apply_filters()

    @property
    def highlighted(self) -> CandidateRow | None:
        row = self.table.cursor_row
        if not self.shown or not 0 <= row < len(self.shown):
            return None
        return self.shown[row]

    def _require_row(self) -> CandidateRow | None:
        row = self.highlighted
        if row is None:
            self.notify("No pupil is highlighted. Clear the filters with X to see every pupil.", severity="warning")
        return row

    # -- actions -------------------------------------------------------------------

    def action_decide(self) -> None:
        row = self._require_row()
        if row is None:
            return
        if row.invitation is not None:
            self.notify(
                f"{row.label} already has an invitation decided on "
                f"{format_short_date(row.invitation.decision.decided_on)}. Press W to withdraw it first.",
                title="Already invited",
                severity="warning",
            )
            return

        pupils = self.prepare.pupils()
        choices = []
        for pupil_id in row.family:
            pupil = pupils[pupil_id]
            relation = "" if pupil_id == row.pupil_id else ", sibling"
            choices.append(FamilyChoice(pupil_id, f"{pupil.display_name} ({year_label(pupil.year_group)}{relation})"))
        subject = (
            "Siblings share a parent's or carer's telephone or email, so they are offered together. "
            "Untick a pupil to leave them out."
            if len(choices) > 1
            else "The decision is recorded with the invitation and shown in the chronology."
        )

        prepare = self.prepare

        def apply(request: DecideRequest) -> object:
            return prepare.decide(request.pupil_ids, request.decision)

        dialog = DecideDialog(
            subject, choices, apply, self.app.clock.now().date(), suggested_reason(row.candidate.flags)
        )
        self.app.push_screen(dialog, self._after_dialog("Invitation recorded"))

    def action_close_invitation(self) -> None:
        row = self._require_row()
        if row is None:
            return
        if row.invitation is None:
            self.notify(f"{row.label} has no open invitation to withdraw.", severity="warning")
            return
        invitation = row.invitation
        prepare = self.prepare

        def apply(request: CloseRequest) -> object:
            return prepare.close_invitation(invitation.id, request.status)

        subject = f"The invitation for {prepare.label(invitation.pupil_ids)}, decided on {format_short_date(invitation.decision.decided_on)}."
        dialog = CloseInvitationDialog("Close the invitation", subject, apply)
        self.app.push_screen(dialog, self._after_dialog("Invitation closed"))

    def _after_dialog(self, title: str) -> Callable[[object], None]:
        def finished(result: object) -> None:
            if result is None:
                return
            self.load(refresh=False)
            pupil_ids = getattr(result, "pupil_ids", ())
            self.notify(f"Saved for {self.prepare.label(pupil_ids)}.", title=title, timeout=4)

        return finished

    def action_contacts(self) -> None:
        row = self._require_row()
        if row is None:
            return
        from clinic_tui.screens.contacts import ContactsScreen

        family = row.invitation.pupil_ids if row.invitation is not None else row.family
        self.app.push_screen(ContactsScreen(family))

    def action_chronology(self) -> None:
        row = self._require_row()
        if row is None:
            return
        from clinic_tui.screens.contacts import ChronologyScreen

        others = [pupil_id for pupil_id in row.family if pupil_id != row.pupil_id]
        self.app.push_screen(ChronologyScreen([row.pupil_id, *others]))

    def action_schedule(self) -> None:
        from clinic_tui.screens.schedule import ScheduleScreen

        self.app.push_screen(ScheduleScreen())

    def action_letters(self) -> None:
        from clinic_tui.screens.letters import LettersScreen

        self.app.push_screen(LettersScreen())

    def action_toggle_filters(self) -> None:
        opening = not self.has_class("-filters-open")
        self.set_class(opening, "-filters-open")
        if opening:
            self.query_one("#filter-flags", SelectionList).focus()
        else:
            self.table.focus()

    def action_clear_filters(self) -> None:
        self.query_one(CandidateFilterPanel).clear()
        self.apply_filters()

    def action_refresh(self) -> None:
        self.load(refresh=True)
        self.notify("Measures recomputed from the vault.", timeout=3)

    def action_back(self) -> None:
        if self.has_class("-filters-open"):
            self.action_toggle_filters()
        else:
            self.app.pop_screen()
