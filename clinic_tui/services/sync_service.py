"""End-of-day sync of one unlocked profile: enrolment, the outbox, sealing, receipts and purging.

``SyncQueue`` puts each finalised record version and its impact rows in
the vault's outbox, inside the transaction that finalises the record.
``SyncService`` enrols the profile with a central store, runs a sync pass
over a transport (``sync.FolderTransport`` for a USB stick or shared
folder, ``sync.DirectTransport`` for an unlocked central store on the same
machine) and purges records whose receipt is older than
``keep_days_after_receipt``.

Records are sealed as an envelope: the record version, the identity of its
pupils and the school, so an authorised reader at the central store can
tell whom the record is about. Only the central store's key opens it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from clinic_tui.config import SyncConfig
from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.review import ReviewRecord
from clinic_tui.services.attendance import AttendanceService
from clinic_tui.services.clock import Clock
from clinic_tui.services.impact_rows import ImpactFacts, ImpactRowError, did_not_attend_facts, meeting_facts, review_facts
from clinic_tui.store.records import RecordStore
from clinic_tui.store.vault import Vault
from sync import (
    Enrolment,
    ImpactRow,
    ItemKey,
    Outbox,
    RecordVersion,
    Registration,
    SyncReport,
    Transport,
    make_registration,
    pseudonymise,
    seal_recovery,
    sync_once,
)
from sync.bundle import IMPACT, RECORD
from sync.fsio import LOCAL_FS, atomic_write

log = logging.getLogger(__name__)

ENVELOPE_FORMAT = "clinic-day record envelope"
ENVELOPE_VERSION = 1
OUTBOX_FOLDER = "outbox"
DESTINATION_KEY = "sync.destination"

# Called with a stage ("sealing", "sending", "receipts"), items done and the total.
Progress = Callable[[str, int, int], None]


class SyncSetupError(Exception):
    """The profile cannot sync yet, or an enrolment step failed; the message states what to do next."""


@dataclass(frozen=True)
class SyncStatus:
    """Enrolment and counts of record versions by sync state, for the sync and home screens."""

    enrolled: bool
    organisation_name: str
    fingerprint: str
    last_sync_at: dt.datetime | None
    pending: int
    sent: int
    acknowledged: int
    quarantined: int
    overdue: int
    oldest_waiting: dt.datetime | None


@dataclass(frozen=True)
class RecordResult:
    """The outbox state of one record version after a sync pass."""

    record_id: str
    version: int
    state: str


@dataclass
class SyncResult:
    """The outcome of ``SyncService.sync``: a line per record version, impact counts and errors."""

    records: list[RecordResult] = field(default_factory=list)
    impact_acknowledged: int = 0
    impact_waiting: int = 0
    bundles_sent: int = 0
    purged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class SyncQueue:
    """Queue finalised record versions and did-not-attend slots, with their impact rows, in the outbox."""

    def __init__(self, vault: Vault, attendance: AttendanceService, records: RecordStore) -> None:
        self.vault = vault
        self.attendance = attendance
        self.records = records

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.vault.conn, profile_id=self.vault.profile_id)

    def record_finalised(self, record: MeetingRecord | ReviewRecord, day_id: str | None) -> None:
        """Queue a finalised record version, and its impact rows the first time the record is queued.

        Runs inside the caller's transaction when one is open. A pupil whose
        data cannot make an impact row (no year group) gets none, and the
        warning names the record and pupil ids only, so finalising never fails
        for the sake of the anonymised log.
        """
        with self.vault.transaction():
            self.outbox.enqueue_record(record.id, record.version)
            if self._has_facts(record.id):
                return
            try:
                facts = self._facts_for(record, day_id)
            except ImpactRowError as error:
                log.warning("no impact row record_id=%s: %s", record.id, error)
                return
            for item in facts:
                self._store_facts(item, "record", record.id, record.version)

    def did_not_attend(self, day: ClinicDay, slot_id: str) -> None:
        """Queue the impact rows of a slot just marked did-not-attend."""
        slot = day.slot(slot_id)
        follow_up = next(item for item in reversed(day.follow_ups) if item.slot_id == slot_id)
        pupils = {pupil_id: self.attendance.pupils.get(pupil_id) for pupil_id in slot.family}
        try:
            facts = did_not_attend_facts(slot, day.date, day.settings.school_urn, follow_up.kind, pupils,
                                         self.attendance)
        except ImpactRowError as error:
            log.warning("no impact row slot_id=%s: %s", slot_id, error)
            return
        with self.vault.transaction():
            for item in facts:
                self._store_facts(item, "did_not_attend", slot_id, 1)

    def sweep(self) -> int:
        """Queue finalised record versions that are missing from the outbox; return how many.

        Every path that finalises a version should queue it at once. This
        catches any path that did not, so no finalised version is left out of
        a sync.
        """
        rows = self.vault.conn.execute(
            "SELECT r.id, r.version, r.day_id FROM record AS r LEFT JOIN sync_outbox_items AS o"
            " ON o.item_type = 'record' AND o.item_id = r.id AND o.version = r.version"
            " WHERE r.state = 'finalised' AND o.item_id IS NULL ORDER BY r.finalised_at"
        ).fetchall()
        for record_id, version, day_id in rows:
            record = self.records.load_record(record_id, version)
            assert isinstance(record, (MeetingRecord, ReviewRecord))
            self.record_finalised(record, day_id)
        return len(rows)

    def facts(self, impact_id: str, version: int) -> tuple[ImpactFacts, str]:
        """Return the stored facts of an impact row version and the id of its row in ``sync_impact``."""
        row = self.vault.conn.execute(
            "SELECT body FROM sync_impact WHERE impact_id = ? AND version = ?", (impact_id, version)
        ).fetchone()
        if row is None:
            raise KeyError(f"no impact row {impact_id} version {version} in this vault")
        row_id = f"{impact_id}:{version}"
        return ImpactFacts.from_json(self.vault.open_json("sync_impact", row_id, "body", row[0])), row_id

    def _has_facts(self, source_id: str) -> bool:
        row = self.vault.conn.execute("SELECT 1 FROM sync_impact WHERE source_id = ? LIMIT 1", (source_id,))
        return row.fetchone() is not None

    def _facts_for(self, record: MeetingRecord | ReviewRecord, day_id: str | None) -> list[ImpactFacts]:
        pupils = {pupil_id: self.attendance.pupils.get(pupil_id) for pupil_id in record.pupil_ids}
        if isinstance(record, MeetingRecord):
            urn = self.records.load_day(day_id).settings.school_urn if day_id else self.attendance.school().urn
            return meeting_facts(record, urn, pupils, self.attendance)

        earlier = self._latest_facts_of(record.reviewed_record_id)
        try:
            meeting_date = self.records.load_record(record.reviewed_record_id).meeting_date
        except KeyError:
            # The reviewed record was purged; its rows still give the month.
            meeting_date = dt.date.fromisoformat(next(iter(earlier.values())).month + "-01") if earlier else (
                record.meeting_date)
        return review_facts(record, earlier, pupils, self.attendance, meeting_date)

    def _latest_facts_of(self, source_id: str) -> dict[str, ImpactFacts]:
        """Return, by pupil, the latest version of each impact row that ``source_id`` started or extended."""
        rows = self.vault.conn.execute(
            "SELECT s.impact_id, max(s.version) FROM sync_impact AS s WHERE s.impact_id IN"
            " (SELECT impact_id FROM sync_impact WHERE source_id = ?) GROUP BY s.impact_id",
            (source_id,),
        ).fetchall()
        latest = [self.facts(impact_id, version)[0] for impact_id, version in rows]
        return {item.pupil_id: item for item in latest}

    def _store_facts(self, item: ImpactFacts, source: str, source_id: str, source_version: int) -> None:
        row_id = f"{item.impact_id}:{item.version}"
        body = self.vault.seal_json("sync_impact", row_id, "body", item.to_json())
        self.vault.conn.execute(
            "INSERT INTO sync_impact (impact_id, version, source, source_id, source_version, pupil_id, body,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (item.impact_id, item.version, source, source_id, source_version, item.pupil_id, body,
             self.vault.clock().astimezone(dt.timezone.utc).isoformat(timespec="seconds")),
        )
        self.outbox.enqueue_impact(item.impact_id, item.version)


class SyncService:
    """Enrolment, sync passes and purging for one unlocked vault."""

    def __init__(self, vault: Vault, clock: Clock, attendance: AttendanceService, config: SyncConfig) -> None:
        self.vault = vault
        self.clock = clock
        self.attendance = attendance
        self.config = config
        self.records = RecordStore(vault)
        self.queue = SyncQueue(vault, attendance, self.records)

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.vault.conn, profile_id=self.vault.profile_id, clock=self.clock.now)

    @property
    def bundle_dir(self) -> Path:
        """The folder next to the vault where bundles wait until their receipt is applied."""
        return self.vault.path.parent / OUTBOX_FOLDER

    # -- enrolment -------------------------------------------------------------

    def enrolment(self) -> Enrolment | None:
        row = self.vault.conn.execute("SELECT enrolment FROM sync_enrolment WHERE id = 1").fetchone()
        if row is None:
            return None
        return Enrolment.from_bytes(self.vault.cipher.decrypt("sync_enrolment", "1", "enrolment", row[0]))

    def _signer(self) -> ed25519.Ed25519PrivateKey:
        (blob,) = self.vault.conn.execute("SELECT signing_key FROM sync_enrolment WHERE id = 1").fetchone()
        raw = self.vault.cipher.decrypt("sync_enrolment", "1", "signing_key", blob)
        return ed25519.Ed25519PrivateKey.from_private_bytes(raw)

    def enrol(self, enrolment: Enrolment, registration_path: Path) -> Registration:
        """Store the enrolment, make the signing key and the recovery slot, and write the registration file.

        Enrolling again with the same organisation keeps the signing key and
        writes the registration file again. Raises ``SyncSetupError`` when
        the profile is enrolled with another organisation.
        """
        current = self.enrolment()
        if current is not None and current.organisation_id != enrolment.organisation_id:
            raise SyncSetupError(
                f"This profile is enrolled with {current.organisation_name} (organisation "
                f"{current.organisation_id}), so it cannot enrol with {enrolment.organisation_name} too. "
                "Create another profile for the other organisation and enrol that one."
            )

        signer = self._signer() if current is not None else ed25519.Ed25519PrivateKey.generate()
        registration = make_registration(
            signer, organisation_id=enrolment.organisation_id, profile_id=self.vault.profile_id,
            profile_name=self.vault.profile_name, device_id=self.vault.device_id,
        )
        sealed = seal_recovery(self.vault.data_key_for_recovery(), enrolment.recipient_public,
                               profile_id=self.vault.profile_id, organisation_id=enrolment.organisation_id)
        cipher = self.vault.cipher
        with self.vault.transaction():
            self.vault.conn.execute(
                "INSERT INTO sync_enrolment (id, organisation_id, fingerprint, enrolment, signing_key, enrolled_at)"
                " VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET enrolment = excluded.enrolment",
                (enrolment.organisation_id, registration.fingerprint,
                 cipher.encrypt("sync_enrolment", "1", "enrolment", enrolment.to_bytes()),
                 cipher.encrypt("sync_enrolment", "1", "signing_key", signer.private_bytes_raw()),
                 self._now_text()),
            )
            self.vault.set_recovery_slot(sealed, {"format": "clinic-day recovery v1",
                                                  "organisation_id": enrolment.organisation_id,
                                                  "recipient": enrolment.recipient_key_id})
            self.vault.audit.append("sync.enrol")

        atomic_write(LOCAL_FS, registration_path, registration.to_bytes(), description="registration file")
        log.info("profile enrolled organisation_id=%s fingerprint=%s", enrolment.organisation_id,
                 registration.fingerprint)
        return registration

    # -- destination -------------------------------------------------------------

    def destination(self) -> tuple[str, Path] | None:
        """Return the kind ("folder" or "central") and path of the last destination synced to, if any."""
        saved = self.vault.meta(DESTINATION_KEY)
        if not saved:
            return None
        value = json.loads(saved)
        return value["kind"], Path(value["path"])

    def remember_destination(self, kind: str, path: Path) -> None:
        with self.vault.transaction():
            self.vault.set_meta(DESTINATION_KEY, json.dumps({"kind": kind, "path": str(path.resolve())}))

    # -- status ------------------------------------------------------------------

    def status(self) -> SyncStatus:
        """Count record versions by sync state and find those waiting longer than ``warn_unsynced_days``."""
        conn = self.vault.conn
        enrolment_row = conn.execute("SELECT fingerprint, last_sync_at FROM sync_enrolment WHERE id = 1").fetchone()
        enrolment = self.enrolment() if enrolment_row else None

        states: dict[str, int] = {}
        waiting: list[dt.datetime] = []
        rows = conn.execute(
            "SELECT coalesce(o.state, 'pending'), r.finalised_at FROM record AS r LEFT JOIN sync_outbox_items AS o"
            " ON o.item_type = 'record' AND o.item_id = r.id AND o.version = r.version WHERE r.state = 'finalised'"
        )
        for state, finalised_at in rows:
            states[state] = states.get(state, 0) + 1
            if state != "acknowledged":
                waiting.append(dt.datetime.fromisoformat(finalised_at))
        # Purged records are gone from the record table but stay acknowledged in the outbox.
        (acknowledged,) = conn.execute(
            "SELECT count(*) FROM sync_outbox_items WHERE item_type = 'record' AND state = 'acknowledged'"
        ).fetchone()

        cutoff = self.clock.now() - dt.timedelta(days=self.config.warn_unsynced_days)
        last = enrolment_row[1] if enrolment_row else None
        return SyncStatus(
            enrolled=enrolment is not None,
            organisation_name=enrolment.organisation_name if enrolment else "",
            fingerprint=enrolment_row[0] if enrolment_row else "",
            last_sync_at=dt.datetime.fromisoformat(last) if last else None,
            pending=states.get("pending", 0),
            sent=states.get("sealed", 0) + states.get("sent", 0),
            acknowledged=acknowledged,
            quarantined=states.get("quarantined", 0),
            overdue=sum(1 for moment in waiting if moment < cutoff),
            oldest_waiting=min(waiting) if waiting else None,
        )

    # -- sync --------------------------------------------------------------------

    def sync(self, transport: Transport, *, progress: Progress | None = None, purge: bool = True) -> SyncResult:
        """Seal what is pending, send it, apply the receipts that came back and, on success, purge.

        A pass with no errors counts as a successful sync: its time is stored
        and, unless ``purge`` is False, records whose receipt is older than
        ``keep_days_after_receipt`` are purged. Raises ``SyncSetupError`` when
        the profile is not enrolled.
        """
        enrolment = self.enrolment()
        if enrolment is None:
            raise SyncSetupError(
                "This profile is not enrolled with a central store yet. Ask the administrator for an "
                "enrolment file and code, then run `clinic enrol FILE --profile NAME`."
            )
        self.queue.sweep()
        outbox = self.outbox
        tracked = _Tracked(transport, progress, len(outbox.items("pending")))
        report = sync_once(outbox, tracked, load=tracked.counting(self._load), signer=self._signer(),
                           device_id=self.vault.device_id, enrolment=enrolment, bundle_dir=self.bundle_dir)

        result = self._result(outbox, report)
        if result.ok:
            with self.vault.transaction():
                self.vault.conn.execute("UPDATE sync_enrolment SET last_sync_at = ? WHERE id = 1",
                                        (self.clock.now().isoformat(timespec="seconds"),))
            if purge:
                result.purged = self.purge()
        log.info("sync pass sent=%d acknowledged=%d quarantined=%d errors=%d", len(report.sent),
                 len(report.acknowledged), len(report.quarantined), len(report.errors))
        return result

    def _result(self, outbox: Outbox, report: SyncReport) -> SyncResult:
        touched = set(report.acknowledged) | {key for key, _code, _reason in report.quarantined}
        for state in ("pending", "sealed", "sent"):
            touched.update(outbox.items(state))
        records = sorted((key for key in touched if key.item_type == RECORD), key=lambda key: (key.item_id, key.version))
        return SyncResult(
            records=[RecordResult(key.item_id, key.version, outbox.state(key) or "pending") for key in records],
            impact_acknowledged=sum(1 for key in report.acknowledged if key.item_type == IMPACT),
            impact_waiting=sum(1 for key in touched if key.item_type == IMPACT and outbox.state(key) != "acknowledged"),
            bundles_sent=len(report.sent),
            errors=list(report.errors),
        )

    def _load(self, key: ItemKey) -> RecordVersion | ImpactRow:
        """Return the plaintext item that the outbox requests: a record envelope or an impact row."""
        enrolment = self.enrolment()
        assert enrolment is not None
        if key.item_type == IMPACT:
            facts, _ = self.queue.facts(key.item_id, key.version)
            upn = self.attendance.pupils.get(facts.pupil_id).upn
            return facts.row(pseudonymise(upn, enrolment.pseudonymisation_key))

        (kind,) = self.vault.conn.execute("SELECT kind FROM record WHERE id = ? AND version = ?",
                                          (key.item_id, key.version)).fetchone()
        body = self.records.raw_body(key.item_id, key.version)
        return RecordVersion(record_id=key.item_id, version=key.version, schema_version=int(body["schema_version"]),
                             kind=kind, plaintext=self._envelope(body))

    def _envelope(self, body: dict) -> bytes:
        pupils = {}
        for pupil_id in body["pupil_ids"]:
            pupil = self.attendance.pupils.get(pupil_id)
            pupils[pupil_id] = {
                "upn": pupil.upn, "surname": pupil.surname, "forename": pupil.forename,
                "date_of_birth": pupil.date_of_birth.isoformat() if pupil.date_of_birth else None,
                "year_group": pupil.year_group,
            }
        school = self.attendance.school()
        envelope = {"format": ENVELOPE_FORMAT, "format_version": ENVELOPE_VERSION, "record": body,
                    "pupils": pupils, "school": {"name": school.name, "urn": school.urn}}
        return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    # -- purge -------------------------------------------------------------------

    def purge(self) -> list[str]:
        """Delete records whose every version was acknowledged more than ``keep_days_after_receipt`` days ago.

        A record with any version not acknowledged, or still a draft, is
        kept. The audit log keeps an entry per purged record, and the outbox
        keeps its ids, versions and receipt. Returns the purged record ids.
        """
        due = self.outbox.purgeable(self.clock.now(), self.config.keep_days_after_receipt)
        due_by_record: dict[str, set[int]] = {}
        for record_id, version in due:
            due_by_record.setdefault(record_id, set()).add(version)

        purged = []
        with self.vault.transaction():
            for record_id, versions in due_by_record.items():
                rows = self.vault.conn.execute("SELECT version, state FROM record WHERE id = ?", (record_id,))
                stored = dict(rows.fetchall())
                if not stored or set(stored) - versions or "draft" in stored.values():
                    continue
                self.vault.conn.execute("DELETE FROM record WHERE id = ?", (record_id,))
                self.vault.audit.append("record.purge", record_id)
                purged.append(record_id)
        if purged:
            log.info("records purged count=%d", len(purged))
        return purged

    def _now_text(self) -> str:
        return self.clock.now().isoformat(timespec="seconds")


def unsynced_record_versions(vault: Vault) -> int:
    """Count finalised record versions that no verified receipt lists as stored."""
    (count,) = vault.conn.execute(
        "SELECT count(*) FROM record AS r LEFT JOIN sync_outbox_items AS o ON o.item_type = 'record'"
        " AND o.item_id = r.id AND o.version = r.version WHERE r.state = 'finalised'"
        " AND coalesce(o.state, 'pending') <> 'acknowledged'"
    ).fetchone()
    return count


class _Tracked:
    """A transport and loader wrapper that reports progress to ``progress``."""

    def __init__(self, transport: Transport, progress: Progress | None, pending: int) -> None:
        self.transport = transport
        self.progress = progress
        self.pending = pending
        self.sealed = 0
        self.sent = 0

    def _report(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def counting(self, load: Callable[[ItemKey], RecordVersion | ImpactRow]) -> Callable[[ItemKey], RecordVersion | ImpactRow]:
        def load_and_count(key: ItemKey) -> RecordVersion | ImpactRow:
            item = load(key)
            self.sealed += 1
            self._report("sealing", self.sealed, max(self.pending, self.sealed))
            return item

        return load_and_count

    def send(self, bundle_path: Path) -> None:
        self._report("sending", self.sent, self.sent + 1)
        self.transport.send(bundle_path)
        self.sent += 1
        self._report("sending", self.sent, self.sent)

    def fetch_receipt(self, bundle_id: str) -> bytes | None:
        self._report("receipts", 0, 1)
        return self.transport.fetch_receipt(bundle_id)

    def discard(self, bundle_id: str) -> None:
        self.transport.discard(bundle_id)
