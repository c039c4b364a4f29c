"""Clinic days and meeting records in the vault.

Each day and each record version is one row whose ``body`` is the domain
object's ``to_dict()`` as encrypted JSON. The plaintext columns hold only
ids, dates, states and times, which the app needs to find rows without
decrypting everything.

A draft record is saved in place as the officer types. Finalising writes the
final body and flips the state in one transaction; from then on a trigger
rejects any UPDATE of that row, and an addendum is inserted as the next
version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.record import BaseRecord
from clinic_tui.domain.review import ReviewRecord
from clinic_tui.store.vault import Vault

_RECORD_TYPES: dict[str, type[BaseRecord]] = {"meeting": MeetingRecord, "review": ReviewRecord}


def _record_row_id(record_id: str, version: int) -> str:
    return f"{record_id}:{version}"


@dataclass(frozen=True)
class RecordRow:
    """The plaintext columns of one record version, read without decrypting its body."""

    id: str
    version: int
    kind: str
    day_id: str | None
    slot_id: str | None
    state: str
    updated_at: str


class RecordStore:
    """Read and write clinic days and meeting records of one unlocked vault."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def _now(self) -> str:
        return self.vault.clock().astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")

    # -- days --------------------------------------------------------------

    def save_day(self, day: ClinicDay, action: str = "day.save") -> None:
        body = self.vault.seal_json("clinic_day", day.id, "body", day.to_dict())
        with self.vault.transaction():
            self.vault.conn.execute(
                "INSERT INTO clinic_day (id, date, body, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET date = excluded.date, body = excluded.body, "
                "updated_at = excluded.updated_at",
                (day.id, day.date.isoformat(), body, self._now()),
            )
            self.vault.audit.append(action, day.id)

    def load_day(self, day_id: str) -> ClinicDay:
        row = self.vault.conn.execute("SELECT body FROM clinic_day WHERE id = ?", (day_id,)).fetchone()
        if row is None:
            raise KeyError(f"no clinic day with id {day_id}")
        return ClinicDay.from_dict(self.vault.open_json("clinic_day", day_id, "body", row[0]))

    def days_on(self, date: dt.date) -> list[ClinicDay]:
        rows = self.vault.conn.execute(
            "SELECT id FROM clinic_day WHERE date = ? ORDER BY id", (date.isoformat(),)
        ).fetchall()
        return [self.load_day(row[0]) for row in rows]

    def day_dates(self) -> list[tuple[str, dt.date]]:
        rows = self.vault.conn.execute("SELECT id, date FROM clinic_day ORDER BY date, id")
        return [(day_id, dt.date.fromisoformat(date)) for day_id, date in rows]

    # -- records -----------------------------------------------------------

    def create_record(self, record: BaseRecord, day_id: str | None) -> None:
        """Insert a new draft record (version 1)."""
        now = self._now()
        with self.vault.transaction():
            self.vault.conn.execute(
                "INSERT INTO record (id, version, kind, day_id, slot_id, state, body, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?)",
                (
                    record.id, record.version, record.RECORD_TYPE, day_id, record.slot_id,
                    self._seal(record), now, now,
                ),
            )
            self.vault.audit.append(f"{record.RECORD_TYPE}.create", record.id)

    def save_draft(self, record: BaseRecord) -> None:
        """Write the current state of a draft record (the autosave)."""
        if record.is_finalised:
            raise ValueError(f"record {record.id} is finalised; save it with finalise() or add_version()")
        with self.vault.transaction():
            updated = self.vault.conn.execute(
                "UPDATE record SET body = ?, updated_at = ? WHERE id = ? AND version = ? AND state = 'draft'",
                (self._seal(record), self._now(), record.id, record.version),
            ).rowcount
        if updated != 1:
            raise KeyError(f"no draft of record {record.id} version {record.version} to save")

    def finalise(self, record: BaseRecord) -> None:
        """Store a record that the domain has just finalised, and lock its row."""
        if not record.is_finalised:
            raise ValueError(f"record {record.id} is not finalised yet")
        with self.vault.transaction():
            updated = self.vault.conn.execute(
                "UPDATE record SET body = ?, state = 'finalised', updated_at = ?, finalised_at = ? "
                "WHERE id = ? AND version = ? AND state = 'draft'",
                (self._seal(record), self._now(), record.finalised_at.isoformat(), record.id, record.version),
            ).rowcount
            if updated != 1:
                raise KeyError(f"no draft of record {record.id} version {record.version} to finalise")
            self.vault.audit.append(f"{record.RECORD_TYPE}.finalise", record.id)

    def add_version(self, record: BaseRecord, day_id: str | None) -> None:
        """Insert a new finalised version, made by an addendum to a finalised record."""
        now = self._now()
        with self.vault.transaction():
            self.vault.conn.execute(
                "INSERT INTO record (id, version, kind, day_id, slot_id, state, body, created_at, "
                "updated_at, finalised_at) VALUES (?, ?, ?, ?, ?, 'finalised', ?, ?, ?, ?)",
                (
                    record.id, record.version, record.RECORD_TYPE, day_id, record.slot_id,
                    self._seal(record), now, now, record.finalised_at.isoformat(),
                ),
            )
            self.vault.audit.append(f"{record.RECORD_TYPE}.addendum", record.id)

    def load_record(self, record_id: str, version: int | None = None) -> BaseRecord:
        """Load one version of a record, the latest by default."""
        if version is None:
            row = self.vault.conn.execute(
                "SELECT kind, version, body FROM record WHERE id = ? ORDER BY version DESC LIMIT 1",
                (record_id,),
            ).fetchone()
        else:
            row = self.vault.conn.execute(
                "SELECT kind, version, body FROM record WHERE id = ? AND version = ?", (record_id, version)
            ).fetchone()
        if row is None:
            raise KeyError(f"no record with id {record_id}")
        kind, found_version, body = row
        data = self.vault.open_json("record", _record_row_id(record_id, found_version), "body", body)
        return _RECORD_TYPES[kind].from_dict(data)

    def record_for_slot(self, slot_id: str) -> RecordRow | None:
        row = self.vault.conn.execute(
            "SELECT id, version, kind, day_id, slot_id, state, updated_at FROM record "
            "WHERE slot_id = ? ORDER BY version DESC LIMIT 1",
            (slot_id,),
        ).fetchone()
        return RecordRow(*row) if row else None

    def records(self, day_id: str | None = None) -> list[RecordRow]:
        """Return the latest version of every record, optionally for one day."""
        query = (
            "SELECT id, max(version), kind, day_id, slot_id, state, updated_at FROM record "
            + ("WHERE day_id = ? " if day_id else "")
            + "GROUP BY id ORDER BY created_at"
        )
        rows = self.vault.conn.execute(query, (day_id,) if day_id else ())
        return [RecordRow(*row) for row in rows]

    def records_day(self, record_id: str) -> str | None:
        row = self.vault.conn.execute("SELECT day_id FROM record WHERE id = ? LIMIT 1", (record_id,)).fetchone()
        return row[0] if row else None

    def versions(self, record_id: str) -> list[RecordRow]:
        rows = self.vault.conn.execute(
            "SELECT id, version, kind, day_id, slot_id, state, updated_at FROM record WHERE id = ? ORDER BY version",
            (record_id,),
        )
        return [RecordRow(*row) for row in rows]

    def raw_body(self, record_id: str, version: int) -> dict:
        """Return one stored version's decrypted dict, for sealing and documents."""
        row = self.vault.conn.execute(
            "SELECT body FROM record WHERE id = ? AND version = ?", (record_id, version)
        ).fetchone()
        if row is None:
            raise KeyError(f"no record {record_id} version {version}")
        return self.vault.open_json("record", _record_row_id(record_id, version), "body", row[0])

    def _seal(self, record: BaseRecord) -> bytes:
        return self.vault.seal_json("record", _record_row_id(record.id, record.version), "body", record.to_dict())
