"""Scheduling invited families into clinic days, with warnings for the officer.

A family gets a slot only through an open invitation, so a named decision
comes before every slot this service makes. Two things are warnings rather
than errors, because the officer may mean them: the same family booked
twice on one date, and a slot that overlaps a slot of another clinic day on
the same date. A slot that overlaps another slot of the same day, or a
break, is an error from the domain (``day_settings.check_free``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clinic_tui.domain.attendees import Mode, PlannedAttendee
from clinic_tui.domain.checks import InvalidTransition, InvalidValue, format_short_date
from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.day_settings import Break, DaySettings, next_free_start
from clinic_tui.domain.planning import suggest_attendees
from clinic_tui.domain.prepare import Invitation, InvitationStatus
from clinic_tui.domain.slots import Slot, SlotStatus

if TYPE_CHECKING:
    from clinic_tui.services.days import DayService
    from clinic_tui.services.prepare import PrepareService

log = logging.getLogger(__name__)

DEFAULT_DAY_START = dt.time(9, 0)


@dataclass(frozen=True)
class ScheduleResult:
    """The slot just planned and the warnings the officer should see about it."""

    slot: Slot
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SchoolDefaults:
    """The school a new clinic day is at, taken from the vault or the latest clinic day."""

    name: str
    urn: str
    room: str = ""


def _overlaps(first: ClinicDay, first_start: dt.time, second: ClinicDay, second_start: dt.time) -> bool:
    begin, end = first.at(first_start), first.at(first_start) + first.slot_length
    other_begin = second.at(second_start)
    return begin < other_begin + second.slot_length and other_begin < end


def _where(day: ClinicDay) -> str:
    return ", ".join(part for part in (day.settings.room, day.settings.school_name) if part.strip())


class ScheduleService:
    """Clinic days and the slots of invited families."""

    def __init__(self, prepare: PrepareService) -> None:
        self.prepare = prepare

    @property
    def _days(self) -> DayService:
        return self.prepare.days

    # -- days --------------------------------------------------------------------

    def school_defaults(self) -> SchoolDefaults:
        """Return the school for a new day: the vault's school, else the latest day's, else blanks."""
        school = self.prepare.attendance.school()
        days = self.prepare.all_days()
        room = days[-1].settings.room if days else ""
        if school.name and school.urn:
            return SchoolDefaults(school.name, school.urn, room)
        if days:
            settings = days[-1].settings
            return SchoolDefaults(settings.school_name, settings.school_urn, settings.room)
        return SchoolDefaults("", "")

    def create_day(
        self,
        date: dt.date,
        *,
        start: dt.time = DEFAULT_DAY_START,
        slot_minutes: int | None = None,
        room: str = "",
        breaks: Iterable[Break] = (),
        school_name: str | None = None,
        school_urn: str | None = None,
    ) -> ClinicDay:
        """Create and save an empty clinic day at the vault's school unless another school is given.

        Raises InvalidValue for a date before today, a date that already has
        a clinic day, or settings the domain rejects.
        """
        today = self.prepare.clock.now().date()
        if date < today:
            raise InvalidValue(
                f"clinic day date {format_short_date(date)} is before today ({format_short_date(today)}). "
                "Choose today or a later date."
            )
        if any(existing == date for _day_id, existing in self._days.days()):
            raise InvalidValue(
                f"a clinic day on {format_short_date(date)} already exists. Open it and add slots to it instead."
            )

        defaults = self.school_defaults()
        settings = DaySettings(
            date=date,
            school_name=defaults.name if school_name is None else school_name,
            school_urn=defaults.urn if school_urn is None else school_urn,
            room=room,
            start=start,
            slot_minutes=slot_minutes or self.prepare.workspace.config.day.default_slot_minutes,
            breaks=tuple(breaks),
        )
        return self._days.create_day(settings)

    def upcoming_days(self) -> list[tuple[str, dt.date]]:
        """Return the id and date of every clinic day from today on, soonest first."""
        today = self.prepare.clock.now().date()
        return [(day_id, date) for day_id, date in self._days.days() if date >= today]

    # -- invited families ---------------------------------------------------------

    def waiting(self) -> list[Invitation]:
        """Return invitations decided but not scheduled yet, oldest decision first."""
        return self.prepare.invitations([InvitationStatus.DECIDED])

    def suggested_attendees(self, pupil_ids: Sequence[str]) -> list[PlannedAttendee]:
        """Suggest who should attend a slot for these pupils (see ``planning.suggest_attendees``)."""
        pupils = self.prepare.pupils()
        absence: Counter[str] = Counter()
        for pupil_id in pupil_ids:
            absence.update(self.prepare.attendance.row(pupil_id).measures.absence_by_code)
        return suggest_attendees([pupils[pupil_id] for pupil_id in pupil_ids], absence)

    def assign_family(
        self,
        day: ClinicDay,
        pupil_ids: Sequence[str],
        mode: Mode,
        *,
        attendees: Iterable[PlannedAttendee] | None = None,
        start: dt.time | None = None,
    ) -> ScheduleResult:
        """Give the family of ``pupil_ids`` a slot. Raises NotInvited when no named decision covers them."""
        invitation = self.prepare.invitation_for(pupil_ids)
        return self.assign(day, invitation.id, mode, attendees=attendees, start=start)

    def assign(
        self,
        day: ClinicDay,
        invitation_id: str,
        mode: Mode,
        *,
        attendees: Iterable[PlannedAttendee] | None = None,
        start: dt.time | None = None,
    ) -> ScheduleResult:
        """Add a slot on ``day`` for an invited family and mark the invitation scheduled.

        ``start`` None takes the first free time. ``attendees`` None takes the
        suggested attendees. The slot and the invitation are saved in one
        transaction.

        NOTE: when saving fails after the domain accepted the slot, the
        ``day`` object still contains it. Load the day again before using it.
        """
        invitation = self.prepare.invitation(invitation_id)
        if invitation.status not in (InvitationStatus.DECIDED, InvitationStatus.SCHEDULED):
            raise InvalidTransition(
                f"invitation {invitation_id} is {invitation.status.value}, so the family cannot be scheduled. "
                "Decide a new invitation if the family is to be invited again."
            )
        if not isinstance(mode, Mode):
            raise InvalidValue(f"mode must be in person, video or phone, got {mode!r}.")

        family = invitation.pupil_ids
        planned = list(self.suggested_attendees(family) if attendees is None else attendees)
        warnings = self.warnings_for(day, family, start)

        with self.prepare.vault.transaction():
            slot = self._days.add_slot(day, family, mode, attendees=planned, start=start)
            self.prepare.store.update_invitation(
                invitation.scheduled(slot.id), self.prepare.clock.now(), "invitation.schedule"
            )

        log.info(
            "family scheduled invitation_id=%s slot_id=%s day_id=%s warnings=%d",
            invitation.id, slot.id, day.id, len(warnings),
        )  # fmt: skip
        return ScheduleResult(slot, tuple(warnings))

    # -- warnings -----------------------------------------------------------------

    def warnings_for(self, day: ClinicDay, pupil_ids: Sequence[str], start: dt.time | None) -> list[str]:
        """Return the warnings a new slot for these pupils on ``day`` at ``start`` would raise.

        ``start`` None means the first free time. An empty list means no warning.
        """
        if start is None:
            try:
                start = next_free_start(day.settings, day.slots)
            except InvalidValue:
                # A full day is an error that ``assign`` reports.
                return []

        family = set(pupil_ids)
        warnings: list[str] = []
        for other_day in self._same_date(day):
            same_day = other_day.id == day.id
            for slot in other_day.slots:
                if not slot.status.occupies_time:
                    continue
                if family & set(slot.family):
                    where = "on this clinic day" if same_day else f"at {_where(other_day)} on the same date"
                    warnings.append(f"This family already has a slot at {slot.start:%H:%M} {where}.")
                if not same_day and _overlaps(day, start, other_day, slot.start):
                    warnings.append(self._overlap_message(start, other_day, slot))
        return warnings

    def day_warnings(self, day: ClinicDay) -> list[str]:
        """Return the warnings about a whole day: repeated families, undecided slots and overlaps."""
        warnings = self._repeated_families(day)

        undecided = []
        for slot in day.slots:
            if slot.status is not SlotStatus.PLANNED:
                continue
            try:
                self.prepare.invitation_for(slot.family)
            except InvalidValue:
                undecided.append(f"{slot.start:%H:%M}")
        if undecided:
            slots = "The slot at" if len(undecided) == 1 else f"{len(undecided)} slots, at"
            warnings.append(
                f"{slots} {', '.join(undecided)}, have no named decision to invite the family. "
                "Decide the invitations on the Prepare screen before sending letters."
                if len(undecided) > 1
                else f"{slots} {undecided[0]} has no named decision to invite the family. "
                "Decide the invitation on the Prepare screen before sending a letter."
            )

        others = [other for other in self._same_date(day) if other.id != day.id]
        for slot in day.slots:
            if not slot.status.occupies_time:
                continue
            for other_day in others:
                for other in other_day.slots:
                    if other.status.occupies_time and _overlaps(day, slot.start, other_day, other.start):
                        warnings.append(self._overlap_message(slot.start, other_day, other))
        return warnings

    def _repeated_families(self, day: ClinicDay) -> list[str]:
        occupied = [slot for slot in day.slots if slot.status.occupies_time]
        groups: list[tuple[str, ...]] = []
        for slot in occupied:
            shared = tuple(
                other.id for other in occupied if other.id != slot.id and set(other.family) & set(slot.family)
            )
            if shared:
                group = tuple(sorted((slot.id, *shared)))
                if group not in groups:
                    groups.append(group)

        warnings = []
        for group in groups:
            times = sorted(day.slot(slot_id).start for slot_id in group)
            listed = ", ".join(f"{moment:%H:%M}" for moment in times)
            warnings.append(f"The same family has {len(times)} slots on this day, at {listed}. Skip the extra one.")
        return warnings

    def _same_date(self, day: ClinicDay) -> list[ClinicDay]:
        """Return ``day`` itself and every other saved clinic day on its date."""
        others = [self._days.load(day_id) for day_id, date in self._days.days() if date == day.date and day_id != day.id]
        return [day, *others]

    @staticmethod
    def _overlap_message(start: dt.time, other_day: ClinicDay, other: Slot) -> str:
        return (
            f"A slot at {start:%H:%M} overlaps the slot at {other.start:%H:%M} of the other clinic day on "
            f"this date, at {_where(other_day)}. You cannot be at both: move one of them."
        )
