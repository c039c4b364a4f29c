"""Pupils, marks and notes in the vault.

A pupil row keeps three encrypted columns: ``identity`` (UPN, names, date of
birth, gender), ``details`` (year, registration group, SEN, FSM, EAL, CIN,
child protection, looked after, admission and leaving dates) and
``contacts``. The only look-up column is ``upn_index``, a keyed hash of the
UPN, so an import can find an existing pupil without a plaintext UPN on disk.
Marks refer to the internal pupil id and hold only the date, session and code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator

from clinic_tui.domain.pupil import Contact, Mark, Pupil, SenStatus, Session
from clinic_tui.store.vault import Vault

_IDENTITY = ("upn", "surname", "forename", "preferred_name", "date_of_birth", "gender")
_DETAILS = (
    "year_group", "reg_group", "sen", "fsm", "eal", "first_language", "cin", "cp_plan",
    "looked_after", "admission_date", "leaving_date",
)
_DATES = {"date_of_birth", "admission_date", "leaving_date"}


def _to_json(pupil: Pupil, names: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in names:
        value = getattr(pupil, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, SenStatus):
            value = value.value
        out[name] = value
    return out


def _from_json(identity: dict, details: dict, contacts: list[dict]) -> Pupil:
    values = {**identity, **details}
    for name in _DATES:
        if values.get(name):
            values[name] = dt.date.fromisoformat(values[name])
    values["sen"] = SenStatus(values.get("sen", "N"))
    return Pupil(**values, contacts=[Contact(**contact) for contact in contacts])


class PupilStore:
    """Read and write pupils, marks and notes of one unlocked vault."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def upn_index(self, upn: str) -> str:
        return self.vault.cipher.blind_index("upn", upn.strip().upper())

    def id_for_upn(self, upn: str) -> str | None:
        row = self.vault.conn.execute(
            "SELECT id FROM pupil WHERE upn_index = ?", (self.upn_index(upn),)
        ).fetchone()
        return row[0] if row else None

    def ids_by_upn(self) -> dict[str, str]:
        """Return every pupil's internal id keyed by UPN (decrypts every identity)."""
        return {pupil.upn: pupil_id for pupil_id, pupil in self.all()}

    def upsert(self, pupil: Pupil) -> tuple[str, bool]:
        """Insert or replace a pupil found by UPN; return ``(id, created)``.

        Call inside a vault transaction when writing many pupils.
        """
        existing = self.id_for_upn(pupil.upn)
        pupil_id = existing or str(uuid.uuid4())
        seal = self.vault.seal_json
        row = (
            seal("pupil", pupil_id, "identity", _to_json(pupil, _IDENTITY)),
            seal("pupil", pupil_id, "details", _to_json(pupil, _DETAILS)),
            seal("pupil", pupil_id, "contacts", [dataclasses.asdict(c) for c in pupil.contacts]),
            self.vault.clock().isoformat(timespec="seconds"),
        )
        if existing:
            self.vault.conn.execute(
                "UPDATE pupil SET identity = ?, details = ?, contacts = ?, updated_at = ? WHERE id = ?",
                (*row, pupil_id),
            )
        else:
            self.vault.conn.execute(
                "INSERT INTO pupil (id, upn_index, identity, details, contacts, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (pupil_id, self.upn_index(pupil.upn), *row),
            )
        return pupil_id, existing is None

    def get(self, pupil_id: str) -> Pupil:
        row = self.vault.conn.execute(
            "SELECT id, identity, details, contacts FROM pupil WHERE id = ?", (pupil_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no pupil with id {pupil_id}")
        return self._decode(row)

    def all(self) -> list[tuple[str, Pupil]]:
        rows = self.vault.conn.execute("SELECT id, identity, details, contacts FROM pupil")
        return [(row[0], self._decode(row)) for row in rows]

    def _decode(self, row: tuple) -> Pupil:
        pupil_id, identity, details, contacts = row
        open_json = self.vault.open_json
        return _from_json(
            open_json("pupil", pupil_id, "identity", identity),
            open_json("pupil", pupil_id, "details", details),
            open_json("pupil", pupil_id, "contacts", contacts),
        )

    def count(self) -> int:
        return self.vault.conn.execute("SELECT count(*) FROM pupil").fetchone()[0]

    # -- marks -----------------------------------------------------------

    def marks_for(self, pupil_id: str) -> list[Mark]:
        """Return one pupil's marks in date and session order (``upn`` left blank)."""
        rows = self.vault.conn.execute(
            "SELECT date, session, code FROM mark WHERE pupil_id = ? ORDER BY date, session", (pupil_id,)
        )
        return [Mark("", dt.date.fromisoformat(d), Session(s), code) for d, s, code in rows]

    def iter_marks(self) -> Iterator[tuple[str, str, str, str]]:
        """Yield ``(pupil_id, iso_date, session, code)`` for every mark, grouped by pupil."""
        yield from self.vault.conn.execute(
            "SELECT pupil_id, date, session, code FROM mark ORDER BY pupil_id, date, session"
        )

    def put_marks(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        """Insert or replace marks given as ``(pupil_id, iso_date, session, code)``."""
        self.vault.conn.executemany(
            "INSERT INTO mark (pupil_id, date, session, code) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (pupil_id, date, session) DO UPDATE SET code = excluded.code",
            rows,
        )

    # -- notes -----------------------------------------------------------

    def add_note(self, pupil_id: str | None, text: str) -> str:
        note_id = str(uuid.uuid4())
        with self.vault.transaction():
            self.vault.conn.execute(
                "INSERT INTO note (id, pupil_id, created_at, author, body) VALUES (?, ?, ?, ?, ?)",
                (
                    note_id,
                    pupil_id,
                    self.vault.clock().isoformat(timespec="seconds"),
                    self.vault.profile_name,
                    self.vault.cipher.encrypt("note", note_id, "body", text.encode("utf-8")),
                ),
            )
            self.vault.audit.append("note.add", note_id)
        return note_id

    def notes_for(self, pupil_id: str) -> list[tuple[str, str, str]]:
        rows = self.vault.conn.execute(
            "SELECT id, created_at, body FROM note WHERE pupil_id = ? ORDER BY created_at", (pupil_id,)
        )
        return [
            (note_id, created, self.vault.cipher.decrypt("note", note_id, "body", body).decode("utf-8"))
            for note_id, created, body in rows
        ]
