"""Creation of a new central store folder."""

from __future__ import annotations

import json
import logging
import os
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from sync.central import (
    DATABASE_FILE,
    KEY_FILE,
    KEY_FILE_FORMAT,
    MAX_ORGANISATION_NAME,
    PUBLIC_FILE,
    PUBLIC_FORMAT,
    CentralStore,
    PrivateKeys,
)
from sync.central_schema import connect
from sync.encoding import b64encode, dumps_canonical
from sync.enrolment import CENTRAL_FORMAT_VERSION
from sync.errors import InvalidInput
from sync.fsio import FILE_MODE, LOCAL_FS, FileSystem, atomic_write, ensure_folder, storage_error
from sync.impact import PSEUDONYMISATION_KEY_SIZE
from sync.keys import generate_recipient_key, load_recipient_private
from sync.passphrase import check_passphrase, seal_with_secret

log = logging.getLogger(__name__)


def init_central(
    path: Path | str, passphrase: str, organisation_name: str, *, fs: FileSystem = LOCAL_FS
) -> CentralStore:
    """Create a central store in an empty or new folder and return it, unlocked.

    Generates the recipient key pair, the receipt signing key, the
    pseudonymisation key and the organisation id. ``central.json`` is
    written last, so an interrupted set-up leaves a folder that ``open``
    reports as incomplete rather than a store with missing keys.
    """
    path = Path(path)
    check_passphrase(passphrase)
    name = organisation_name.strip()
    if not name or len(name) > MAX_ORGANISATION_NAME or not name.isprintable():
        raise InvalidInput(f"The organisation name must be 1 to {MAX_ORGANISATION_NAME} printable characters; "
                           f"got {len(organisation_name)} characters.")
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise InvalidInput(f"{path} is not an empty folder. Choose a new or empty folder for the central store.")

    ensure_folder(fs, path)
    try:
        path.chmod(0o700)
    except OSError as error:
        raise storage_error(error, "restrict access to the folder", path) from error

    organisation_id = str(uuid.uuid4())
    recipient_private, recipient_public = generate_recipient_key()
    signing = ed25519.Ed25519PrivateKey.generate()
    pseudonymisation_key = os.urandom(PSEUDONYMISATION_KEY_SIZE)

    secrets_json = dumps_canonical({
        "organisation_id": organisation_id,
        "recipient_private": b64encode(recipient_private),
        "receipt_signing": b64encode(signing.private_bytes_raw()),
        "pseudonymisation_key": b64encode(pseudonymisation_key),
    })
    atomic_write(fs, path / KEY_FILE, seal_with_secret(secrets_json, passphrase, file_format=KEY_FILE_FORMAT),
                 description="central key file")

    database = path / DATABASE_FILE
    try:
        # Create the file first so SQLite, which gives its WAL files the
        # database's mode, never makes them readable by others.
        fs.close(fs.open_new(database, FILE_MODE))
    except OSError as error:
        raise storage_error(error, "create the central database", database) from error
    conn = connect(database, create=True)

    public = {
        "format": PUBLIC_FORMAT,
        "format_version": CENTRAL_FORMAT_VERSION,
        "organisation_id": organisation_id,
        "organisation_name": name,
        "recipient_public": b64encode(recipient_public),
        "receipt_public": b64encode(signing.public_key().public_bytes_raw()),
    }
    document = json.dumps(public, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    atomic_write(fs, path / PUBLIC_FILE, document.encode("utf-8"), description="central store file")

    keys = PrivateKeys(recipient=load_recipient_private(recipient_private), receipt_signing=signing,
                       pseudonymisation_key=pseudonymisation_key)
    store = CentralStore(path, organisation_id=organisation_id, organisation_name=name,
                         recipient_public=recipient_public, receipt_public=signing.public_key().public_bytes_raw(),
                         conn=conn, fs=fs, keys=keys)
    log.info("Created central store %s for organisation %s", path, organisation_id)
    return store

