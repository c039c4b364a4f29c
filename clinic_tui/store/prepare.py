"""Invitations and the contact log in the vault.

An invitation row keeps the whole ``Invitation.to_dict()`` (pupils, the
named decision, status and slot) as encrypted JSON in ``body``. Only the
status, the slot id and the times are plaintext, and the pupils it covers
are listed in ``invitation_pupil`` by internal id. A contact log row works
the same way, with ``contact_pupil`` listing its pupils. Contact entries are
only ever inserted: a trigger rejects any UPDATE.

Every write appends one audit entry naming the row's id, never its content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from clinic_tui.domain.prepare import ContactEntry, Invitation, InvitationStatus
from clinic_tui.store.vault import Vault


def _utc_text(moment: dt.datetime) -> str:
    # A fixed width and zone make text order the same as time order.
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class InvitationRow:
    """A stored invitation with the times it was first saved and last changed."""

    invitation: Invitation
    created_at: dt.datetime
    updated_at: dt.datetime


class PrepareStore:
    """Read and write the invitations and contact log of one unlocked vault."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    # -- invitations -------------------------------------------------------

    def add_invitation(self, invitation: Invitation, at: dt.datetime) -> None:
        """Insert a new invitation and the pupils it covers, in one transaction."""
        stamp = _utc_text(at)
        with self.vault.transaction():
            self.vault.conn.execute(
                "INSERT INTO invitation (id, status, slot_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (invitation.id, invitation.status.value, invitation.slot_id, self._seal(invitation), stamp, stamp),
            )
            self.vault.conn.executemany(
                "INSERT INTO invitation_pupil (invitation_id, pupil_id) VALUES (?, ?)",
                [(invitation.id, pupil_id) for pupil_id in invitation.pupil_ids],
            )
            self.vault.audit.append("invitation.decide", invitation.id)

    def update_invitation(self, invitation: Invitation, at: dt.datetime, action: str) -> None:
        """Store a changed status or slot of an existing invitation.

        ``action`` names the change in the audit log, such as "invitation.schedule".
        The pupils of an invitation never change, because the decision was
        made about those pupils.
        """
        with self.vault.transaction():
            stored = self.vault.conn.execute(
                "SELECT pupil_id FROM invitation_pupil WHERE invitation_id = ? ORDER BY pupil_id", (invitation.id,)
            ).fetchall()
            if not stored:
                raise KeyError(f"no invitation with id {invitation.id}")
            if sorted(row[0] for row in stored) != sorted(invitation.pupil_ids):
                raise ValueError(
                    f"invitation {invitation.id} was decided for other pupils. Decide a new invitation instead."
                )

            self.vault.conn.execute(
                "UPDATE invitation SET status = ?, slot_id = ?, body = ?, updated_at = ? WHERE id = ?",
                (invitation.status.value, invitation.slot_id, self._seal(invitation), _utc_text(at), invitation.id),
            )
            self.vault.audit.append(action, invitation.id)

    def invitation(self, invitation_id: str) -> InvitationRow:
        row = self.vault.conn.execute(
            "SELECT id, body, created_at, updated_at FROM invitation WHERE id = ?", (invitation_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no invitation with id {invitation_id}")
        return self._row(row)

    def invitations(
        self, *, statuses: Iterable[InvitationStatus] | None = None, pupil_id: str | None = None
    ) -> list[InvitationRow]:
        """Return invitations in the order they were decided, optionally by status or for one pupil."""
        query = "SELECT i.id, i.body, i.created_at, i.updated_at FROM invitation AS i"
        conditions: list[str] = []
        parameters: list[str] = []
        if pupil_id is not None:
            query += " JOIN invitation_pupil AS p ON p.invitation_id = i.id"
            conditions.append("p.pupil_id = ?")
            parameters.append(pupil_id)
        if statuses is not None:
            values = [status.value for status in statuses]
            conditions.append(f"i.status IN ({', '.join('?' for _ in values)})")
            parameters.extend(values)
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " ORDER BY i.created_at, i.id"
        return [self._row(row) for row in self.vault.conn.execute(query, parameters).fetchall()]

    def _row(self, row: tuple[str, bytes, str, str]) -> InvitationRow:
        invitation_id, body, created_at, updated_at = row
        data = self.vault.open_json("invitation", invitation_id, "body", body)
        return InvitationRow(
            Invitation.from_dict(data), dt.datetime.fromisoformat(created_at), dt.datetime.fromisoformat(updated_at)
        )

    def _seal(self, invitation: Invitation) -> bytes:
        return self.vault.seal_json("invitation", invitation.id, "body", invitation.to_dict())

    # -- contact log ---------------------------------------------------------

    def add_contacts(self, entries: Iterable[ContactEntry], recorded_at: dt.datetime) -> None:
        """Insert contact entries and their pupils, all in one transaction."""
        stamp = _utc_text(recorded_at)
        with self.vault.transaction():
            for entry in entries:
                body = self.vault.seal_json("contact_log", entry.id, "body", entry.to_dict())
                self.vault.conn.execute(
                    "INSERT INTO contact_log (id, at, body, created_at) VALUES (?, ?, ?, ?)",
                    (entry.id, _utc_text(entry.at), body, stamp),
                )
                self.vault.conn.executemany(
                    "INSERT INTO contact_pupil (contact_id, pupil_id) VALUES (?, ?)",
                    [(entry.id, pupil_id) for pupil_id in entry.pupil_ids],
                )
                self.vault.audit.append("contact.add", entry.id)

    def contacts(self, pupil_ids: Iterable[str] | None = None) -> list[ContactEntry]:
        """Return contacts in time order: every one, or those about any of ``pupil_ids``."""
        if pupil_ids is None:
            rows = self.vault.conn.execute("SELECT id, body FROM contact_log ORDER BY at, id").fetchall()
        else:
            ids = sorted(set(pupil_ids))
            if not ids:
                return []
            placeholders = ", ".join("?" for _ in ids)
            rows = self.vault.conn.execute(
                "SELECT c.id, c.body FROM contact_log AS c WHERE c.id IN "
                f"(SELECT contact_id FROM contact_pupil WHERE pupil_id IN ({placeholders})) ORDER BY c.at, c.id",
                ids,
            ).fetchall()
        return [ContactEntry.from_dict(self.vault.open_json("contact_log", row[0], "body", row[1])) for row in rows]
