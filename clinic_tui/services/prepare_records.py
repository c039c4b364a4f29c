"""Finalised meeting records and anonymised day summaries, written as PDF and DOCX.

Each export appends an audit entry naming the record or day id, because a
record carries personal data out of the vault. A day summary contains
counts only, and its export is recorded the same way.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from clinic_tui.domain.checks import InvalidValue
from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.services.prepare_letters import output_folder
from clinic_tui.store.records import RecordRow

if TYPE_CHECKING:
    from clinic_tui.services.prepare import PrepareService

log = logging.getLogger(__name__)


class RecordService:
    """Writes a day's finalised meeting records and its summary into a folder."""

    def __init__(self, prepare: PrepareService) -> None:
        self.prepare = prepare

    def finalised_records(self, day: ClinicDay) -> list[RecordRow]:
        """Return the finalised first-meeting records of ``day``, latest version of each."""
        return [
            row for row in self.prepare.days.store.records(day.id) if row.kind == "meeting" and row.state == "finalised"
        ]

    def write_record(self, record_id: str, folder: Path, *, make_folder: bool = False) -> list[Path]:
        """Write the latest version of a finalised meeting record as PDF and DOCX into ``folder``."""
        from clinic_tui.documents import render_meeting_record, write_docx, write_pdf

        try:
            record = self.prepare.days.load_record(record_id)
        except KeyError:
            raise InvalidValue(
                f"no meeting record with id {record_id!r} in this vault. Copy the id from the day's record list."
            ) from None
        if not isinstance(record, MeetingRecord):
            raise InvalidValue(f"record {record_id} is a review record. Only first meeting records can be exported.")

        pupils = self.prepare.pupils()
        names = {pupil_id: pupils[pupil_id].display_name for pupil_id in record.pupil_ids if pupil_id in pupils}
        day_id = self.prepare.days.store.records_day(record_id)
        school_name = self.prepare.days.load(day_id).settings.school_name if day_id else ""
        document = render_meeting_record(
            record,
            pupil_names=names,
            school_name=school_name or self.prepare.attendance.school().name,
            organisation_name=self.prepare.workspace.config.general.organisation_name,
        )

        folder = output_folder(folder, make_folder)
        stem = folder / f"meeting-record-{record.meeting_date:%Y-%m-%d}-{record.id}-v{record.version}"
        paths = [write_pdf(document, stem.with_suffix(".pdf")), write_docx(document, stem.with_suffix(".docx"))]
        with self.prepare.vault.transaction():
            self.prepare.vault.audit.append("record.export", record.id)
        log.info("meeting record written record_id=%s version=%d", record.id, record.version)
        return paths

    def write_day_summary(self, day: ClinicDay, folder: Path, *, make_folder: bool = False) -> list[Path]:
        """Write the anonymised counts-only summary of ``day`` as PDF and DOCX into ``folder``."""
        from clinic_tui.documents import render_day_summary, write_docx, write_pdf

        store = self.prepare.days.store
        records = [store.load_record(row.id) for row in store.records(day.id)]
        document = render_day_summary(day, records)

        folder = output_folder(folder, make_folder)
        stem = folder / f"day-summary-{day.date:%Y-%m-%d}"
        paths = [write_pdf(document, stem.with_suffix(".pdf")), write_docx(document, stem.with_suffix(".docx"))]
        with self.prepare.vault.transaction():
            self.prepare.vault.audit.append("day.summary_export", day.id)
        log.info("day summary written day_id=%s records=%d", day.id, len(records))
        return paths
