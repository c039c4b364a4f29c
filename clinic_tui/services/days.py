"""Running a clinic day: the day's slots and the meeting records made in them.

Every change to a day or a record is saved in one transaction before the
method returns, so a crash never loses a change the screen has shown.
Draft records are also saved by ``autosave``, which screens call within a
second of each keystroke.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from clinic_tui.domain.attendance_types import AttendanceMeasures
from clinic_tui.domain.attendees import Mode, PlannedAttendee
from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.day_settings import DaySettings
from clinic_tui.domain.meeting import MeetingRecord, default_review_date
from clinic_tui.domain.record import BaseRecord, MissingItem
from clinic_tui.domain.safeguarding import ChecklistItem, SafeguardingConcern, safeguarding_checklist
from clinic_tui.domain.slots import ContactAttempt, FollowUp, FollowUpKind, Slot
from clinic_tui.domain.social_care import ChildPlan
from clinic_tui.domain.steps import StepId
from clinic_tui.domain.timeline import privacy_label
from clinic_tui.services.attendance import AttendanceService
from clinic_tui.services.clock import Clock
from clinic_tui.services.sync_service import SyncQueue
from clinic_tui.store.records import RecordRow, RecordStore
from clinic_tui.store.vault import Vault

log = logging.getLogger(__name__)

RESUME_RECORD = "resume.record_id"
RESUME_STEP = "resume.step"
FORM_INPUTS = "form_inputs."


def snapshot_of(measures: AttendanceMeasures) -> dict[str, object]:
    """Return the measures as plain JSON values, to store with a meeting record."""

    def number(value: object) -> float | None:
        return None if value is None else float(value)  # type: ignore[arg-type]

    window = measures.max_unauthorised_window
    return {
        "since": measures.since.isoformat(),
        "as_of": measures.as_of.isoformat(),
        "possible_sessions": measures.possible_sessions,
        "present": measures.present,
        "approved_activity": measures.approved_activity,
        "authorised": measures.authorised,
        "unauthorised": measures.unauthorised,
        "attendance_rate": number(measures.attendance_rate),
        "persistent_absence": measures.persistent_absence,
        "severe_absence": measures.severe_absence,
        "broken_weeks": measures.broken_weeks,
        "broken_weeks_recent": measures.broken_weeks_recent,
        "late_before_close": measures.late_before_close,
        "late_after_close": measures.late_after_close,
        "trend_recent_rate": number(measures.trend.recent_rate),
        "trend_direction": None if measures.trend.direction is None else measures.trend.direction.value,
        "unauthorised_10_weeks": window.sessions,
        "unauthorised_window_first_day": window.first_day.isoformat() if window.first_day else None,
        "unauthorised_window_last_day": window.last_day.isoformat() if window.last_day else None,
        "reaches_penalty_threshold": window.reaches_threshold,
        "absence_by_code": dict(measures.absence_by_code),
    }


@dataclass(frozen=True)
class SlotView:
    """A slot as the timeline shows it: privacy label, never names."""

    slot: Slot
    label: str
    record: RecordRow | None


class DayService:
    """Clinic days and meeting records of one unlocked vault."""

    def __init__(self, vault: Vault, clock: Clock, attendance: AttendanceService) -> None:
        self.vault = vault
        self.clock = clock
        self.attendance = attendance
        self.store = RecordStore(vault)
        self.sync_queue = SyncQueue(vault, attendance, self.store)

    # -- days ------------------------------------------------------------------

    def today(self) -> ClinicDay | None:
        """Return today's clinic day, or None when none is planned."""
        days = self.store.days_on(self.clock.now().date())
        return days[0] if days else None

    def days(self) -> list[tuple[str, dt.date]]:
        return self.store.day_dates()

    def load(self, day_id: str) -> ClinicDay:
        return self.store.load_day(day_id)

    def create_day(self, settings: DaySettings) -> ClinicDay:
        day = ClinicDay(settings)
        self.store.save_day(day, "day.create")
        log.info("clinic day created day_id=%s", day.id)
        return day

    def add_slot(
        self,
        day: ClinicDay,
        family: Sequence[str],
        mode: Mode,
        attendees: Iterable[PlannedAttendee] = (),
        start: dt.time | None = None,
    ) -> Slot:
        slot = day.add_slot(family=family, mode=mode, now=self.clock.now(), attendees=attendees, start=start)
        self.store.save_day(day, "slot.create")
        return slot

    def slot_views(self, day: ClinicDay) -> list[SlotView]:
        pupils = {row.id: row.pupil for row in self.attendance.rows()}
        return [
            SlotView(slot, privacy_label(slot, pupils), self.store.record_for_slot(slot.id)) for slot in day.slots
        ]

    def skip(self, day: ClinicDay, slot_id: str, reason: str) -> None:
        day.skip_slot(slot_id, self.clock.now(), reason)
        self.store.save_day(day, "slot.skip")

    def move_up(self, day: ClinicDay, slot_id: str) -> None:
        day.move_up(slot_id, self.clock.now())
        self.store.save_day(day, "slot.move")

    def move_down(self, day: ClinicDay, slot_id: str) -> None:
        day.move_down(slot_id, self.clock.now())
        self.store.save_day(day, "slot.move")

    def move_to(self, day: ClinicDay, slot_id: str, start: dt.time, reason: str = "") -> None:
        day.move_to(slot_id, start, self.clock.now(), reason)
        self.store.save_day(day, "slot.move")

    def rearrange(self, day: ClinicDay, slot_id: str, to_date: dt.date, start: dt.time, reason: str) -> Slot:
        """Move a slot to another day (made from this day's settings if none exists)."""
        existing = self.store.days_on(to_date)
        if existing:
            target = existing[0]
        else:
            settings = day.settings
            target = ClinicDay(
                DaySettings(
                    date=to_date,
                    school_name=settings.school_name,
                    school_urn=settings.school_urn,
                    room=settings.room,
                    start=settings.start,
                    slot_minutes=settings.slot_minutes,
                    breaks=settings.breaks,
                    timezone=settings.timezone,
                )
            )
        if target.id == day.id:
            raise ValueError("to rearrange within the same day, move the slot to another time instead")
        new_slot = day.rearrange(slot_id, target, start, self.clock.now(), reason)
        with self.vault.transaction():
            self.store.save_day(target, "slot.rearrange")
            self.store.save_day(day, "slot.rearrange")
        return new_slot

    def did_not_attend(
        self,
        day: ClinicDay,
        slot_id: str,
        contact: Iterable[ContactAttempt],
        note: str,
        follow_up: FollowUpKind,
        follow_up_due: dt.date,
        follow_up_detail: str = "",
    ) -> FollowUp:
        """Mark the slot as did-not-attend and add its follow-up.

        ``follow_up_detail`` describes the task and is required for ``FollowUpKind.OTHER``.
        """
        item = day.record_did_not_attend(
            slot_id,
            self.clock.now(),
            contact=contact,
            note=note,
            follow_up=follow_up,
            follow_up_due=follow_up_due,
            follow_up_detail=follow_up_detail,
        )
        with self.vault.transaction():
            self.store.save_day(day, "slot.did_not_attend")
            self.sync_queue.did_not_attend(day, slot_id)
        return item

    def finish_slot(self, day: ClinicDay, slot_id: str) -> None:
        day.finish_slot(slot_id, self.clock.now())
        self.store.save_day(day, "slot.finish")

    # -- meetings --------------------------------------------------------------

    def start_meeting(self, day: ClinicDay, slot_id: str) -> MeetingRecord:
        """Start the slot and its meeting record, or return the record already started.

        A record already started is resumed at the step it was left on, which
        ``resume_step`` returns.
        """
        existing = self.store.record_for_slot(slot_id)
        if existing is not None:
            record = self.store.load_record(existing.id)
            assert isinstance(record, MeetingRecord)
            self.set_resume(record.id, self.resume_step(record.id))
            return record

        slot = day.slot(slot_id)
        now = self.clock.now()
        pupils = {pupil_id: self.attendance.pupils.get(pupil_id) for pupil_id in slot.family}
        first = slot.family[0]
        snapshot: dict[str, object] = {
            pupil_id: snapshot_of(self.attendance.measure(pupil_id, as_of=now.date())) for pupil_id in slot.family
        }
        record = MeetingRecord(
            author=self.vault.profile_name,
            now=now,
            pupil_ids=list(slot.family),
            mode=slot.mode,
            attendance_snapshot={"pupils": snapshot, "primary": first},
            child_plans={pupil_id: ChildPlan.for_pupil(pupil) for pupil_id, pupil in pupils.items()},
            slot_id=slot_id,
        )
        calendar = self.attendance.calendar()
        try:
            record.set_review_date(default_review_date(now.date(), calendar.add_school_weeks))
        except ValueError:
            log.warning("no default review date record_id=%s", record.id)

        with self.vault.transaction():
            if slot.status.value == "planned":
                day.start_slot(slot_id, now)
                self.store.save_day(day, "slot.start")
            self.store.create_record(record, day.id)
            self.set_resume(record.id, StepId.ATTENDEES)
        log.info("meeting started record_id=%s slot_id=%s", record.id, slot_id)
        return record

    def load_record(self, record_id: str) -> BaseRecord:
        return self.store.load_record(record_id)

    def autosave(self, record: BaseRecord, form_inputs: Mapping[str, object] | None = None) -> None:
        """Save a draft record, and the form inputs it cannot hold yet, in one transaction.

        ``form_inputs`` keeps what the officer typed that is not part of the
        record yet, such as a half-filled action, so a crash after the save loses none of it.
        The values must be JSON-ready, and they are stored encrypted. None
        leaves the stored inputs as they are, and an empty mapping clears them.
        A finalised record is not saved.
        """
        if record.is_finalised:
            return
        with self.vault.transaction():
            self.store.save_draft(record)
            if form_inputs is not None:
                self._store_form_inputs(record.id, form_inputs)

    def form_inputs(self, record_id: str) -> dict[str, object]:
        """Return the form inputs saved with a draft record by ``autosave``, or an empty dict."""
        key = FORM_INPUTS + record_id
        stored = self.vault.meta(key)
        if not stored:
            return {}
        return self.vault.open_json("meta", key, "value", base64.b64decode(stored))

    def _store_form_inputs(self, record_id: str, form_inputs: Mapping[str, object]) -> None:
        key = FORM_INPUTS + record_id
        if not form_inputs:
            self.vault.conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            return
        sealed = self.vault.seal_json("meta", key, "value", dict(form_inputs))
        self.vault.set_meta(key, base64.b64encode(sealed).decode("ascii"))

    def finalise(self, record: BaseRecord) -> list[MissingItem]:
        """Finalise and lock the record, or return everything still missing."""
        missing = record.finalise(self.clock.now())
        if missing:
            return missing
        with self.vault.transaction():
            self.store.finalise(record)
            self.sync_queue.record_finalised(record, self.store.records_day(record.id))
            self._store_form_inputs(record.id, {})
            self.clear_resume()
        log.info("record finalised record_id=%s version=%d", record.id, record.version)
        return []

    def add_addendum(self, record: BaseRecord, day_id: str | None, reason: str, text: str) -> None:
        record.add_addendum(reason, text, self.vault.profile_name, self.clock.now())
        with self.vault.transaction():
            self.store.add_version(record, day_id)
            self.sync_queue.record_finalised(record, day_id)
        log.info("addendum added record_id=%s version=%d", record.id, record.version)

    # -- safeguarding ------------------------------------------------------------

    def raise_concern(
        self, record: BaseRecord, step: StepId, note: str, dsl_informed_at: dt.datetime | None = None
    ) -> SafeguardingConcern:
        """Raise a concern on a record and save it at once.

        On a finalised record the concern becomes a new version (an addendum),
        because safeguarding cannot wait for the record to be reopened.
        """
        concern = record.raise_concern(step, note, self.clock.now(), self.vault.profile_name, dsl_informed_at)
        self._save_concern_change(record)
        log.info("safeguarding concern raised record_id=%s concern_id=%s", record.id, concern.id)
        return concern

    def record_dsl_informed(
        self, record: BaseRecord, concern_id: str, informed_at: dt.datetime
    ) -> SafeguardingConcern:
        """Record when the DSL was informed of a concern, and save the record at once."""
        concern = record.record_dsl_informed(concern_id, informed_at, self.clock.now(), self.vault.profile_name)
        self._save_concern_change(record)
        log.info("DSL informed recorded record_id=%s concern_id=%s", record.id, concern_id)
        return concern

    def _save_concern_change(self, record: BaseRecord) -> None:
        if not record.is_finalised:
            self.store.save_draft(record)
            return
        # On a finalised record the change is a new version, synced like any addendum.
        day_id = self.store.records_day(record.id)
        with self.vault.transaction():
            self.store.add_version(record, day_id)
            self.sync_queue.record_finalised(record, day_id)

    def safeguarding_checklist(self, day_id: str) -> list[ChecklistItem]:
        """Return the end-of-day checklist: every concern on the day's records, DSL not yet informed first."""
        records = [self.store.load_record(row.id) for row in self.store.records(day_id)]
        return safeguarding_checklist(records)

    # -- where to resume after a crash ---------------------------------------

    def set_resume(self, record_id: str, step: StepId) -> None:
        with self.vault.transaction():
            self.vault.set_meta(RESUME_RECORD, record_id)
            self.vault.set_meta(RESUME_STEP, step.value)

    def clear_resume(self) -> None:
        with self.vault.transaction():
            self.vault.conn.execute("DELETE FROM meta WHERE key IN (?, ?)", (RESUME_RECORD, RESUME_STEP))

    def resume_step(self, record_id: str) -> StepId:
        """Return the step the record was last left on, or the first step if it was not the last record open."""
        resume = self.resume_point()
        return resume[1] if resume is not None and resume[0] == record_id else StepId.ATTENDEES

    def resume_point(self) -> tuple[str, StepId] | None:
        record_id = self.vault.meta(RESUME_RECORD)
        step = self.vault.meta(RESUME_STEP)
        if not record_id or not step:
            return None
        return record_id, StepId(step)
