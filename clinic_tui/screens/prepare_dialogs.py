"""Shared parts of the preparing screens: their keys, command palette entries and form dialogs.

The dialogs here are the base form dialog, deciding an invitation and
closing one.

A dialog reads its fields into a request and passes it to the ``apply``
function the screen gave it. When a field or the service rejects the
request, the dialog stays open with everything typed, shows the reason
under the fields and sends it as a notification. On success it dismisses
with whatever ``apply`` returned.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Select, SelectionList, Static

from clinic_tui import keys
from clinic_tui.domain.candidates import Flag
from clinic_tui.domain.checks import InvalidValue
from clinic_tui.domain.prepare import Decision, InvitationReason, InvitationStatus
from clinic_tui.screens.day_dialogs import error_sentence, parse_date
from clinic_tui.widgets.form_input import FormInput

log = logging.getLogger(__name__)

RequestT = TypeVar("RequestT")

# The reason offered first for a pupil's flags, most serious first. The
# person deciding can choose any other reason.
_SUGGESTED_REASONS = (
    (Flag.SEVERE, InvitationReason.SEVERE_ABSENCE),
    (Flag.THRESHOLD, InvitationReason.PENALTY_THRESHOLD),
    (Flag.PERSISTENT, InvitationReason.PERSISTENT_ABSENCE),
    (Flag.FALLING, InvitationReason.FALLING_TREND),
    (Flag.EARLY_WARNING, InvitationReason.EARLY_WARNING),
)


def form_bindings(scope: str) -> list[Binding]:
    """Return the save and close bindings of ``scope``'s dialogs, from the app's one list of keys."""
    binding_ids = (f"{scope}.dialog_save", f"{scope}.dialog_close")
    return [action.binding() for action in keys.KEY_ACTIONS if action.id in binding_ids]


def scope_provider(scope: str) -> type[Provider]:
    """Build a command palette provider for a screen's own keys, leaving out its dialogs' keys."""

    class ScopeKeys(Provider):
        def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
            keymap = self.app.workspace.config.keymap  # type: ignore[attr-defined]
            screen = self.screen
            commands = []
            for action in keys.KEY_ACTIONS:
                if action.scope != scope or not hasattr(screen, f"action_{action.action}"):
                    continue
                if action.binding() not in screen.BINDINGS:
                    continue
                key = keys.key_for(action.id, keymap)
                commands.append(
                    (f"{keys.SCOPE_TITLES[scope]}: {action.label}", f"{action.help} Key: {key}.",
                     lambda name=action.action: screen.run_action(name))
                )  # fmt: skip
            return commands

        async def discover(self) -> Hits:
            for name, help_text, callback in self._commands():
                yield DiscoveryHit(name, callback, help=help_text)

        async def search(self, query: str) -> Hits:
            matcher = self.matcher(query)
            for name, help_text, callback in self._commands():
                score = matcher.match(name)
                if score > 0:
                    yield Hit(score, matcher.highlight(name), callback, help=help_text)

    ScopeKeys.__name__ = f"ScopeKeys[{scope}]"
    return ScopeKeys


def screen_bindings(scope: str) -> list[Binding]:
    """Return the bindings of ``scope`` that belong to the screen itself, not to its dialogs."""
    return [action.binding() for action in keys.KEY_ACTIONS if action.scope == scope and ".dialog_" not in action.id]


def suggested_reason(flags: Sequence[Flag]) -> InvitationReason | None:
    """Return the reason that matches the most serious of ``flags``, or None."""
    return next((reason for flag, reason in _SUGGESTED_REASONS if flag in flags), None)


class FormDialog(ModalScreen[Any], Generic[RequestT]):
    """A dialog that ends in a request. Subclasses set ``BINDINGS`` with ``form_bindings``."""

    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    FormDialog .title { text-style: bold; }
    FormDialog .subject { margin-bottom: 1; }
    FormDialog .field-label { margin-top: 1; }
    FormDialog #dialog-error { color: $text-error; text-style: bold; }
    FormDialog .hint { color: $text-muted; }
    FormDialog .warning { color: $text-warning; }
    """

    HINT = "Tab moves between fields. Enter in a text box or F2 saves. Escape closes without saving."

    def __init__(self, title: str, subject: str, apply: Callable[[RequestT], object]) -> None:
        super().__init__()
        self.dialog_title = title
        self.subject = subject
        self.apply = apply

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(Text(self.dialog_title), classes="title")
            yield Static(Text(self.subject), classes="subject")
            yield from self.compose_fields()
            yield Static(id="dialog-error", markup=False)
            yield Static(Text(self.HINT), classes="hint")
        yield Footer()

    def compose_fields(self) -> ComposeResult:
        raise NotImplementedError

    def read_request(self) -> RequestT:
        """Read the fields into a request, or raise InvalidValue naming the field and value."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        self.query_one("#dialog-error", Static).update(Text(message))
        self.notify(message, title=f"{self.dialog_title}: not saved", severity="error", timeout=8)

    def action_save(self) -> None:
        # Field errors and the service's errors are both InvalidValue (a
        # ValueError), and each is a message for the officer.
        try:
            result = self.apply(self.read_request())
        except ValueError as error:
            # Service and domain messages carry ids, dates and times, never names or notes.
            log.info("dialog not saved title=%r: %s", self.dialog_title, error)
            self.show_error(error_sentence(error))
            return
        self.dismiss(result if result is not None else True)

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def text_of(self, selector: str) -> str:
        return self.query_one(selector, Input).value


@dataclass(frozen=True)
class DecideRequest:
    pupil_ids: tuple[str, ...]
    decision: Decision


@dataclass(frozen=True)
class FamilyChoice:
    """A pupil offered in the decide dialog. ``label`` is what the dialog shows for them."""

    pupil_id: str
    label: str


class DecideDialog(FormDialog[DecideRequest]):
    """Ask who decided to invite the family, their role, the reason, notes and the date."""

    BINDINGS = form_bindings("prepare")

    def __init__(
        self,
        subject: str,
        family: Sequence[FamilyChoice],
        apply: Callable[[DecideRequest], object],
        today: dt.date,
        reason: InvitationReason | None,
    ) -> None:
        super().__init__("Decide to invite", subject, apply)
        self.family = tuple(family)
        self.today = today
        self.reason = reason

    def compose_fields(self) -> ComposeResult:
        yield Label("Pupils invited together (Space ticks or unticks)", classes="field-label")
        yield SelectionList[str](
            *((choice.label, choice.pupil_id, True) for choice in self.family), id="family", compact=True
        )
        yield Static(id="family-ticked", markup=False)
        yield Label("Who decided: their name", classes="field-label")
        yield FormInput(id="decided-by", placeholder="for example Priya Shah", compact=True)
        yield Label("Their role", classes="field-label")
        yield FormInput(id="role", placeholder="for example DSL, head of year or EWO", compact=True)
        yield Label("Reason (Enter opens the list)", classes="field-label")
        yield Select[InvitationReason](
            ((reason.label, reason) for reason in InvitationReason),
            prompt="Choose the reason",
            value=self.reason if self.reason is not None else Select.NULL,
            id="reason",
            compact=True,
        )
        yield Label("Notes (required when the reason is Other)", classes="field-label")
        yield FormInput(id="notes", placeholder="optional, unless the reason is Other", compact=True)
        yield Label("Date decided (DD/MM/YYYY)", classes="field-label")
        yield FormInput(f"{self.today:%d/%m/%Y}", id="decided-on", max_length=10, compact=True)

    def on_mount(self) -> None:
        self._show_ticked()
        self.query_one("#decided-by", Input).focus()

    @on(SelectionList.SelectedChanged, "#family")
    def _show_ticked(self) -> None:
        # The list shows a tick by colour only, so the choice is also written out.
        ticked = set(self.query_one("#family", SelectionList).selected)
        count = sum(choice.pupil_id in ticked for choice in self.family)
        text = f"Invited: {count} of {len(self.family)}." if len(self.family) > 1 else ""
        self.query_one("#family-ticked", Static).update(text if count else "Invited: nobody. Tick a pupil.")

    def read_request(self) -> DecideRequest:
        ticked = set(self.query_one("#family", SelectionList).selected)
        pupil_ids = tuple(choice.pupil_id for choice in self.family if choice.pupil_id in ticked)
        if not pupil_ids:
            raise InvalidValue("no pupil is ticked. Tick at least one pupil to invite.")

        reason = self.query_one("#reason", Select).value
        if not isinstance(reason, InvitationReason):
            raise InvalidValue("no reason is chosen. Choose the reason from the list.")

        decision = Decision(
            decided_by=self.text_of("#decided-by").strip(),
            role=self.text_of("#role").strip(),
            reason=reason,
            decided_on=parse_date(self.text_of("#decided-on"), "date decided"),
            notes=self.text_of("#notes").strip(),
        )
        return DecideRequest(pupil_ids, decision)


@dataclass(frozen=True)
class CloseRequest:
    status: InvitationStatus


class CloseInvitationDialog(FormDialog[CloseRequest]):
    """Ask whether the school withdrew the invitation or the family declined it."""

    BINDINGS = form_bindings("prepare")
    HINT = "Enter opens the list. F2 saves. Escape closes without saving."

    def compose_fields(self) -> ComposeResult:
        yield Label("Why the invitation is closed", classes="field-label")
        yield Select[InvitationStatus](
            [("Withdrawn by the school", InvitationStatus.WITHDRAWN), ("Declined by the family", InvitationStatus.DECLINED)],
            value=InvitationStatus.WITHDRAWN,
            allow_blank=False,
            id="close-status",
            compact=True,
        )

    def on_mount(self) -> None:
        self.query_one("#close-status", Select).focus()

    def read_request(self) -> CloseRequest:
        status = self.query_one("#close-status", Select).value
        return CloseRequest(status if isinstance(status, InvitationStatus) else InvitationStatus.WITHDRAWN)
