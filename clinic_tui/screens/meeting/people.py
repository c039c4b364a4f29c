"""Steps 1 and 2: who is in the room, and the information sharing statement."""

from __future__ import annotations

from collections.abc import Mapping

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, DataTable, Input, RadioButton, RadioSet, Select, Static

from clinic_tui.domain.attendees import Attendee, Role
from clinic_tui.domain.checks import InvalidValue, format_date
from clinic_tui.domain.social_care import ChildPlan, SocialWorkerAnswer, SocialWorkerContact
from clinic_tui.domain.steps import StepId
from clinic_tui.screens.meeting.base import StepPane, parse_date, short_date
from clinic_tui.widgets.form_input import FormInput
from clinic_tui.widgets.toggles import ChoiceButton, TickBox

_FORM_CSS = """
.form-row { height: auto; margin-top: 1; }
.form-row Input { width: 1fr; min-width: 16; }
.form-row Select { width: 24; }
.form-row Checkbox { width: auto; }
"""


class AttendeesPane(StepPane):
    """Step 1: the people at the meeting, and on video or phone the confirmed list."""

    STEP = StepId.ATTENDEES
    DEFAULT_CSS = _FORM_CSS + """
    AttendeesPane #attendee-table { height: auto; max-height: 8; }
    AttendeesPane #attendee-detail { width: 16; }
    """

    def compose(self) -> ComposeResult:
        yield self.prompt()
        planned = self.context.planned_attendees
        if planned:
            expected = ", ".join(person.name or person.role_detail or person.role.label for person in planned)
            yield Static(f"Expected at this meeting: {expected}.", classes="hint")
        yield DataTable(id="attendee-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(classes="form-row"):
            yield FormInput(placeholder="Name, as they give it", id="attendee-name", compact=True)
            yield Select(
                [(role.label, role) for role in Role], prompt="Role", id="attendee-role", compact=True
            )
            yield FormInput(placeholder="Role, if other", id="attendee-detail", compact=True)
            if self.record.mode.is_remote:
                yield TickBox("On the line", id="attendee-on-line", compact=True)
        yield Static("F4 adds the person typed above. Delete removes the highlighted person.", classes="hint")
        if self.record.mode.is_remote:
            yield TickBox(
                "Everyone on the line has confirmed the list read out",
                value=self.record.line_confirmed,
                id="line-confirmed",
            )
        yield self.message_line()

    def first_focus(self) -> Input:
        return self.query_one("#attendee-name", Input)

    def on_mount(self) -> None:
        table = self.query_one("#attendee-table", DataTable)
        table.add_columns("Name", "Role", "Where")
        self._show_attendees()

    def _show_attendees(self) -> None:
        table = self.query_one("#attendee-table", DataTable)
        table.clear()
        for attendee in self.record.attendees:
            where = "on the line" if attendee.on_line else "in the room"
            table.add_row(attendee.name, attendee.role_label, where)
        if not self.record.attendees:
            table.add_row("(nobody recorded yet)", "", "")
        if self.record.mode.is_remote:
            confirmed = self.query_one("#line-confirmed", Checkbox)
            with confirmed.prevent(Checkbox.Changed):
                confirmed.value = self.record.line_confirmed

    # Adding and removing.

    def can_add(self) -> bool:
        return True

    def add(self) -> None:
        name = self.query_one("#attendee-name", Input)
        role = self.query_one("#attendee-role", Select)
        detail = self.query_one("#attendee-detail", Input)
        if role.is_blank():
            self.show_message("Choose the person's role before adding them.")
            role.focus()
            return

        on_line = self.record.mode.is_remote and self.query_one("#attendee-on-line", Checkbox).value
        try:
            attendee = Attendee(name.value.strip(), role.value, detail.value.strip(), on_line)
        except InvalidValue as error:
            self.show_message(str(error))
            return

        if not self.apply(lambda: self.record.add_attendee(attendee)):
            return
        with self.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
            name.value = ""
            detail.value = ""
            role.clear()
        self._show_attendees()
        self.edited()
        name.focus()

    def can_remove(self) -> bool:
        return bool(self.record.attendees)

    def remove(self) -> None:
        table = self.query_one("#attendee-table", DataTable)
        index = table.cursor_row
        if not table.has_focus or not 0 <= index < len(self.record.attendees):
            self.show_message("Highlight a person in the list, then press Delete to remove them.")
            return
        if self.apply(lambda: self.record.remove_attendee(index)):
            self._show_attendees()
            self.edited()

    @on(Input.Submitted, "#attendee-name, #attendee-detail")
    def _submitted(self) -> None:
        # Enter on an empty form is a stray key, not a request to add nobody.
        if self.query_one("#attendee-name", Input).value.strip():
            self.add()

    @on(Input.Changed, "#attendee-name, #attendee-detail")
    @on(Select.Changed, "#attendee-role")
    def _form_changed(self) -> None:
        self.edited(record_changed=False)

    @on(Checkbox.Changed, "#line-confirmed")
    def _line_confirmed(self, event: Checkbox.Changed) -> None:
        if event.value != self.record.line_confirmed and self.apply(lambda: self.record.confirm_line(event.value)):
            self.edited()

    # Unsaved form inputs.

    def form_inputs(self) -> dict[str, object]:
        name = self.query_one("#attendee-name", Input).value
        detail = self.query_one("#attendee-detail", Input).value
        role = self.query_one("#attendee-role", Select)
        if not (name or detail or not role.is_blank()):
            return {}
        return {
            "attendee": {"name": name, "detail": detail, "role": None if role.is_blank() else role.value.value}
        }

    def restore_form_inputs(self, values: Mapping[str, object]) -> None:
        saved = values.get("attendee")
        if not isinstance(saved, dict):
            return
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#attendee-name", Input).value = str(saved.get("name", ""))
            self.query_one("#attendee-detail", Input).value = str(saved.get("detail", ""))
            if saved.get("role") in {role.value for role in Role}:
                self.query_one("#attendee-role", Select).value = Role(saved["role"])

    def form_problems(self) -> list[str]:
        name = self.query_one("#attendee-name", Input).value
        detail = self.query_one("#attendee-detail", Input).value
        if name.strip() or detail.strip():
            return ["A person is typed in the add form but not added. Press F4 to add them, or clear the form."]
        return []


class InformationSharingPane(StepPane):
    """Step 2: the statement, its confirmation, and the social worker answer when a pupil has a plan."""

    STEP = StepId.INFORMATION_SHARING
    DEFAULT_CSS = _FORM_CSS + """
    InformationSharingPane #statement { border: round $primary; padding: 0 1; }
    InformationSharingPane #sw-contact { height: auto; width: 100%; }
    """

    def compose(self) -> ComposeResult:
        yield self.prompt()
        yield Static(self.record.information_statement, id="statement")
        yield TickBox(
            "Everyone present has heard and understood the statement",
            value=self.record.sharing_confirmed,
            id="sharing-confirmed",
        )
        plans = [
            f"{self.context.pupil_name(pupil_id)} has a {plan.label}."
            for pupil_id, plan in self.record.child_plans.items()
            if plan is not ChildPlan.NONE
        ]
        if not plans:
            yield Static(
                "No pupil on this record has a child in need or child protection plan, "
                "so no social worker answer is needed.",
                classes="hint",
            )
            yield self.message_line()
            return

        yield Static(" ".join(plans) + " Their social worker must be here or be informed.", classes="field-label")
        answer = self.record.social_worker
        contact = answer.contact if answer is not None else None
        with RadioSet(id="sw-contact"):
            yield ChoiceButton("The social worker is here", value=contact is SocialWorkerContact.PRESENT)
            yield ChoiceButton(
                "The social worker will be informed", value=contact is SocialWorkerContact.WILL_BE_INFORMED
            )
        informed = contact is SocialWorkerContact.WILL_BE_INFORMED
        yield Static("If they will be informed: who will inform them, and by when (day/month/year).", classes="hint")
        with Horizontal(classes="form-row"):
            yield FormInput(
                answer.informed_by if answer is not None else "",
                placeholder="Informed by (name or role)",
                id="sw-by",
                compact=True,
                disabled=not informed,
            )
            yield FormInput(
                short_date(answer.informed_on if answer is not None else None),
                placeholder="By date, day/month/year",
                id="sw-on",
                compact=True,
                disabled=not informed,
            )
        yield Static("", id="sw-hint", classes="hint")
        yield self.message_line()

    def on_mount(self) -> None:
        self._show_hint()

    @on(Checkbox.Changed, "#sharing-confirmed")
    def _confirmed(self, event: Checkbox.Changed) -> None:
        if event.value != self.record.sharing_confirmed and self.apply(
            lambda: self.record.confirm_information_sharing(event.value)
        ):
            self.edited()

    @on(RadioSet.Changed, "#sw-contact")
    def _contact_changed(self, event: RadioSet.Changed) -> None:
        informed = event.index == 1
        for field in self.query("#sw-by, #sw-on").results(Input):
            field.disabled = not informed
        self._apply_answer()

    @on(Input.Changed, "#sw-by, #sw-on")
    def _detail_changed(self) -> None:
        self._apply_answer()

    def _apply_answer(self) -> None:
        """Store the answer once it is complete. Until then it is kept as a form input."""
        answer = self._typed_answer()
        changed = False
        if isinstance(answer, SocialWorkerAnswer) and answer != self.record.social_worker:
            changed = self.apply(lambda: self.record.set_social_worker(answer))
        self._show_hint()
        self.edited(record_changed=changed)

    def _typed_answer(self) -> SocialWorkerAnswer | str | None:
        """Return the answer on screen, a sentence saying what it lacks, or None when none is chosen."""
        radios = self.query_one("#sw-contact", RadioSet)
        if radios.pressed_index == 0:
            return SocialWorkerAnswer.present()
        if radios.pressed_index != 1:
            return None

        by = self.query_one("#sw-by", Input).value.strip()
        on_text = self.query_one("#sw-on", Input).value
        if not by:
            return "Enter who will inform the social worker."
        try:
            informed_on = parse_date(on_text, "the date the social worker will be informed by")
        except InvalidValue as error:
            return str(error)
        return SocialWorkerAnswer.will_be_informed(by, informed_on)

    def _show_hint(self) -> None:
        if not self.record.has_child_plan:
            return
        answer = self._typed_answer()
        hint = self.query_one("#sw-hint", Static)
        if isinstance(answer, str):
            hint.update(answer)
        elif answer is not None and answer.contact is SocialWorkerContact.WILL_BE_INFORMED:
            hint.update(f"They will be informed by {answer.informed_by} by {format_date(answer.informed_on)}.")
        elif answer is not None and not any(a.role is Role.SOCIAL_WORKER for a in self.record.attendees):
            hint.update("Add the social worker to the people in the room on step 1, with the role 'social worker'.")
        else:
            hint.update("")

    def on_step_shown(self) -> None:
        self._show_hint()

    def _answer_is_stored(self) -> bool:
        answer = self._typed_answer()
        return answer is None or answer == self.record.social_worker

    def form_inputs(self) -> dict[str, object]:
        if not self.record.has_child_plan or self._answer_is_stored():
            return {}
        return {
            "social_worker": {
                "choice": self.query_one("#sw-contact", RadioSet).pressed_index,
                "by": self.query_one("#sw-by", Input).value,
                "on": self.query_one("#sw-on", Input).value,
            }
        }

    def restore_form_inputs(self, values: Mapping[str, object]) -> None:
        saved = values.get("social_worker")
        if not isinstance(saved, dict) or not self.record.has_child_plan:
            return
        buttons = list(self.query_one("#sw-contact", RadioSet).query(RadioButton))
        choice = saved.get("choice")
        with self.prevent(RadioSet.Changed, Input.Changed, RadioButton.Changed):
            if choice in (0, 1):
                buttons[choice].value = True
            by = self.query_one("#sw-by", Input)
            on_date = self.query_one("#sw-on", Input)
            by.value = str(saved.get("by", ""))
            on_date.value = str(saved.get("on", ""))
            by.disabled = on_date.disabled = choice != 1
        self._show_hint()

    def form_problems(self) -> list[str]:
        if not self.record.has_child_plan:
            return []
        answer = self._typed_answer()
        if isinstance(answer, str):
            return [f"The social worker answer is incomplete. {answer}"]
        if answer is not None and answer != self.record.social_worker:
            return ["The social worker answer on screen is not stored. Check the date and the name."]
        return []
