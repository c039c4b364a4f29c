"""Errors raised by the vault and profiles, importable without loading SQLite or crypto."""

from __future__ import annotations


class VaultError(Exception):
    """A vault that cannot be opened or changed, with a sentence saying why."""


class WrongPassphrase(VaultError):
    """A passphrase that does not open the vault's key slot."""


class ProfileError(VaultError):
    """An invalid profile name or passphrase, or a profile that is missing or already exists."""


class TooManyAttempts(ProfileError):
    """Unlocking is paused after repeated wrong passphrases."""

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(
            f"Too many wrong passphrases. Wait {wait_seconds:.0f} seconds, then try again."
        )
