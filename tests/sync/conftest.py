"""Fixtures for the sync tests: real central stores, laptop vaults and a fault-injecting file seam.

Creating a central store runs Argon2id several times, so one template store
is made per test session and each test gets its own copy on disk.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from stdnum.gb import upn as upn_number

from sync import (
    ActionCounts,
    Bundle,
    CentralStore,
    Enrolment,
    FileSystem,
    ImpactRow,
    ItemKey,
    Outbox,
    RecordVersion,
    ensure_schema,
    init_central,
    make_registration,
    pseudonymise,
)
from sync.bundle import FORMAT_VERSION, MAGIC_PREFIX, SIGNATURE_CONTEXT
from sync.encoding import dumps_canonical, frame_signed, magic_line
from sync.laptop import SyncReport, sync_once
from sync.transport import Transport

PASSPHRASE = "correct horse battery staple"

# Planted in record plaintext; no file outside the laptop's memory may show them.
PLANTED_NAME = "Zebedee Quillfeather-Ó Briain"
PLANTED_NOTE = "Mum said the bus from Hollowbrook never turns up before nine"


class SimulatedCrash(BaseException):
    """The process died at a file operation. BaseException, so no handler in the code swallows it."""


class FaultyFS(FileSystem):
    """The real file operations, numbered, failing the one numbered ``fail_at``.

    ``mode`` "crash" raises ``SimulatedCrash`` and makes every later
    operation fail too, as after a power cut; an errno mode raises that
    ``OSError`` once. ``fail_ops`` limits numbering to those operations.
    Reads and closes are not numbered; ``read_errno`` makes every read fail.
    """

    def __init__(self, fail_at: int | None = None, mode: str | int = "crash",
                 fail_ops: tuple[str, ...] | None = None, read_errno: int | None = None) -> None:
        self.fail_at = fail_at
        self.mode = mode
        self.fail_ops = fail_ops
        self.read_errno = read_errno
        self.count = 0
        self.log: list[tuple[str, str]] = []
        self.dead = False
        self.open_fds: set[int] = set()

    def _step(self, op: str, path: Path | str) -> None:
        if self.dead:
            raise SimulatedCrash(f"after crash: {op}")
        if self.fail_ops is not None and op not in self.fail_ops:
            return
        self.count += 1
        self.log.append((op, str(path)))
        if self.count == self.fail_at:
            if self.mode == "crash":
                self.dead = True
                raise SimulatedCrash(f"crash at operation {self.count}: {op} {path}")
            raise OSError(self.mode, os.strerror(self.mode), str(path))

    def read_bytes(self, path: Path) -> bytes:
        if self.read_errno is not None:
            raise OSError(self.read_errno, os.strerror(self.read_errno), str(path))
        return super().read_bytes(path)

    def open_new(self, path: Path, mode: int) -> int:
        self._step("open_new", path)
        fd = super().open_new(path, mode)
        self.open_fds.add(fd)
        return fd

    def write(self, fd: int, data: bytes) -> None:
        self._step("write", f"fd {fd}")
        super().write(fd, data)

    def fsync(self, fd: int) -> None:
        self._step("fsync", f"fd {fd}")
        super().fsync(fd)

    def close(self, fd: int) -> None:
        self.open_fds.discard(fd)
        super().close(fd)

    def rename(self, source: Path, target: Path) -> None:
        self._step("rename", target)
        super().rename(source, target)

    def fsync_dir(self, path: Path) -> None:
        self._step("fsync_dir", path)
        super().fsync_dir(path)

    def mkdir(self, path: Path, mode: int) -> None:
        self._step("mkdir", path)
        super().mkdir(path, mode)

    def unlink(self, path: Path) -> None:
        self._step("unlink", path)
        super().unlink(path)

    def close_leaked(self) -> None:
        """Close the descriptors a crash left open, as the dead process's exit would."""
        for fd in list(self.open_fds):
            os.close(fd)
        self.open_fds.clear()


def forge_bundle(bundle: Bundle, signer: ed25519.Ed25519PrivateKey, *, manifest_changes: dict | None = None,
                 blobs: list[bytes] | None = None) -> bytes:
    """Return bundle bytes with an edited manifest, signed again by ``signer``.

    This is how a laptop with a bug, or a holder of the signing key, could
    make a bundle that passes the signature check but breaks another rule.
    """
    manifest = json.loads(bundle.manifest_bytes)
    manifest.update(manifest_changes or {})
    body = dumps_canonical(manifest)
    signature = signer.sign(SIGNATURE_CONTEXT + body)
    if blobs is None:
        blobs = [bundle.blob(entry) for entry in bundle.entries]
    return frame_signed(magic_line(MAGIC_PREFIX, FORMAT_VERSION), body, signature) + b"".join(blobs)


def make_upn(serial: int) -> str:
    """Return a made-up UPN that passes validation (python-stdnum accepts only real local authority numbers)."""
    body = f"801{1000 + serial % 9000:04d}25{serial % 1000:03d}"
    return upn_number.calc_check_digit(body) + body


@dataclass
class Template:
    """A central store made once per session, with one approved laptop profile.

    ``keys`` is the template store, left unlocked, so that copies can be
    unlocked without running Argon2id for every test.
    """

    path: Path
    enrolment: Enrolment = field(repr=False)
    signer: ed25519.Ed25519PrivateKey = field(repr=False)
    profile_id: str
    device_id: str
    keys: CentralStore = field(repr=False)

    def copy_to(self, target: Path) -> Path:
        shutil.copytree(self.path, target)
        return target

    def open_copy(self, path: Path, fs: FileSystem | None = None) -> CentralStore:
        """Open a copy of the template at ``path``, unlocked, as a freshly started process would."""
        store = CentralStore.open(path, **({"fs": fs} if fs is not None else {}))
        store.unlock_from(self.keys)
        return store


def _make_template(folder: Path, organisation: str) -> Template:
    store = init_central(folder, PASSPHRASE, organisation)
    enrolment = store.enrolment()
    signer = ed25519.Ed25519PrivateKey.generate()
    profile_id, device_id = str(uuid.uuid4()), str(uuid.uuid4())
    registration = make_registration(signer, organisation_id=store.organisation_id, profile_id=profile_id,
                                     profile_name="EWO laptop 1", device_id=device_id)
    store.approve(store.register(registration).fingerprint)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Template(folder, enrolment, signer, profile_id=profile_id, device_id=device_id, keys=store)


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return _make_template(tmp_path_factory.mktemp("template") / "central", "Northshire Education Welfare Service")


@pytest.fixture(scope="session")
def other_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return _make_template(tmp_path_factory.mktemp("other") / "central", "Southvale Attendance Team")


def open_unlocked(path: Path, fs: FileSystem | None = None) -> CentralStore:
    store = CentralStore.open(path, **({"fs": fs} if fs is not None else {}))
    store.unlock(PASSPHRASE)
    return store


@pytest.fixture
def central(template: Template, tmp_path: Path) -> Iterator[CentralStore]:
    store = template.open_copy(template.copy_to(tmp_path / "central"))
    yield store
    store.close()


@dataclass(repr=False)
class Laptop:
    """A laptop profile: a real SQLite vault file with the outbox tables and an in-memory record source."""

    folder: Path
    template: Template
    fs: FileSystem = field(default_factory=FileSystem)
    items: dict[ItemKey, RecordVersion | ImpactRow] = field(default_factory=dict)
    serial: int = 0

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.reopen(self.fs)

    def reopen(self, fs: FileSystem) -> None:
        """Open the vault again, as a restarted process would."""
        self.fs = fs
        self.conn = sqlite3.connect(self.folder / "vault.sqlite")
        ensure_schema(self.conn)
        self.outbox = Outbox(self.conn, profile_id=self.template.profile_id, fs=fs)

    @property
    def bundle_dir(self) -> Path:
        return self.folder / "bundles"

    def add_record(self, text: str = "", *, version: int = 1, record_id: str | None = None,
                   encoding: str = "utf-8") -> RecordVersion:
        self.serial += 1
        body = text or f'{{"pupil": "{PLANTED_NAME}", "note": "{PLANTED_NOTE}", "n": {self.serial}}}'
        record = RecordVersion(record_id or str(uuid.uuid4()), version, 1, "meeting", body.encode(encoding))
        self.items[ItemKey("record", record.record_id, version)] = record
        self.outbox.enqueue_record(record.record_id, version)
        return record

    def add_impact_row(self, **changes: object) -> ImpactRow:
        self.serial += 1
        values: dict[str, object] = dict(
            impact_id=str(uuid.uuid4()), version=1,
            pseudonym=pseudonymise(make_upn(self.serial), self.template.enrolment.pseudonymisation_key),
            school_urn="123456", year_group="9", month="2025-03", mode="in_person", attended=True,
            views_captured=True, barriers=("bullying", "transport"), actions=ActionCounts(parent_carer=2, school=1),
            next_step="review_meeting", attendance_before_permille=812, persistent_before=True,
            severe_before=False,
        )
        values.update(changes)
        row = ImpactRow(**values)  # type: ignore[arg-type]
        self.items[ItemKey("impact", row.impact_id, row.version)] = row
        self.outbox.enqueue_impact(row.impact_id, row.version)
        return row

    def load(self, key: ItemKey) -> RecordVersion | ImpactRow:
        return self.items[key]

    def sync(self, transport: Transport) -> SyncReport:
        return sync_once(self.outbox, transport, load=self.load, signer=self.template.signer,
                         device_id=self.template.device_id, enrolment=self.template.enrolment,
                         bundle_dir=self.bundle_dir)

    def seal(self) -> Bundle | None:
        return self.outbox.seal(self.load, signer=self.template.signer, device_id=self.template.device_id,
                                enrolment=self.template.enrolment, bundle_dir=self.bundle_dir)


@pytest.fixture
def laptop(template: Template, tmp_path: Path) -> Iterator[Laptop]:
    machine = Laptop(tmp_path / "laptop", template)
    yield machine
    machine.conn.close()


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The helpers above, for tests that build their own stores and laptops (hypothesis tests)."""
    return SimpleNamespace(
        FaultyFS=FaultyFS,
        SimulatedCrash=SimulatedCrash,
        Laptop=Laptop,
        open_unlocked=open_unlocked,
        make_upn=make_upn,
        forge_bundle=forge_bundle,
        PASSPHRASE=PASSPHRASE,
        PLANTED_NAME=PLANTED_NAME,
        PLANTED_NOTE=PLANTED_NOTE,
    )
