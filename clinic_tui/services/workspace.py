"""The workspace: folders, configuration and profiles of one installation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from clinic_tui.config import Config, load_config
from clinic_tui.paths import Locations
from clinic_tui.store.profiles import ProfileStore


@dataclass
class Workspace:
    """The folders, configuration and profiles that every command and screen needs before unlocking."""

    locations: Locations
    config: Config = field(default_factory=Config)

    @classmethod
    def open(cls, home: str | Path | None = None) -> Workspace:
        locations = Locations.resolve(home)
        return cls(locations, load_config(locations.config_file))

    @property
    def profiles(self) -> ProfileStore:
        return ProfileStore(self.locations, kdf_target_ms=self.config.security.kdf_target_ms)
