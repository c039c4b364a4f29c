"""Preparing clinic days: candidates, named decisions, the contact log and the chronology.

The measures suggest families and a named person decides. Every path to a
slot or a letter goes through ``invitation_for``, which raises
``NotInvited`` for a family without an open invitation, so the service
enforces the rule even when a screen or script does not check first. Scheduling lives
in ``prepare_schedule``, letters in ``prepare_letters`` and record exports
in ``prepare_records``. This service builds them and hands them out as
``scheduling``, ``letters`` and ``records``.

Log lines name ids and counts only, never names, notes or decisions.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from clinic_tui.domain.candidates import Candidate, CandidateFilter, candidates
from clinic_tui.domain.checks import InvalidTransition, InvalidValue, format_short_date
from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.planning import sibling_groups
from clinic_tui.domain.prepare import (
    CallOutcome,
    ChronologyEntry,
    ContactEntry,
    ContactKind,
    Decision,
    Invitation,
    InvitationStatus,
    chronology,
    contact_chronology,
    phone_before_letter,
)
from clinic_tui.domain.pupil import Pupil
from clinic_tui.domain.slots import Slot, SlotStatus
from clinic_tui.domain.timeline import year_label
from clinic_tui.services.attendance import AttendanceService
from clinic_tui.services.clock import Clock
from clinic_tui.services.days import DayService
from clinic_tui.services.workspace import Workspace
from clinic_tui.store.prepare import InvitationRow, PrepareStore
from clinic_tui.store.vault import Vault

log = logging.getLogger(__name__)

OPEN_STATUSES = (InvitationStatus.DECIDED, InvitationStatus.SCHEDULED)

# A contact logged a little ahead of the clock is a typing slip, not a
# plan, but laptop clocks drift, so allow a few minutes.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


class NotInvited(InvalidValue):
    """A family with no open invitation, so no named person has decided to invite them."""


def family_label(pupil_ids: Iterable[str], pupils: Mapping[str, Pupil]) -> str:
    """Return initials and year group for each pupil, such as "AB Y9, CB Y7", for lists on screen."""
    parts = []
    for pupil_id in pupil_ids:
        pupil = pupils.get(pupil_id)
        if pupil is None:
            parts.append("?")
            continue
        year = year_label(pupil.year_group)
        parts.append(f"{pupil.initials or '?'} {year}" if year else pupil.initials or "?")
    return ", ".join(parts)


@dataclass(frozen=True)
class CandidateRow:
    """One suggested pupil with their siblings and any open invitation.

    ``family`` lists the pupil and every sibling who shares a contact, in
    the order ``sibling_groups`` gives. ``label`` is initials and year group.
    """

    candidate: Candidate
    family: tuple[str, ...]
    label: str
    invitation: Invitation | None

    @property
    def pupil_id(self) -> str:
        return self.candidate.pupil_id


@dataclass(frozen=True)
class SlotPlace:
    """A slot and the clinic day it is on."""

    day: ClinicDay
    slot: Slot


class PrepareService:
    """Candidates, invitations, contacts and chronologies of one unlocked vault."""

    def __init__(
        self, vault: Vault, clock: Clock, attendance: AttendanceService, days: DayService, workspace: Workspace
    ) -> None:
        from clinic_tui.services.prepare_letters import LetterService
        from clinic_tui.services.prepare_records import RecordService
        from clinic_tui.services.prepare_schedule import ScheduleService

        self.vault = vault
        self.clock = clock
        self.attendance = attendance
        self.days = days
        self.workspace = workspace
        self.store = PrepareStore(vault)
        self.scheduling = ScheduleService(self)
        self.letters = LetterService(self)
        self.records = RecordService(self)

    # -- pupils and families ---------------------------------------------------

    def pupils(self) -> dict[str, Pupil]:
        return {row.id: row.pupil for row in self.attendance.rows()}

    def families(self) -> dict[str, tuple[str, ...]]:
        """Map each pupil with siblings to the whole sibling group, so they can be invited together."""
        groups = sibling_groups(self.pupils())
        return {pupil_id: tuple(group) for group in groups for pupil_id in group}

    def family_of(self, pupil_id: str) -> tuple[str, ...]:
        """Return the pupil and their siblings (pupils sharing a contact), or the pupil alone."""
        self._require_pupils([pupil_id])
        return self.families().get(pupil_id, (pupil_id,))

    def label(self, pupil_ids: Iterable[str]) -> str:
        return family_label(pupil_ids, self.pupils())

    def _require_pupils(self, pupil_ids: Sequence[str]) -> None:
        if isinstance(pupil_ids, str) or not pupil_ids:
            raise InvalidValue("choose at least one pupil.")
        known = self.pupils()
        for pupil_id in pupil_ids:
            if pupil_id not in known:
                raise InvalidValue(
                    f"pupil id {pupil_id!r} is not in this vault. Refresh the list and choose the pupil again."
                )

    # -- candidates ------------------------------------------------------------

    def candidates(self, chosen: CandidateFilter | None = None) -> list[CandidateRow]:
        """List pupils matching ``chosen`` (everyone when None), lowest attendance first.

        The list only suggests. Each row carries the open invitation
        covering the pupil, if a named person has already decided.
        """
        rows = self.attendance.rows()
        pupils = {row.id: row.pupil for row in rows}
        families = self.families()
        invited = self._open_invitation_by_pupil()

        found = candidates(((row.id, row.pupil, row.measures) for row in rows), chosen or CandidateFilter())
        return [
            CandidateRow(
                candidate=item,
                family=families.get(item.pupil_id, (item.pupil_id,)),
                label=family_label([item.pupil_id], pupils),
                invitation=invited.get(item.pupil_id),
            )
            for item in found
        ]

    def _open_invitation_by_pupil(self) -> dict[str, Invitation]:
        found: dict[str, Invitation] = {}
        for row in self.store.invitations(statuses=OPEN_STATUSES):
            for pupil_id in row.invitation.pupil_ids:
                found[pupil_id] = row.invitation
        return found

    # -- invitations -------------------------------------------------------------

    def decide(self, pupil_ids: Sequence[str], decision: Decision) -> Invitation:
        """Record a named person's decision to invite these pupils, usually a family of siblings.

        Raises InvalidValue when a pupil is unknown, already has an open
        invitation, or the decision date is after today.
        """
        if not isinstance(decision, Decision):
            raise InvalidValue("no invitation exists without a named decision. Record who decided and why.")
        pupil_ids = tuple(dict.fromkeys(pupil_ids))
        self._require_pupils(pupil_ids)

        today = self.clock.now().date()
        if decision.decided_on > today:
            raise InvalidValue(
                f"decision date {format_short_date(decision.decided_on)} is after today "
                f"({format_short_date(today)}). Enter the date the decision was made."
            )

        invited = self._open_invitation_by_pupil()
        already = [invited[pupil_id] for pupil_id in pupil_ids if pupil_id in invited]
        if already:
            raise InvalidValue(
                f"{len(already)} of these pupils already have an open invitation, decided on "
                f"{format_short_date(already[0].decision.decided_on)}. Withdraw it first, or schedule it."
            )

        invitation = Invitation(pupil_ids, decision)
        self.store.add_invitation(invitation, self.clock.now())
        log.info("invitation decided invitation_id=%s pupils=%d", invitation.id, len(pupil_ids))
        return invitation

    def invitation(self, invitation_id: str) -> Invitation:
        try:
            return self.store.invitation(invitation_id).invitation
        except KeyError:
            raise InvalidValue(
                f"invitation {invitation_id!r} is not in this vault. Refresh the list and choose it again."
            ) from None

    def invitations(self, statuses: Iterable[InvitationStatus] | None = None) -> list[Invitation]:
        """Return invitations in the order they were decided, optionally only those with ``statuses``."""
        return [row.invitation for row in self.store.invitations(statuses=statuses)]

    def invitation_for(self, pupil_ids: Sequence[str]) -> Invitation:
        """Return the open invitation that covers every one of ``pupil_ids``.

        Raises NotInvited when there is none, because no slot or letter may
        exist without a named decision.
        """
        family = set(pupil_ids)
        for row in reversed(self.store.invitations(statuses=OPEN_STATUSES)):
            if family <= set(row.invitation.pupil_ids):
                return row.invitation
        raise NotInvited(
            "no named decision to invite this family is recorded, so it cannot have a slot or a letter. "
            "Decide the invitation on the Prepare screen first, naming who decided and why."
        )

    def close_invitation(self, invitation_id: str, status: InvitationStatus) -> Invitation:
        """Mark an open invitation as declined by the family or withdrawn by the school.

        A scheduled invitation whose slot still takes up time must have that
        slot skipped or rearranged on the timeline first.
        """
        if status not in (InvitationStatus.DECLINED, InvitationStatus.WITHDRAWN):
            raise InvalidValue(f"an invitation can be closed as declined or withdrawn, not as {status.value}.")
        invitation = self.invitation(invitation_id)
        if invitation.status not in OPEN_STATUSES:
            raise InvalidTransition(f"invitation {invitation_id} is already {invitation.status.value}.")

        if invitation.slot_id is not None:
            place = self.find_slot(invitation.slot_id)
            if place is not None and place.slot.status.occupies_time:
                raise InvalidTransition(
                    f"the family still has a slot at {place.slot.start:%H:%M} on "
                    f"{format_short_date(place.day.date)}. Skip or rearrange it on the timeline first."
                )

        closed = Invitation(invitation.pupil_ids, invitation.decision, invitation.id, status, invitation.slot_id)
        self.store.update_invitation(closed, self.clock.now(), f"invitation.{status.value}")
        log.info("invitation closed invitation_id=%s status=%s", invitation.id, status.value)
        return closed

    # -- clinic days and slots -----------------------------------------------------

    def all_days(self) -> list[ClinicDay]:
        """Load every clinic day in the vault, in date order."""
        return [self.days.load(day_id) for day_id, _date in self.days.days()]

    def find_slot(self, slot_id: str) -> SlotPlace | None:
        """Return the slot with this id and its day, or None when no day has it."""
        for day in self.all_days():
            for slot in day.slots:
                if slot.id == slot_id:
                    return SlotPlace(day, slot)
        return None

    # -- the contact log -------------------------------------------------------------

    def log_contact(
        self,
        pupil_ids: Sequence[str],
        kind: ContactKind,
        *,
        outcome: CallOutcome | None = None,
        notes: str = "",
        at: dt.datetime | None = None,
        letter_kind: str = "",
    ) -> ContactEntry:
        """Add one contact with a family to the log. A phone call needs an outcome.

        ``at`` defaults to now and may not be more than a few minutes ahead
        of the clock. The author is the profile's name.
        """
        pupil_ids = tuple(dict.fromkeys(pupil_ids))
        self._require_pupils(pupil_ids)
        now = self.clock.now()
        moment = now if at is None else at
        if moment.tzinfo is not None and moment - now > FUTURE_TOLERANCE:
            raise InvalidValue(
                f"contact time {moment:%H:%M} on {format_short_date(moment.date())} is in the future. "
                "Log a contact after it happens."
            )

        entry = ContactEntry(
            pupil_ids,
            ContactKind(kind),
            moment,
            self.vault.profile_name,
            outcome=outcome,
            notes=notes,
            letter_kind=letter_kind,
        )
        self.store.add_contacts([entry], now)
        log.info("contact logged contact_id=%s kind=%s", entry.id, entry.kind.value)
        return entry

    def contacts(self, pupil_ids: Sequence[str]) -> list[ContactEntry]:
        """Return every contact about any of these pupils, oldest first."""
        return self.store.contacts(pupil_ids)

    def phone_reminder(self, pupil_ids: Sequence[str]) -> str | None:
        """Return the reminder to phone before writing, or None once a call is logged."""
        return phone_before_letter(self.store.contacts(pupil_ids), pupil_ids)

    def call_script(self, pupil_ids: Sequence[str], width: int = 72) -> str:
        """Return the call script filled in for this family, as plain text ``width`` characters wide."""
        return self.letters.call_script(pupil_ids, width)

    # -- chronology ------------------------------------------------------------------

    def chronology(self, pupil_id: str) -> list[ChronologyEntry]:
        """List everything about a pupil in date order.

        The entries are contacts (letters included), invitation decisions and
        their closing, booked slots, did-not-attend slots and meetings held.
        """
        self._require_pupils([pupil_id])
        contacts = contact_chronology(pupil_id, self.store.contacts([pupil_id]))
        invitations = self._invitation_entries(self.store.invitations(pupil_id=pupil_id))

        slots: list[ChronologyEntry] = []
        for day in self.all_days():
            slots.extend(_slot_entries(day, pupil_id))

        return chronology(contacts, invitations, slots, self._meeting_entries(pupil_id))

    def _invitation_entries(self, rows: Iterable[InvitationRow]) -> list[ChronologyEntry]:
        zone = self.clock.now().tzinfo
        entries = []
        for row in rows:
            decision = row.invitation.decision
            # A decision carries a date only, so it sorts before that day's contacts.
            decided_at = dt.datetime.combine(decision.decided_on, dt.time(0), tzinfo=zone)
            entries.append(
                ChronologyEntry(
                    decided_at,
                    "invitation",
                    f"Invitation decided: {decision.reason.label}",
                    f"{decision.decided_by} ({decision.role})",
                    decision.notes,
                )
            )
            if row.invitation.status in (InvitationStatus.DECLINED, InvitationStatus.WITHDRAWN):
                entries.append(
                    ChronologyEntry(row.updated_at, "invitation", f"Invitation {row.invitation.status.value}")
                )
        return entries

    def _meeting_entries(self, pupil_id: str) -> list[ChronologyEntry]:
        entries = []
        for row in self.days.store.records():
            record = self.days.load_record(row.id)
            if pupil_id not in record.pupil_ids:
                continue
            meeting = "Review meeting held" if row.kind == "review" else "Meeting held"
            state = "record finalised" if record.is_finalised else "record not finalised yet"
            entries.append(
                ChronologyEntry(record.created_at, row.kind, f"{meeting} ({record.mode.label}), {state}", record.author)
            )
        return entries


def _slot_entries(day: ClinicDay, pupil_id: str) -> list[ChronologyEntry]:
    """Return the booking and any did-not-attend of each slot of ``day`` for this pupil."""
    entries = []
    for slot in day.slots:
        if pupil_id not in slot.family:
            continue

        when = f"{slot.start:%H:%M} on {format_short_date(day.date)}"
        created = slot.events[0].at if slot.events else day.at(slot.start)
        entries.append(ChronologyEntry(created, "slot", f"Meeting booked for {when} ({slot.mode.label})"))

        record = slot.did_not_attend
        if record is not None:
            tried = ", ".join(attempt.label for attempt in record.contact)
            entries.append(
                ChronologyEntry(
                    record.recorded_at,
                    "did_not_attend",
                    f"Did not attend the meeting at {when}. Contact tried: {tried}",
                    notes=record.note,
                )
            )
        if slot.status is SlotStatus.SKIPPED:
            skipped = next((event for event in reversed(slot.events) if event.kind.value == "skipped"), None)
            if skipped is not None:
                entries.append(ChronologyEntry(skipped.at, "slot", f"Meeting at {when} skipped", notes=skipped.detail))
    return entries
