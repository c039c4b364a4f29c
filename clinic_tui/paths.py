"""Where clinic day keeps its configuration, data and logs.

By default the folders come from platformdirs, so they follow each operating
system's conventions. A home folder, from ``--home DIR`` or the ``CLINIC_HOME``
variable, puts everything under one folder instead: useful for a USB stick,
for tests and for a second copy of the app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "clinic-day"
HOME_VARIABLE = "CLINIC_HOME"

# Folders that hold vaults are private to the user: 0700 for folders and
# 0600 for files, so another account on a shared laptop cannot read them.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

VAULT_FILE = "vault.db"


@dataclass(frozen=True)
class Locations:
    """The three folders the app uses."""

    config_dir: Path
    data_dir: Path
    log_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def user_themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def letters_dir(self) -> Path:
        """The user's letter and call script templates, each replacing the built-in file of the same name."""
        return self.config_dir / "letters"

    @property
    def profiles_dir(self) -> Path:
        return self.data_dir / "profiles"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "clinic.log"

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> Locations:
        """Return the folders for ``home``, ``$CLINIC_HOME`` or the platform defaults."""
        chosen = home if home is not None else os.environ.get(HOME_VARIABLE)
        if chosen:
            root = Path(chosen).expanduser().resolve()
            return cls(root / "config", root / "data", root / "logs")
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    def ensure(self) -> None:
        """Create the folders if needed, private to the current user."""
        for folder in (self.config_dir, self.data_dir, self.profiles_dir, self.log_dir):
            make_private_dir(folder)


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) and set it to mode 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    os.chmod(path, PRIVATE_DIR_MODE)
