"""The configuration file: one TOML file with typed, documented fields.

``clinic locate`` prints where the file is. A missing file means every field
has its default; ``write_default`` writes a commented copy to edit.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """An invalid configuration file, with the file, line and value."""


@dataclass
class GeneralConfig:
    """Settings for how the app looks and names things."""

    meeting_name: str = "Helping your child succeed"
    """The meeting's name in letters to families. Letters never say "clinic"."""

    theme: str = "clinic-dark"
    """Theme name: clinic-light, clinic-dark, clinic-high-contrast or a user theme."""

    organisation_name: str = ""
    """The officer's organisation, printed on letters and records."""

    officer_name: str = ""
    """The officer's name as families see it, signed at the foot of each letter."""

    officer_phone: str = ""
    """The telephone number families call about a letter. Letters need it."""

    officer_email: str = ""
    """An email address families can use about a letter, or empty to leave it out."""


@dataclass
class SecurityConfig:
    """Settings for locking and key derivation."""

    idle_lock_minutes: float = 5.0
    """Minutes without a key press or click before the app locks itself."""

    kdf_target_ms: int = 500
    """Target time in milliseconds for deriving a key from a passphrase with
    Argon2id. The memory cost never drops below 64 MiB; only the number of
    iterations follows this target, measured once per machine."""


@dataclass
class DayConfig:
    """Settings for running a clinic day."""

    dna_grace_minutes: int = 10
    """Minutes after a slot's start before the app offers to record did not attend."""

    default_slot_minutes: int = 30
    """Length of a new slot in minutes."""


@dataclass
class SyncConfig:
    """Settings for end-of-day sync and purging local copies."""

    keep_days_after_receipt: int = 30
    """Days a record stays on the laptop after a verified receipt lists it."""

    warn_unsynced_days: int = 2
    """Days a finalised record may wait unsynced before the app warns."""


@dataclass
class Config:
    """The whole configuration file."""

    general: GeneralConfig = field(default_factory=GeneralConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    day: DayConfig = field(default_factory=DayConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id to key, for example ``"app.lock" = "ctrl+k"``. See F1 help for the ids."""


_SECTIONS = {f.name: f for f in fields(Config)}


def load_config(path: Path) -> Config:
    """Read ``path``, or return the defaults when it does not exist."""
    if not path.exists():
        return Config()

    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}. Fix the TOML syntax at that line.") from None

    config = Config()
    for section, values in raw.items():
        if section not in _SECTIONS:
            raise ConfigError(
                f"{path}, line {line_of_key(text, section)}: unknown section [{section}]. "
                f"Known sections: {', '.join(_SECTIONS)}."
            )
        if not isinstance(values, dict):
            raise ConfigError(f"{path}, line {line_of_key(text, section)}: {section} must be a section.")
        if section == "keymap":
            config.keymap = _read_keymap(path, text, values)
            continue
        _apply_section(path, text, getattr(config, section), section, values)
    return config


def _apply_section(path: Path, text: str, target: Any, section: str, values: dict[str, Any]) -> None:
    known = {f.name: f for f in fields(target)}
    for key, value in values.items():
        line = line_of_key(text, key)
        if key not in known:
            raise ConfigError(
                f"{path}, line {line}: unknown field {section}.{key}. "
                f"Known fields: {', '.join(known)}."
            )
        expected = type(getattr(target, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
            raise ConfigError(
                f"{path}, line {line}: {section}.{key} = {value!r} is not a "
                f"{expected.__name__}. Write a {expected.__name__}, for example "
                f"{key} = {getattr(target, key)!r}."
            )
        if isinstance(value, (int, float)) and value <= 0:
            raise ConfigError(f"{path}, line {line}: {section}.{key} = {value!r} must be above zero.")
        setattr(target, key, value)


def _read_keymap(path: Path, text: str, values: dict[str, Any]) -> dict[str, str]:
    keymap: dict[str, str] = {}
    for binding_id, key in values.items():
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(
                f"{path}, line {line_of_key(text, binding_id)}: keymap {binding_id!r} must be "
                f'a key name such as "ctrl+k" or "f5", not {key!r}.'
            )
        keymap[binding_id] = key.strip()
    return keymap


def line_of_key(text: str, key: str) -> int | str:
    """Return the first line that defines ``key`` or section ``[key]``, for error messages."""
    pattern = re.compile(rf'^\s*(\[{re.escape(key)}\]|"?{re.escape(key)}"?\s*=)')
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return "?"


DEFAULT_FILE = '''\
# Clinic day configuration. Every field is optional; delete a line to use
# its default. Run `clinic locate` to see where this file lives.

[general]
# The meeting's name in letters to families. Letters never say "clinic".
meeting_name = "Helping your child succeed"
# Theme: clinic-light, clinic-dark, clinic-high-contrast, or the name of a
# theme file you put in the themes folder next to this file.
theme = "clinic-dark"
# Your organisation, printed on letters and meeting records.
organisation_name = ""
# Your name as families see it, signed at the foot of each letter.
officer_name = ""
# The telephone number families call about a letter. Letters need it.
officer_phone = ""
# An email address families can use about a letter; leave empty to omit it.
officer_email = ""

[security]
# Minutes without a key press or click before the app locks itself.
idle_lock_minutes = 5
# Target milliseconds for deriving a key from a passphrase (Argon2id, at
# least 64 MiB of memory). Slower is safer against guessing.
kdf_target_ms = 500

[day]
# Minutes after a slot's start before the app offers "did not attend".
dna_grace_minutes = 10
# Length of a new slot in minutes.
default_slot_minutes = 30

[sync]
# Days a record stays on this laptop after a verified receipt lists it.
keep_days_after_receipt = 30
# Days a finalised record may wait unsynced before the app warns.
warn_unsynced_days = 2

[keymap]
# Remap a key by its binding id (press F1 in the app to see every id):
# "app.lock" = "ctrl+k"
'''


def write_default(path: Path) -> None:
    """Write the commented default configuration to ``path`` if it is missing."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DEFAULT_FILE, encoding="utf-8")
