"""Reviews due: meetings and reviews whose review date has passed, is today or falls this week.

The list shows initials and year group only, like the timeline. Enter
starts the review meeting of the highlighted family, or goes back into a
review already started, which then opens on the meeting screen with the
review's own steps.
"""

from __future__ import annotations

import logging

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from clinic_tui.domain.attendees import Mode
from clinic_tui.domain.checks import format_date, format_short_date
from clinic_tui.screens.meeting.dialogs import DIALOG_CSS, dialog_bindings
from clinic_tui.services.reviews import DueReview
from clinic_tui.store.errors import VaultError

log = logging.getLogger(__name__)

BUCKET_LABELS = {"overdue": "OVERDUE", "today": "Today", "this week": "Next 7 days", "later": "Later"}
KIND_LABELS = {"meeting": "first meeting", "review": "review"}


class ReviewModeDialog(ModalScreen[Mode | None]):
    """A choice of how the review meeting is held: in person, by video or on a group phone call."""

    BINDINGS = dialog_bindings("reviews.dialog_go", "reviews.dialog_close")
    DEFAULT_CSS = DIALOG_CSS.format(name="ReviewModeDialog")

    def __init__(self, family: str) -> None:
        super().__init__()
        self.family = family

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(f"Start the review with {self.family}", classes="title")
            yield OptionList(*[Option(mode.label.capitalize(), id=mode.value) for mode in Mode], id="review-mode")
            yield Static("Enter starts the review held this way. Escape goes back to the list.", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(Mode(str(event.option.id)))

    def action_go(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            self.dismiss(list(Mode)[option_list.highlighted])

    def action_close(self) -> None:
        self.dismiss(None)


class ReviewsScreen(Screen[None]):
    """The reviews that are overdue, due today or due this week, with the attendance change since each meeting."""

    BINDINGS = dialog_bindings("reviews.start", "reviews.refresh", "reviews.back")
    DEFAULT_CSS = """
    ReviewsScreen #reviews-intro { padding: 0 1; color: $text-muted; }
    ReviewsScreen #reviews-table { height: 1fr; }
    ReviewsScreen #review-detail { height: auto; min-height: 4; border-top: hkey $primary; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.due: list[DueReview] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(
            "Reviews whose date has passed, is today or falls in the next 7 days. Import fresh marks "
            "first, so that attendance since the meeting is up to date.",
            id="reviews-intro",
        )
        yield DataTable(id="reviews-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="review-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Reviews due"
        self.query_one(DataTable).add_columns("Due", "Review date", "Family", "Reviews the", "State")
        self.action_refresh()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        session = self.app.session
        if session is None:
            return
        today = self.app.clock.now().date()
        try:
            self.due = session.reviews.due(today)
        except VaultError as error:
            log.error("reading reviews due failed error=%s", error)
            self.notify(f"The reviews could not be read: {error}", severity="error")
            return

        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for item in self.due:
            state = "review started" if item.draft_review_id else "not started"
            table.add_row(
                Text(BUCKET_LABELS[item.bucket], style="bold" if item.bucket == "overdue" else ""),
                format_short_date(item.review_date),
                item.label,
                KIND_LABELS.get(item.kind, item.kind),
                state,
            )
        if self.due:
            table.move_cursor(row=min(row, len(self.due) - 1))
        self._show_detail()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _current(self) -> DueReview | None:
        row = self.query_one(DataTable).cursor_row
        return self.due[row] if 0 <= row < len(self.due) else None

    def _show_detail(self) -> None:
        detail = self.query_one("#review-detail", Static)
        item = self._current()
        if item is None:
            detail.update("No reviews are overdue, due today or due in the next 7 days.")
            return

        session = self.app.session
        try:
            reviewed = session.days.load_record(item.record_id)
            change = session.reviews.attendance_change(
                item.pupil_ids, reviewed.meeting_date, self.app.clock.now().date()
            )
        except (VaultError, KeyError, ValueError) as error:
            log.error("reading a record due for review failed record_id=%s error=%s", item.record_id, error)
            detail.update("This record could not be read. Check the log, then press F5 to try again.")
            return

        def rate(value) -> str:
            return "no marks yet" if value is None else f"{float(value):.1f}%"

        movement = "" if change.change is None else f", a change of {float(change.change):+.1f} points"
        actions = len(reviewed.actions)
        detail.update(
            f"{item.label}: {KIND_LABELS.get(item.kind, item.kind)} on {format_date(reviewed.meeting_date)}, "
            f"review due {format_date(item.review_date)}. {actions} action{'s' if actions != 1 else ''} to check.\n"
            f"Attendance {rate(change.before)} in the {change.weeks_before} school weeks before, "
            f"{rate(change.after)} in the {change.weeks_after} since{movement}.\n"
            + ("Enter goes back into the review already started." if item.draft_review_id else "Enter starts the review.")
        )

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_start_review()

    def action_start_review(self) -> None:
        item = self._current()
        if item is None:
            self.notify("No review is highlighted.", severity="warning")
            return
        if item.draft_review_id is not None:
            self._open(item.record_id, None)
            return

        def chosen(mode: Mode | None) -> None:
            if mode is not None:
                self._open(item.record_id, mode)

        self.app.push_screen(ReviewModeDialog(item.label), chosen)

    def _open(self, record_id: str, mode: Mode | None) -> None:
        from clinic_tui.screens.meeting import ReviewMeetingScreen

        reviews = self.app.session.reviews
        try:
            review = reviews.start_review(record_id) if mode is None else reviews.start_review(record_id, mode)
        except (VaultError, ValueError) as error:
            log.error("starting a review failed record_id=%s error=%s", record_id, error)
            self.notify(f"The review could not be started: {error}", severity="error")
            return
        self.app.push_screen(ReviewMeetingScreen(review.id, reviews.days.resume_step(review.id)))

    def action_back(self) -> None:
        self.dismiss()
