"""Sync from a laptop vault to a central store, end to end on real files.

Real vaults, real central stores on disk, real HPKE and Ed25519, the real
command line. Making the demo school takes seconds, so two demo profiles and
one central store are made once per module and copied into each test.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinic_tui.cli import main
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.next_steps import NextStep
from clinic_tui.domain.slots import ContactAttempt, FollowUpKind
from clinic_tui.services import impact_rows
from clinic_tui.services.clock import LOCAL_ZONE, ManualClock
from clinic_tui.services.session import Session
from clinic_tui.services.sync_service import unsynced_record_versions
from clinic_tui.services.workspace import Workspace
from clinic_tui.store.errors import WrongPassphrase
from sync import CentralStore, FolderTransport, init_central, ingest_transport_folder, pseudonymise, read_enrolment
from sync.impact import BARRIER_CODES, NEXT_STEP_CODES
from tests.conftest import PASSPHRASE, TEST_CONFIG
from tests.helpers import complete_meeting, demo_session

CENTRAL_PASSPHRASE = "central passphrase for tests"
MEETING_TIME = dt.datetime(2026, 3, 10, 9, 5, tzinfo=LOCAL_ZONE)


@dataclass
class Templates:
    """Closed demo vaults and closed central stores, each with an enrolment file and its code."""

    profiles: Path
    stores: dict[str, Path]
    codes: dict[str, str]


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    root = tmp_path_factory.mktemp("sync-templates")
    (root / "home" / "config").mkdir(parents=True)
    (root / "home" / "config" / "config.toml").write_text(TEST_CONFIG)
    workspace = Workspace.open(root / "home")
    workspace.locations.ensure()
    for name in ("alice", "bob"):
        demo_session(workspace, ManualClock(MEETING_TIME), profile=name).close()

    stores, codes = {}, {}
    for name, organisation in (("north", "North Borough Council"), ("south", "South County Council")):
        with init_central(root / name, CENTRAL_PASSPHRASE, organisation) as store:
            codes[name] = store.enrolment_file(root / f"{name}-enrolment.json")
        stores[name] = root / name
    return Templates(workspace.locations.profiles_dir, stores, codes)


@dataclass
class Lab:
    """One test's laptop home, central stores and USB folders, copied from the templates."""

    home: Path
    workspace: Workspace
    clock: ManualClock
    root: Path
    templates: Templates

    def session(self, profile: str = "alice") -> Session:
        vault = self.workspace.profiles.unlock(profile, PASSPHRASE, clock=self.clock.now)
        return Session(self.workspace, vault, self.clock)

    def store(self, name: str = "north") -> CentralStore:
        target = self.root / name
        if not target.exists():
            shutil.copytree(self.templates.stores[name], target)
            shutil.copy(self.templates.stores[name].parent / f"{name}-enrolment.json", self.root)
        store = CentralStore.open(target)
        store.unlock(CENTRAL_PASSPHRASE)
        return store

    def enrolment_file(self, name: str = "north") -> Path:
        self.store(name).close()
        return self.root / f"{name}-enrolment.json"

    def enrol(self, session: Session, store_name: str = "north", approve: bool = True) -> str:
        """Enrol the session's profile, register it and (by default) approve it; return the fingerprint."""
        enrolment = read_enrolment(self.enrolment_file(store_name), self.templates.codes[store_name])
        registration_file = self.root / f"{session.profile_name}.registration.json"
        registration = session.sync.enrol(enrolment, registration_file)
        from sync import Registration

        with self.store(store_name) as store:
            store.register(Registration.from_bytes(registration_file.read_bytes()))
            if approve:
                store.approve(registration.fingerprint)
        return registration.fingerprint

    def usb(self, name: str = "usb") -> Path:
        folder = self.root / name
        folder.mkdir(exist_ok=True)
        return folder


@pytest.fixture
def lab(tmp_path: Path, templates: Templates, monkeypatch: pytest.MonkeyPatch) -> Lab:
    home = tmp_path / "clinic-home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(TEST_CONFIG)
    monkeypatch.setenv("CLINIC_HOME", str(home))
    workspace = Workspace.open(home)
    workspace.locations.ensure()
    for name in ("alice", "bob"):
        shutil.copytree(templates.profiles / name, workspace.locations.profiles_dir / name)
    return Lab(home, workspace, ManualClock(MEETING_TIME), tmp_path, templates)


def finalise_meeting(session: Session, clock: ManualClock, slot_index: int = 0):
    """Run the meeting of one slot of today's demo day to a finalised record, through the services."""
    day = session.days.today()
    slot = day.slots[slot_index]
    record = session.days.start_meeting(day, slot.id)
    complete_meeting(record, clock.now().date())
    clock.advance(20 * 60)
    assert session.days.finalise(record) == []
    session.days.finish_slot(day, slot.id)
    return record


def states(session: Session, record_id: str) -> list[str]:
    rows = session.vault.conn.execute(
        "SELECT state FROM sync_outbox_items WHERE item_type = 'record' AND item_id = ? ORDER BY version", (record_id,)
    )
    return [state for (state,) in rows]


def cli(home: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--home", str(home), *args], input=input, catch_exceptions=False)


# -- the round trip --------------------------------------------------------------


def test_folder_sync_round_trip(lab):
    session = lab.session()
    lab.enrol(session)
    record = finalise_meeting(session, lab.clock)
    assert states(session, record.id) == ["pending"]

    usb = lab.usb()
    first = session.sync.sync(FolderTransport(usb))
    assert first.ok, first.errors
    assert [(line.record_id, line.version, line.state) for line in first.records] == [(record.id, 1, "sent")]
    assert len(list((usb / "outgoing").glob("*.clinicbundle"))) == 1

    with lab.store() as store:
        result = ingest_transport_folder(store, usb)
        assert result.ok, result.summary()
        assert store.record_versions(record.id) == [1]

    lab.clock.advance(3600)
    second = session.sync.sync(FolderTransport(usb))
    assert [(line.record_id, line.state) for line in second.records] == [(record.id, "acknowledged")]
    assert second.impact_acknowledged == 1
    assert states(session, record.id) == ["acknowledged"]
    assert list((usb / "outgoing").iterdir()) == [], "acknowledged bundles are removed from the stick"

    status = session.sync.status()
    assert (status.pending, status.sent, status.acknowledged) == (0, 0, 1)
    assert status.last_sync_at == lab.clock.now().replace(microsecond=0)
    assert unsynced_record_versions(session.vault) == 0
    session.close()


def test_addendum_syncs_as_new_version(lab):
    session = lab.session()
    lab.enrol(session)
    record = finalise_meeting(session, lab.clock)
    usb = lab.usb()
    session.sync.sync(FolderTransport(usb))
    with lab.store() as store:
        ingest_transport_folder(store, usb)
    session.sync.sync(FolderTransport(usb))

    lab.clock.advance(600)
    session.days.add_addendum(record, session.days.today().id, "Correction", "The bus is the 8:10, not the 8:40.")
    assert states(session, record.id) == ["acknowledged", "pending"]
    (impact_rows_queued,) = session.vault.conn.execute("SELECT count(*) FROM sync_outbox_items WHERE item_type = 'impact'").fetchone()
    assert impact_rows_queued == 1, "an addendum changes no impact fact, so no new impact version"

    session.sync.sync(FolderTransport(usb))
    with lab.store() as store:
        ingest_transport_folder(store, usb)
        assert store.record_versions(record.id) == [1, 2]
    session.sync.sync(FolderTransport(usb))
    assert states(session, record.id) == ["acknowledged", "acknowledged"]
    session.close()


# -- refused bundles --------------------------------------------------------------


def test_unapproved_laptop_rejected(lab):
    session = lab.session()
    lab.enrol(session, approve=False)
    record = finalise_meeting(session, lab.clock)
    usb = lab.usb()
    session.sync.sync(FolderTransport(usb))

    with lab.store() as store:
        result = ingest_transport_folder(store, usb)
        assert [rejection.code for rejection in result.rejected] == ["unapproved_signer"]
        assert store.record_versions(record.id) == []
    assert not (usb / "receipts").exists() or list((usb / "receipts").iterdir()) == []

    again = session.sync.sync(FolderTransport(usb))
    assert [line.state for line in again.records] == ["sent"]
    assert states(session, record.id) == ["sent"]
    assert session.sync.status().acknowledged == 0
    assert unsynced_record_versions(session.vault) == 1
    session.close()


def test_revoked_signer_rejected(lab):
    session = lab.session()
    fingerprint = lab.enrol(session)
    with lab.store() as store:
        store.revoke(fingerprint)
    record = finalise_meeting(session, lab.clock)
    usb = lab.usb()
    session.sync.sync(FolderTransport(usb))

    with lab.store() as store:
        result = ingest_transport_folder(store, usb)
        assert [rejection.code for rejection in result.rejected] == ["revoked_signer"]
        assert store.record_versions(record.id) == []
    session.sync.sync(FolderTransport(usb))
    assert states(session, record.id) == ["sent"]
    session.close()


def test_unenrolled_profile_cannot_sync(lab):
    from clinic_tui.services.sync_service import SyncSetupError

    session = lab.session()
    finalise_meeting(session, lab.clock)
    with pytest.raises(SyncSetupError, match="not enrolled"):
        session.sync.sync(FolderTransport(lab.usb()))
    assert session.sync.status().pending == 1
    session.close()


# -- purge -------------------------------------------------------------------------


def test_purge_honours_keep_days(lab):
    session = lab.session()
    lab.enrol(session)
    synced = finalise_meeting(session, lab.clock, 0)
    usb = lab.usb()
    session.sync.sync(FolderTransport(usb))
    with lab.store() as store:
        ingest_transport_folder(store, usb)
    session.sync.sync(FolderTransport(usb))
    unsynced = finalise_meeting(session, lab.clock, 1)

    keep_days = session.sync.config.keep_days_after_receipt
    lab.clock.advance((keep_days - 1) * 86400)
    assert session.sync.purge() == []
    assert session.days.load_record(synced.id).id == synced.id

    lab.clock.advance(2 * 86400)
    assert session.sync.purge() == [synced.id]
    with pytest.raises(KeyError):
        session.days.load_record(synced.id)

    lab.clock.advance(100 * 86400)
    assert session.sync.purge() == []
    assert session.days.load_record(unsynced.id).id == unsynced.id, "an unsynced record is never purged"

    purges = [entry for entry in session.vault.audit.entries() if entry.action == "record.purge"]
    assert [entry.record_id for entry in purges] == [synced.id]
    checked, broken = session.vault.audit.verify()
    assert broken is None
    assert checked > 0
    assert session.sync.status().acknowledged == 1, "the outbox keeps the receipt of a purged record"
    session.close()


# -- recovery ------------------------------------------------------------------------


def test_recovery_resets_passphrase(lab):
    session = lab.session()
    lab.enrol(session)
    record = finalise_meeting(session, lab.clock)
    session.close()
    lab.store().close()

    new = "a brand new passphrase"
    result = cli(lab.home, "central", "recover", str(lab.root / "north"), "--profile", "alice",
                 input=f"{CENTRAL_PASSPHRASE}\n{new}\n{new}\n")
    assert result.exit_code == 0, result.output
    assert "not re-encrypted" in result.output

    with pytest.raises(WrongPassphrase):
        lab.workspace.profiles.unlock("alice", PASSPHRASE)
    vault = lab.workspace.profiles.unlock("alice", new)
    recovered = Session(lab.workspace, vault, lab.clock)
    assert recovered.days.load_record(record.id).is_finalised
    assert recovered.attendance.pupils.get(record.pupil_ids[0]).upn
    assert recovered.vault.audit.verify()[1] is None
    recovered.close()


def test_recovery_with_other_store_fails(lab):
    session = lab.session()
    lab.enrol(session, "north")
    session.close()
    lab.store("south").close()

    result = cli(lab.home, "central", "recover", str(lab.root / "south"), "--profile", "alice",
                 input=f"{CENTRAL_PASSPHRASE}\nanother new passphrase\nanother new passphrase\n")
    assert result.exit_code == 1
    assert "does not open" in result.output
    lab.workspace.profiles.unlock("alice", PASSPHRASE).close()


# -- two organisations on one laptop ----------------------------------------------------


def test_two_profiles_two_central_stores(lab):
    alice, bob = lab.session("alice"), lab.session("bob")
    lab.enrol(alice, "north")
    lab.enrol(bob, "south")
    alice_record = finalise_meeting(alice, lab.clock, 0)
    bob_record = finalise_meeting(bob, lab.clock, 1)

    north_usb, south_usb = lab.usb("north-usb"), lab.usb("south-usb")
    alice.sync.sync(FolderTransport(north_usb))
    bob.sync.sync(FolderTransport(south_usb))

    with lab.store("south") as south:
        wrong = ingest_transport_folder(south, north_usb)
        assert [rejection.code for rejection in wrong.rejected] == ["wrong_organisation"]
    with lab.store("north") as north, lab.store("south") as south:
        assert ingest_transport_folder(north, north_usb).ok
        assert ingest_transport_folder(south, south_usb).ok
        assert north.record_versions(alice_record.id) == [1]
        assert north.record_versions(bob_record.id) == []
        assert south.record_versions(bob_record.id) == [1]
        assert south.record_versions(alice_record.id) == []

    assert [line.state for line in alice.sync.sync(FolderTransport(north_usb)).records] == ["acknowledged"]
    assert [line.state for line in bob.sync.sync(FolderTransport(south_usb)).records] == ["acknowledged"]
    alice.close()
    bob.close()


def test_second_organisation_refused_on_one_profile(lab):
    from clinic_tui.services.sync_service import SyncSetupError

    session = lab.session()
    lab.enrol(session, "north")
    enrolment = read_enrolment(lab.enrolment_file("south"), lab.templates.codes["south"])
    with pytest.raises(SyncSetupError, match="Create another profile"):
        session.sync.enrol(enrolment, lab.root / "again.json")
    session.close()


# -- impact rows -----------------------------------------------------------------------------


def test_impact_rows_hold_no_names(lab):
    session = lab.session()
    lab.enrol(session)
    record = finalise_meeting(session, lab.clock)
    usb = lab.usb()
    session.sync.sync(FolderTransport(usb))
    pupil = session.attendance.pupils.get(record.pupil_ids[0])
    enrolment = session.sync.enrolment()

    with lab.store() as store:
        ingest_transport_folder(store, usb)
        rows = store.impact_log()
    assert len(rows) == len(record.pupil_ids)
    row = rows[0]
    assert row.pseudonym == pseudonymise(pupil.upn, enrolment.pseudonymisation_key)
    assert (row.month, row.mode, row.attended, row.views_captured) == ("2026-03", "in_person", True, True)
    assert row.barriers == ("transport",)
    assert (row.actions.parent_carer, row.actions.school) == (1, 1)
    assert row.next_step == "review_meeting"
    assert row.school_urn == session.days.today().settings.school_urn
    assert row.year_group == pupil.year_group

    forbidden = [pupil.surname, pupil.forename, pupil.upn, "Parent One", "We struggle with the bus",
                 "Bus often full", "Leave ten minutes earlier", "Mornings are hard"]
    for item in rows:
        text = item.to_bytes().decode("utf-8")
        for value in forbidden:
            assert value not in text
    database = (lab.root / "north" / "central.sqlite").read_bytes()
    for value in forbidden:
        assert value.encode("utf-8") not in database
    session.close()


def test_did_not_attend_makes_impact_row(lab):
    session = lab.session()
    lab.enrol(session)
    day = session.days.today()
    slot = day.slots[0]
    lab.clock.advance(30 * 60)
    session.days.did_not_attend(day, slot.id, [ContactAttempt.PHONE], "", FollowUpKind.SEND_DNA_LETTER,
                                lab.clock.now().date() + dt.timedelta(days=2))
    queued = session.vault.conn.execute("SELECT item_type, state FROM sync_outbox_items").fetchall()
    assert queued == [("impact", "pending")] * len(slot.family)

    usb = lab.usb()
    session.sync.sync(FolderTransport(usb))
    with lab.store() as store:
        ingest_transport_folder(store, usb)
        rows = store.impact_log()
    assert [(row.attended, row.next_step, row.barriers) for row in rows] == [(False, "dna_letter", ())] * len(slot.family)
    session.close()


def test_review_adds_impact_version(lab):
    from clinic_tui.domain.attendees import Attendee, Role
    from clinic_tui.domain.next_steps import ReviewOutcome
    from clinic_tui.domain.review import ActionStatus
    from clinic_tui.domain.views import PupilViews

    session = lab.session()
    record = finalise_meeting(session, lab.clock)
    lab.clock.set(dt.datetime.combine(record.review_date, dt.time(9), tzinfo=LOCAL_ZONE))
    review = session.reviews.start_review(record.id)
    review.add_attendee(Attendee("Parent One", Role.PARENT_CARER))
    for action in review.earlier_actions:
        review.set_action_outcome(action.id, ActionStatus.DONE, "Done")
    for pupil_id in review.pupil_ids:
        review.set_pupil_views(pupil_id, PupilViews.in_own_words("Better now."))
    review.set_attendance(80.0, 95.0)
    review.set_outcome(ReviewOutcome.CLOSE, note="Attendance back to 95%")
    review.clear_review_date()
    assert session.days.finalise(review) == []

    rows = session.vault.conn.execute(
        "SELECT impact_id, version, source_id FROM sync_impact ORDER BY version").fetchall()
    assert [(version, source) for _, version, source in rows] == [(1, record.id), (2, review.id)]
    assert rows[0][0] == rows[1][0], "the review extends the meeting's row"
    later, _ = session.sync.queue.facts(rows[1][0], 2)
    assert later.next_step == "case_closed"
    assert later.month == "2026-03"
    session.close()


def test_code_lists_aligned():
    assert set(impact_rows.BARRIER_CODES) == set(Barrier)
    assert sorted(impact_rows.BARRIER_CODES.values()) == sorted(BARRIER_CODES)
    assert set(impact_rows.NEXT_STEP_CODES) == set(NextStep)
    produced = set(impact_rows.NEXT_STEP_CODES.values()) | set(impact_rows.DID_NOT_ATTEND_CODES.values())
    assert produced | {impact_rows.CASE_CLOSED} == set(NEXT_STEP_CODES)
    assert len(produced) == len(NextStep) + len(impact_rows.DID_NOT_ATTEND_CODES)


# -- the command line ----------------------------------------------------------------------


@pytest.mark.slow
def test_command_line_end_to_end(lab, templates):
    secret = lab.root / "alice.pass"
    secret.write_text(PASSPHRASE + "\n")
    central_secret = lab.root / "central.pass"
    central_secret.write_text(CENTRAL_PASSPHRASE + "\n")
    store_dir = lab.root / "cli-store"

    created = cli(lab.home, "central", "init", str(store_dir), "--organisation", "West Borough",
                  "--passphrase-file", str(central_secret))
    assert created.exit_code == 0, created.output
    made = cli(lab.home, "central", "enrol-file", str(store_dir), str(lab.root / "enrol.json"),
               "--passphrase-file", str(central_secret))
    assert made.exit_code == 0, made.output
    code = made.output.split("Enrolment code (shown once, stored nowhere): ")[1].split()[0]
    (lab.root / "code.txt").write_text(code.lower().replace("-", " ") + "\n")

    enrolled = cli(lab.home, "enrol", str(lab.root / "enrol.json"), "--profile", "alice", "--passphrase-file",
                   str(secret), "--code-file", str(lab.root / "code.txt"))
    assert enrolled.exit_code == 0, enrolled.output
    registration = lab.root / "alice.clinicregistration.json"
    assert f"Registration file: {registration}" in enrolled.output
    fingerprint = enrolled.output.split("Fingerprint: ")[1].splitlines()[0]

    registered = cli(lab.home, "central", "register", str(store_dir), str(registration))
    assert "status: pending" in registered.output
    assert fingerprint in cli(lab.home, "central", "devices", str(store_dir)).output
    approved = cli(lab.home, "central", "approve", str(store_dir), fingerprint.replace(" ", "-").lower())
    assert "is now approved" in approved.output, approved.output

    session = lab.session()
    record = finalise_meeting(session, lab.clock)
    session.close()

    refused = cli(lab.home, "profile", "delete", "alice", "--yes", "--passphrase-file", str(secret))
    assert refused.exit_code == 1
    assert "1 finalised record versions that the central store has not acknowledged" in refused.output

    usb = lab.usb()
    sent = cli(lab.home, "sync", "--profile", "alice", "--to", str(usb), "--passphrase-file", str(secret))
    assert sent.exit_code == 0, sent.output
    assert f"record {record.id} version 1: sent" in sent.output
    ingested = cli(lab.home, "central", "ingest", str(store_dir), "--from", str(usb), "--passphrase-file",
                   str(central_secret))
    assert ingested.exit_code == 0, ingested.output
    assert "1 bundles accepted with 2 items stored" in ingested.output

    # The folder is remembered, so a plain `clinic sync` picks up the receipt.
    again = cli(lab.home, "sync", "--profile", "alice", "--passphrase-file", str(secret))
    assert again.exit_code == 0, again.output
    assert f"record {record.id} version 1: acknowledged" in again.output

    opened = cli(lab.home, "central", "open", str(store_dir), record.id, "--passphrase-file", str(central_secret))
    assert opened.exit_code == 0, opened.output
    envelope = json.loads(opened.output)
    assert envelope["record"]["id"] == record.id
    assert envelope["record"]["parent_views"] == "We struggle with the bus."
    assert {pupil["upn"] for pupil in envelope["pupils"].values()}

    deleted = cli(lab.home, "profile", "delete", "alice", "--yes", "--passphrase-file", str(secret))
    assert deleted.exit_code == 0, deleted.output


def test_direct_sync_into_central_store(lab):
    session = lab.session()
    lab.enrol(session)
    record = finalise_meeting(session, lab.clock)
    session.close()
    secret = lab.root / "alice.pass"
    secret.write_text(PASSPHRASE + "\n")

    result = cli(lab.home, "sync", "--profile", "alice", "--central", str(lab.root / "north"),
                 "--passphrase-file", str(secret), input=f"{CENTRAL_PASSPHRASE}\n")
    assert result.exit_code == 0, result.output
    assert f"record {record.id} version 1: acknowledged" in result.output

    wrong = cli(lab.home, "sync", "--profile", "alice", "--central", str(lab.root / "north"),
                "--passphrase-file", str(secret), input="not the central passphrase\n")
    assert wrong.exit_code == 1
    assert "central passphrase does not open" in wrong.output


def test_sync_needs_a_destination(lab):
    secret = lab.root / "alice.pass"
    secret.write_text(PASSPHRASE + "\n")
    result = cli(lab.home, "sync", "--profile", "alice", "--passphrase-file", str(secret))
    assert result.exit_code == 2
    assert "--to FOLDER" in result.output
    missing = cli(lab.home, "sync", "--profile", "alice", "--to", str(lab.root / "no-stick"), "--passphrase-file",
                  str(secret))
    assert missing.exit_code == 1
    assert "is not there" in missing.output
