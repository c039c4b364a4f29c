"""Attendance data in a session: importing exports, the school calendar and the measures.

Imports store nothing unless the whole file checked clean. Pupils and marks
of one file are written in one transaction, and every changed mark is
recorded in the audit log by its pupil id, date and session, never its
content.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from clinic_tui.domain.attendance import measure_attendance
from clinic_tui.domain.attendance_types import AttendanceMeasures
from clinic_tui.domain.calendar import SchoolCalendar
from clinic_tui.domain.pupil import Mark, Pupil
from clinic_tui.store.pupils import PupilStore
from clinic_tui.store.vault import Vault

log = logging.getLogger(__name__)

Progress = Callable[[int, "int | None"], None]

# Marks sent to SQLite per executemany call, and so per progress report.
_STORE_BATCH = 20_000


@dataclass(frozen=True)
class School:
    """The school whose data is in this vault."""

    name: str
    urn: str


@dataclass(frozen=True)
class PupilRow:
    """One pupil with their measures, for lists and summaries."""

    id: str
    pupil: Pupil
    measures: AttendanceMeasures


@dataclass(frozen=True)
class StoreOutcome:
    """Counts of what an import stored."""

    created: int = 0
    updated: int = 0
    marks_written: int = 0
    marks_changed: int = 0


class AttendanceService:
    """Pupils, marks and measures of one unlocked vault."""

    def __init__(self, vault: Vault, today: Callable[[], dt.date]) -> None:
        self.vault = vault
        self.pupils = PupilStore(vault)
        self._today = today
        self._rows: list[PupilRow] | None = None

    # -- school and calendar -------------------------------------------------

    def school(self) -> School:
        return School(self.vault.meta("school.name") or "", self.vault.meta("school.urn") or "")

    def set_school(self, school: School) -> None:
        with self.vault.transaction():
            self.vault.set_meta("school.name", school.name)
            self.vault.set_meta("school.urn", school.urn)
            self.vault.audit.append("school.set")

    def calendar(self) -> SchoolCalendar:
        """Return the school calendar for this academic year and the next.

        NOTE: real term dates are not imported yet; the calendar is the
        typical pattern for England (see ``SchoolCalendar.typical``).
        """
        return SchoolCalendar.for_date(self._today(), years=2)

    # -- measures ------------------------------------------------------------

    def rows(self, refresh: bool = False) -> list[PupilRow]:
        """Return every pupil with measures as of today, computed once per session."""
        if self._rows is None or refresh:
            self._rows = self._compute_rows()
        return self._rows

    def _compute_rows(self) -> list[PupilRow]:
        calendar = self.calendar()
        today = self._today()
        pupils = dict(self.pupils.all())
        marks: dict[str, list[tuple[dt.date, str, str]]] = {pupil_id: [] for pupil_id in pupils}
        for pupil_id, date, session, code in self.pupils.iter_marks():
            marks.setdefault(pupil_id, []).append((dt.date.fromisoformat(date), session, code))
        rows = [
            PupilRow(pupil_id, pupil, measure_attendance(marks[pupil_id], calendar, today))
            for pupil_id, pupil in pupils.items()
        ]
        rows.sort(key=lambda row: (row.pupil.surname.casefold(), row.pupil.forename.casefold()))
        return rows

    def row(self, pupil_id: str) -> PupilRow:
        for row in self.rows():
            if row.id == pupil_id:
                return row
        raise KeyError(f"no pupil with id {pupil_id}")

    def measure(self, pupil_id: str, *, since: dt.date | None = None, as_of: dt.date | None = None) -> AttendanceMeasures:
        marks = [(mark.date, mark.session.value, mark.code) for mark in self.pupils.marks_for(pupil_id)]
        return measure_attendance(marks, self.calendar(), as_of or self._today(), since=since)

    def marks(self, pupil_id: str) -> list[Mark]:
        return self.pupils.marks_for(pupil_id)

    # -- imports ---------------------------------------------------------------

    def known_pupils(self) -> dict[str, tuple[dt.date | None, dt.date | None]]:
        """Return each stored pupil's admission and leaving dates by UPN."""
        return {
            pupil.upn: (pupil.admission_date, pupil.leaving_date) for _, pupil in self.pupils.all()
        }

    def store_pupils(self, pupils: Iterable[Pupil]) -> StoreOutcome:
        """Insert or update pupils by UPN, all in one transaction."""
        created = updated = 0
        with self.vault.transaction():
            for pupil in pupils:
                pupil_id, is_new = self.pupils.upsert(pupil)
                self.vault.audit.append("pupil.create" if is_new else "pupil.update", pupil_id)
                created += is_new
                updated += not is_new
        self._rows = None
        log.info("pupils stored created=%d updated=%d", created, updated)
        return StoreOutcome(created=created, updated=updated)

    def store_marks(self, marks: Iterable[Mark], progress: Progress | None = None) -> StoreOutcome:
        """Insert marks, replacing changed ones, in one transaction.

        ``marks`` must have at most one mark per pupil, date and session, for
        pupils already stored. Raises KeyError for a UPN with no stored pupil
        and ValueError for a second mark for one session, and then stores
        nothing. The MarkTable of a read marks file is stored straight from
        its arrays, without a Mark object per mark.

        The marks go through a temporary table so that the changed ones are
        found with one join and written with one INSERT ... SELECT, instead
        of a look-up per mark.
        """
        rows = _mark_rows(marks, self.pupils.ids_by_upn())
        conn = self.vault.conn
        with self.vault.transaction():
            # The table has no key, because the marks are unique already and
            # an index would add about half to the time taken to fill it.
            conn.execute(
                "CREATE TEMP TABLE incoming_mark "
                "(pupil_id TEXT NOT NULL, date TEXT NOT NULL, session TEXT NOT NULL, code TEXT NOT NULL)"
            )
            try:
                written = self._insert_incoming(rows, progress)

                changed = conn.execute(
                    "SELECT i.pupil_id, i.date, i.session FROM incoming_mark AS i "
                    "JOIN mark AS m ON m.pupil_id = i.pupil_id AND m.date = i.date AND m.session = i.session "
                    "WHERE m.code != i.code ORDER BY i.pupil_id, i.date, i.session"
                ).fetchall()
                for pupil_id, date, session in changed:
                    self.vault.audit.append("mark.change", f"{pupil_id}/{date}/{session}")

                conn.execute(
                    "INSERT INTO mark (pupil_id, date, session, code) "
                    "SELECT pupil_id, date, session, code FROM incoming_mark WHERE true "
                    "ON CONFLICT (pupil_id, date, session) DO UPDATE SET code = excluded.code "
                    "WHERE mark.code != excluded.code"
                )
                self.vault.audit.append("marks.import")
            finally:
                conn.execute("DROP TABLE temp.incoming_mark")
        self._rows = None
        log.info("marks stored written=%d changed=%d", written, len(changed))
        return StoreOutcome(marks_written=written, marks_changed=len(changed))

    def _insert_incoming(self, rows: Iterator[tuple[str, str, str, str]], progress: Progress | None) -> int:
        """Insert ``rows`` into the temporary table in batches, reporting progress after each, and return their number."""
        written = 0
        while batch := list(islice(rows, _STORE_BATCH)):
            self.vault.conn.executemany("INSERT INTO incoming_mark VALUES (?, ?, ?, ?)", batch)
            written += len(batch)
            if progress is not None:
                progress(written, None)
        return written

    def import_pupils_file(self, path: Path, mapping: Path | None = None, progress: Progress | None = None):
        """Read, check and (only when clean) store a pupil list. Returns ``(result, outcome)``."""
        from clinic_tui.imports import load_mapping, read_pupils

        result = read_pupils(path, mapping=load_mapping(mapping) if mapping else None, progress=progress)
        if not result.ok:
            log.warning("pupil import rejected errors=%d", result.errors.total)
            return result, None
        return result, self.store_pupils(result.pupils)

    def import_marks_file(self, path: Path, mapping: Path | None = None, progress: Progress | None = None):
        """Read, check and (only when clean) store a marks file. Returns ``(result, outcome)``."""
        from clinic_tui.imports import load_mapping, read_marks

        result = read_marks(
            path, self.known_pupils(), mapping=load_mapping(mapping) if mapping else None, progress=progress
        )
        if not result.ok:
            log.warning("marks import rejected errors=%d", result.errors.total)
            return result, None
        return result, self.store_marks(result.marks)


def _mark_rows(marks: Iterable[Mark], ids: Mapping[str, str]) -> Iterator[tuple[str, str, str, str]]:
    """Return an iterator of ``(pupil id, ISO date, session, code)`` rows for ``marks``.

    Raises KeyError for a UPN missing from ``ids``, and ValueError for a
    second mark for one pupil, date and session, at the latest when the row
    is reached.
    """
    # Imported here because the import package is loaded only when a file
    # is imported, which keeps the app's start-up short.
    from clinic_tui.imports.mark_table import MarkTable

    # A MarkTable contains one mark per session already, so only other
    # iterables are checked for repeats.
    if isinstance(marks, MarkTable):
        return marks.records(ids)
    return _unique_mark_rows(marks, ids)


def _unique_mark_rows(marks: Iterable[Mark], ids: Mapping[str, str]) -> Iterator[tuple[str, str, str, str]]:
    seen: set[tuple[str, str, str]] = set()
    for mark in marks:
        row = (ids[mark.upn], mark.date.isoformat(), mark.session.value, mark.code)
        session = row[:3]
        if session in seen:
            raise ValueError(
                f"two marks for one pupil on {mark.date:%d/%m/%Y} {mark.session.value}: "
                "pass one mark per pupil, date and session"
            )
        seen.add(session)
        yield row
