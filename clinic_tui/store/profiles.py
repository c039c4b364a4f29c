"""Profiles: one vault per user of a laptop, each in its own private folder.

A profile folder holds ``vault.db`` and ``unlock-state.json``, the count of
recent wrong passphrases. After three wrong passphrases in a row each further
attempt must wait longer: 2, 4, 8 ... seconds, at most 5 minutes. The state
file holds no secret; deleting it only resets the wait, and the Argon2id
cost still limits guessing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from clinic_tui.paths import PRIVATE_FILE_MODE, VAULT_FILE, Locations, make_private_dir
from clinic_tui.store.errors import ProfileError, TooManyAttempts, WrongPassphrase

if TYPE_CHECKING:
    from clinic_tui.store.crypto import KdfParams
    from clinic_tui.store.vault import Vault

# The vault and crypto modules load SQLite and cryptography, so they are
# imported where a vault is opened: listing profiles at start-up needs neither.

log = logging.getLogger(__name__)

MIN_PASSPHRASE_LENGTH = 12
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
FREE_ATTEMPTS = 3
MAX_DELAY_SECONDS = 300
CALIBRATION_FILE = "kdf-calibration.json"
STATE_FILE = "unlock-state.json"


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    folder: Path

    @property
    def vault_path(self) -> Path:
        return self.folder / VAULT_FILE


def check_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise ProfileError(
            f"{name!r} is not a valid profile name. Use 1 to 32 lower-case letters, "
            "digits, hyphens or underscores, starting with a letter or digit."
        )
    return name


def check_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ProfileError(
            f"The passphrase has {len(passphrase)} characters; use at least "
            f"{MIN_PASSPHRASE_LENGTH}. Several unrelated words are easy to type and hard to guess."
        )
    return passphrase


class ProfileStore:
    """Create, list, unlock and delete the profiles under one data folder."""

    def __init__(
        self,
        locations: Locations,
        kdf_target_ms: int = 500,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.locations = locations
        self.kdf_target_ms = kdf_target_ms
        self._wall_clock = wall_clock

    def list(self) -> list[ProfileInfo]:
        folder = self.locations.profiles_dir
        if not folder.exists():
            return []
        return [
            ProfileInfo(child.name, child)
            for child in sorted(folder.iterdir())
            if child.is_dir() and NAME_PATTERN.match(child.name) and (child / VAULT_FILE).exists()
        ]

    def get(self, name: str) -> ProfileInfo:
        info = ProfileInfo(check_name(name), self.locations.profiles_dir / name)
        if not info.vault_path.exists():
            known = ", ".join(p.name for p in self.list()) or "none yet"
            raise ProfileError(
                f"No profile called {name!r}. Profiles on this machine: {known}. "
                "Create one with `clinic profile create NAME`."
            )
        return info

    def kdf_params(self) -> KdfParams:
        """Return this machine's Argon2id parameters, calibrating once per target."""
        from clinic_tui.store import crypto

        path = self.locations.data_dir / CALIBRATION_FILE
        if path.exists():
            saved = json.loads(path.read_text())
            if saved.get("target_ms") == self.kdf_target_ms:
                return crypto.KdfParams.from_dict(saved["params"])

        params = crypto.calibrate(self.kdf_target_ms)
        make_private_dir(self.locations.data_dir)
        path.write_text(json.dumps({"target_ms": self.kdf_target_ms, "params": params.to_dict()}))
        log.info("calibrated argon2id iterations=%d memory_kib=%d", params.iterations, params.memory_kib)
        return params

    def create(self, name: str, passphrase: str) -> ProfileInfo:
        """Create a profile; its vault is unlock-tested before the folder appears."""
        check_name(name)
        check_passphrase(passphrase)
        self.locations.ensure()
        final = self.locations.profiles_dir / name
        if final.exists():
            raise ProfileError(f"A profile called {name!r} already exists; choose another name.")

        from clinic_tui.store.vault import Vault

        staging = self.locations.profiles_dir / f".new-{name}-{uuid.uuid4().hex[:8]}"
        make_private_dir(staging)
        try:
            Vault.create(staging / VAULT_FILE, passphrase, profile_name=name, kdf=self.kdf_params())
            os.replace(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        log.info("profile created name=%s", name)
        return ProfileInfo(name, final)

    def unlock(self, name: str, passphrase: str, clock: Callable[[], dt.datetime] | None = None) -> Vault:
        """Unlock a profile's vault, enforcing the wait after repeated failures."""
        from clinic_tui.store.vault import Vault

        info = self.get(name)
        wait = self.seconds_to_wait(name)
        if wait > 0:
            raise TooManyAttempts(wait)

        try:
            vault = Vault.unlock(info.vault_path, passphrase, **({"clock": clock} if clock else {}))
        except WrongPassphrase:
            failures = self._record_failure(info)
            log.warning("unlock failed profile=%s consecutive_failures=%d", name, failures)
            raise
        self._clear_failures(info)
        log.info("profile unlocked name=%s", name)
        return vault

    def seconds_to_wait(self, name: str) -> float:
        state = self._read_state(self.get(name))
        return max(0.0, state.get("not_before", 0.0) - self._wall_clock())

    def change_passphrase(self, name: str, old: str, new: str) -> None:
        check_passphrase(new)
        vault = self.unlock(name, old)
        try:
            vault.change_passphrase(new, self.kdf_params())
        finally:
            vault.close()
        log.info("passphrase changed profile=%s", name)

    def delete(self, name: str) -> None:
        """Remove a profile folder. The caller confirms and checks for unsynced records."""
        info = self.get(name)
        shutil.rmtree(info.folder)
        log.info("profile deleted name=%s", name)

    # -- wrong-passphrase state ----------------------------------------

    def _read_state(self, info: ProfileInfo) -> dict[str, float]:
        path = info.folder / STATE_FILE
        try:
            return json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def _record_failure(self, info: ProfileInfo) -> int:
        state = self._read_state(info)
        failures = int(state.get("failures", 0)) + 1
        delay = 0.0
        if failures >= FREE_ATTEMPTS:
            delay = min(2.0 ** (failures - FREE_ATTEMPTS + 1), MAX_DELAY_SECONDS)
        path = info.folder / STATE_FILE
        path.write_text(json.dumps({"failures": failures, "not_before": self._wall_clock() + delay}))
        os.chmod(path, PRIVATE_FILE_MODE)
        return failures

    def _clear_failures(self, info: ProfileInfo) -> None:
        (info.folder / STATE_FILE).unlink(missing_ok=True)
