"""Letters to families and the call script, built from the vault.

A batch of letters is one letter kind for the families of one clinic day.
Every family in it needs an open invitation (a named decision), and every
gap in every letter is listed at once before anything is written. Once the
files are written, each family gets a letter entry in the contact log.

The officer's name and telephone number come from the ``[general]``
section of the configuration file. The user's templates live in
``Locations.letters_dir``, where a file replaces the built-in template of
the same name, including ``call_script.txt``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from clinic_tui.documents.context import (
    FORBIDDEN_WORD,
    AttendanceFigures,
    Family,
    FamilyPupil,
    LetterContext,
    LetterKind,
    MeetingDetails,
    Officer,
    School,
)
from clinic_tui.documents.errors import Gap, InvalidContext, MissingDetails
from clinic_tui.documents.gaps import find_gaps, letter_kind
from clinic_tui.domain.actions import Action
from clinic_tui.domain.attendees import Role
from clinic_tui.domain.checks import InvalidValue, format_short_date
from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.prepare import ContactEntry, ContactKind
from clinic_tui.domain.pupil import Contact, Pupil
from clinic_tui.domain.slots import Slot, SlotStatus
from clinic_tui.services.prepare import family_label

if TYPE_CHECKING:
    from clinic_tui.services.prepare import PrepareService, SlotPlace

log = logging.getLogger(__name__)

CALL_SCRIPT = "call_script.txt"

# The family joins the meeting as themselves, so a letter lists only the
# other people who will be there.
_FAMILY_ROLES = (Role.PARENT_CARER, Role.PUPIL)


class LetterSettingsMissing(InvalidValue):
    """Settings in the configuration file that every letter needs, such as the officer's telephone."""


@dataclass(frozen=True)
class LetterItem:
    """One family's letter in a batch: the slot, its initials label and the context, when it could be built."""

    slot: Slot
    label: str
    context: LetterContext | None
    reminder: str | None


@dataclass(frozen=True)
class LetterBatch:
    """The letters of one kind for one clinic day, and every gap that stops them.

    ``gaps`` index the letters by their position in ``items``.
    """

    kind: LetterKind
    day: ClinicDay
    items: tuple[LetterItem, ...]
    gaps: tuple[Gap, ...]

    @property
    def ready(self) -> bool:
        """True when there is at least one letter and no gap."""
        return bool(self.items) and not self.gaps

    def gaps_for(self, index: int) -> list[Gap]:
        return [gap for gap in self.gaps if gap.index == index]


@dataclass(frozen=True)
class WrittenLetters:
    """The result of writing a batch: the files, each family's initials label and the phone-before-letter reminders."""

    paths: tuple[Path, ...]
    labels: tuple[str, ...]
    reminders: tuple[str, ...]

    @property
    def letters(self) -> int:
        return len(self.labels)


def _where(day: ClinicDay) -> str:
    return ", ".join(part for part in (day.settings.room, day.settings.school_name) if part.strip())


def _meeting(day: ClinicDay, slot: Slot) -> MeetingDetails:
    roles: list[Role | str] = [Role.EWO]
    for attendee in slot.attendees:
        if attendee.role in _FAMILY_ROLES or attendee.role is Role.EWO:
            continue
        role: Role | str = attendee.role_detail if attendee.role is Role.OTHER else attendee.role
        if role not in roles:
            roles.append(role)
    return MeetingDetails(day.date, slot.start, _where(day), modes=(slot.mode,), attendee_roles=tuple(roles))


def _carers(pupils: Sequence[Pupil]) -> tuple[Contact, ...]:
    """Return the contacts a letter is addressed to: those with parental responsibility.

    Siblings share contacts, so each person appears once. When no contact
    is marked as having parental responsibility, every contact is used.
    """
    contacts = [contact for pupil in pupils for contact in pupil.contacts]
    chosen = [contact for contact in contacts if contact.parental_responsibility] or contacts

    seen: set[tuple[str, str]] = set()
    unique = []
    for contact in chosen:
        key = (contact.name.strip().casefold(), re.sub(r"\D", "", contact.telephone))
        if key not in seen:
            seen.add(key)
            unique.append(contact)
    return tuple(unique)


def output_folder(folder: Path, make_folder: bool) -> Path:
    """Return ``folder`` after checking it is a folder, first creating it (private to the user) if asked."""
    folder = Path(folder).expanduser()
    if make_folder and not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
    if not folder.is_dir():
        raise InvalidValue(f"output folder {folder} does not exist or is not a folder. Create it first.")
    return folder


def _reference(slot: Slot) -> str:
    # Gap messages may be logged, so a family is named by its slot time.
    return f"slot at {slot.start:%H:%M}"


class LetterService:
    """Builds letter contexts from the vault, writes letters and fills in the call script."""

    def __init__(self, prepare: PrepareService) -> None:
        self.prepare = prepare

    # -- settings ----------------------------------------------------------------

    @property
    def template_dir(self) -> Path | None:
        """The user's template folder, or None while it does not exist."""
        folder = self.prepare.workspace.locations.letters_dir
        return folder if folder.is_dir() else None

    def settings_problems(self) -> list[str]:
        """List the configuration fields that stop letters being written, each with the fix."""
        general = self.prepare.workspace.config.general
        problems = []
        if not general.officer_name.strip():
            problems.append(
                'officer_name is empty. Add your name as families should see it, for example officer_name = "Sam Patel".'
            )
        if not general.officer_phone.strip():
            problems.append(
                "officer_phone is empty. Add the number families should call about a letter, "
                'for example officer_phone = "0113 496 0001".'
            )
        if FORBIDDEN_WORD.search(general.meeting_name) or not general.meeting_name.strip():
            problems.append(
                f"meeting_name {general.meeting_name!r} is empty or contains the word 'clinic', which letters to "
                'families never use. Choose another name, for example meeting_name = "Helping your child succeed".'
            )
        return problems

    def _check_settings(self) -> None:
        problems = self.settings_problems()
        if problems:
            config_file = self.prepare.workspace.locations.config_file
            lines = "\n".join(f"- {problem}" for problem in problems)
            raise LetterSettingsMissing(
                f"letters need these settings in the [general] section of {config_file}, so no letter was "
                f"written. Edit the file, then try again:\n{lines}"
            )

    def _officer(self, *, for_letters: bool) -> Officer:
        general = self.prepare.workspace.config.general
        # Only the officer reads the call script, so the profile name will do there.
        name = general.officer_name.strip() or ("" if for_letters else self.prepare.vault.profile_name)
        return Officer(name, telephone=general.officer_phone.strip(), email=general.officer_email.strip())

    # -- which slots get a letter ----------------------------------------------------

    def slots_for(self, kind: LetterKind | str, day: ClinicDay) -> list[Slot]:
        """Return the slots of ``day`` whose families get a letter of ``kind``, in time order.

        An invitation goes to each planned slot, and a rearranged letter to
        each planned slot that replaces an earlier one. A did-not-attend
        letter goes to each slot recorded as did not attend, even if it was
        rearranged since. A meeting summary goes to each slot with a
        finalised meeting record.
        """
        letter = letter_kind(kind)
        chosen = []
        for slot in day.slots:
            if letter is LetterKind.INVITATION:
                included = slot.status is SlotStatus.PLANNED and slot.rearranged_from is None
            elif letter is LetterKind.REARRANGED:
                included = slot.status is SlotStatus.PLANNED and slot.rearranged_from is not None
            elif letter is LetterKind.DID_NOT_ATTEND:
                included = slot.did_not_attend is not None
            else:
                included = self._finalised_meeting(slot) is not None
            if included:
                chosen.append(slot)
        return chosen

    def _finalised_meeting(self, slot: Slot) -> MeetingRecord | None:
        row = self.prepare.days.store.record_for_slot(slot.id)
        if row is None or row.kind != "meeting" or row.state != "finalised":
            return None
        record = self.prepare.days.load_record(row.id)
        return record if isinstance(record, MeetingRecord) else None

    # -- batches -------------------------------------------------------------------

    def batch(self, kind: LetterKind | str, day: ClinicDay, *, large_print: bool = False) -> LetterBatch:
        """Build every letter of ``kind`` for ``day`` and find every gap, without writing anything.

        Raises LetterSettingsMissing when the configuration lacks the
        officer's name or telephone, because every letter would need them.
        """
        letter = letter_kind(kind)
        self._check_settings()
        pupils = self.prepare.pupils()

        items: list[LetterItem] = []
        gaps: list[Gap] = []
        for index, slot in enumerate(self.slots_for(letter, day)):
            reference = _reference(slot)
            try:
                self.prepare.invitation_for(slot.family)
            except InvalidValue as error:
                gaps.append(Gap(index, reference, "invitation", str(error)))

            context, problems = self._context(letter, day, slot, large_print)
            gaps.extend(Gap(index, reference, field, message) for field, message in problems)
            if context is not None:
                gaps.extend(Gap(index, gap.reference, gap.field, gap.message) for gap in find_gaps(letter, [context]))

            reminder = self.prepare.phone_reminder(slot.family)
            items.append(LetterItem(slot, family_label(slot.family, pupils), context, reminder))

        return LetterBatch(letter, day, tuple(items), tuple(gaps))

    def _context(
        self, kind: LetterKind, day: ClinicDay, slot: Slot, large_print: bool
    ) -> tuple[LetterContext | None, list[tuple[str, str]]]:
        """Build one family's context, or return None and the (field, message) problems that stop it."""
        family, problems = self._family(slot.family)
        if family is None:
            return None, problems

        previous = offered = None
        actions: tuple[Action, ...] = ()
        review_date = None
        if kind is LetterKind.REARRANGED and slot.rearranged_from is not None:
            place = self.prepare.find_slot(slot.rearranged_from)
            if place is not None:
                previous = _meeting(place.day, place.slot)
        if kind is LetterKind.DID_NOT_ATTEND and slot.rearranged_to is not None:
            place = self.prepare.find_slot(slot.rearranged_to)
            if place is not None:
                offered = _meeting(place.day, place.slot)
        if kind is LetterKind.MEETING_SUMMARY:
            record = self._finalised_meeting(slot)
            if record is not None:
                actions = record.actions
                review_date = record.review_date

        context = LetterContext(
            school=School(day.settings.school_name),
            officer=self._officer(for_letters=True),
            family=family,
            letter_date=self.prepare.clock.now().date(),
            meeting=_meeting(day, slot),
            previous_meeting=previous,
            offered_meeting=offered,
            actions=actions,
            review_date=review_date,
            meeting_name=self.prepare.workspace.config.general.meeting_name,
            large_print=large_print,
            reference=_reference(slot),
        )
        return context, problems

    def _family(self, pupil_ids: Sequence[str]) -> tuple[Family | None, list[tuple[str, str]]]:
        pupils = self.prepare.pupils()
        members = []
        problems: list[tuple[str, str]] = []
        for position, pupil_id in enumerate(pupil_ids):
            pupil = pupils.get(pupil_id)
            if pupil is None:
                problems.append((f"family.pupils[{position}]", f"pupil {pupil_id} is not in this vault."))
                continue
            try:
                figures = AttendanceFigures.from_measures(self.prepare.attendance.row(pupil_id).measures)
            except InvalidContext:
                problems.append(
                    (
                        f"family.pupils[{position}].figures",
                        "the pupil has no possible sessions this school year. Import the attendance marks.",
                    )
                )
                continue
            members.append(FamilyPupil.from_pupil(pupil, figures))

        if problems:
            return None, problems
        known = [pupils[pupil_id] for pupil_id in pupil_ids]
        return Family(tuple(members), _carers(known)), []

    # -- preview and writing ----------------------------------------------------------

    def preview(self, batch: LetterBatch, index: int, width: int = 72) -> str:
        """Render one letter of the batch as plain text. Raises MissingDetails for a letter with gaps."""
        from clinic_tui.documents import preview_text, render_letter

        item = batch.items[index]
        gaps = batch.gaps_for(index)
        if gaps or item.context is None:
            raise MissingDetails(gaps)
        return preview_text(render_letter(batch.kind, item.context, template_dir=self.template_dir), width)

    def write(
        self,
        kind: LetterKind | str,
        day: ClinicDay,
        folder: Path,
        *,
        large_print: bool = False,
        make_folder: bool = False,
    ) -> WrittenLetters:
        """Write every letter of ``kind`` for ``day`` as PDF and DOCX, then log a letter contact for each family.

        Nothing is written when any letter has a gap: MissingDetails lists
        them all. ``make_folder`` creates ``folder`` (private to the user)
        once the batch has passed its checks.
        """
        from clinic_tui.documents import write_letters

        batch = self.batch(kind, day, large_print=large_print)
        if not batch.items:
            raise InvalidValue(
                f"no family on the clinic day of {format_short_date(day.date)} needs a "
                f"{batch.kind.value.replace('_', ' ')} letter. Choose another letter kind or day."
            )
        if batch.gaps:
            raise MissingDetails(list(batch.gaps))

        folder = output_folder(folder, make_folder)
        contexts = [item.context for item in batch.items if item.context is not None]
        paths = write_letters(batch.kind, contexts, folder, template_dir=self.template_dir)

        now = self.prepare.clock.now()
        author = self.prepare.vault.profile_name
        entries = [
            ContactEntry(item.slot.family, ContactKind.LETTER, now, author, letter_kind=batch.kind.value)
            for item in batch.items
        ]
        self.prepare.store.add_contacts(entries, now)

        reminders = tuple(
            f"{_reference(item.slot).capitalize()}: {item.reminder}" for item in batch.items if item.reminder
        )
        log.info(
            "letters written kind=%s day_id=%s letters=%d files=%d reminders=%d",
            batch.kind.value, day.id, len(entries), len(paths), len(reminders),
        )  # fmt: skip
        return WrittenLetters(tuple(paths), tuple(item.label for item in batch.items), reminders)

    # -- the call script --------------------------------------------------------------

    def call_script(self, pupil_ids: Sequence[str], width: int = 72) -> str:
        """Fill in the call script for this family and return it as plain text.

        The meeting part uses the family's booked slot, when it has one.
        Raises InvalidValue when a pupil has no figures yet, and
        TemplateProblem for a broken user template.
        """
        from clinic_tui.documents.blocks import RenderedDocument, preview_text
        from clinic_tui.documents.letter_values import letter_values
        from clinic_tui.documents.markup import parse_markup
        from clinic_tui.documents.templates import LetterTemplates

        family, problems = self._family(pupil_ids)
        if family is None:
            raise InvalidValue(f"no call script for this family: {problems[0][1]}")

        meeting = None
        school_name = self.prepare.attendance.school().name
        place = self._booked_slot(pupil_ids)
        if place is not None:
            meeting = _meeting(place.day, place.slot)
            school_name = place.day.settings.school_name

        context = LetterContext(
            school=School(school_name or "the school"),
            officer=self._officer(for_letters=False),
            family=family,
            letter_date=self.prepare.clock.now().date(),
            meeting=meeting,
            meeting_name=self.prepare.workspace.config.general.meeting_name,
        )
        text = LetterTemplates(self.template_dir).render(CALL_SCRIPT, letter_values(context))
        return preview_text(RenderedDocument("Call script", parse_markup(text)), width)

    def _booked_slot(self, pupil_ids: Sequence[str]) -> SlotPlace | None:
        try:
            invitation = self.prepare.invitation_for(pupil_ids)
        except InvalidValue:
            return None
        if invitation.slot_id is None:
            return None
        place = self.prepare.find_slot(invitation.slot_id)
        if place is None or place.slot.status is not SlotStatus.PLANNED:
            return None
        return place
