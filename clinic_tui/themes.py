"""Theme files: TOML files that describe a Textual theme.

The built-in themes ship inside the package (``clinic_tui/themes`` in a
wheel, the top-level ``themes`` folder in a source checkout). Users may drop
more ``*.toml`` files into the ``themes`` folder beside the config file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

from clinic_tui.config import line_of_key

DEFAULT_THEME = "clinic-dark"
HIGH_CONTRAST_THEME = "clinic-high-contrast"

_COLOUR_FIELDS = (
    "primary", "secondary", "accent", "warning", "error", "success",
    "foreground", "background", "surface", "panel", "boost",
)
_OTHER_FIELDS = {"name": str, "dark": bool, "luminosity_spread": float, "text_alpha": float}


class ThemeFileError(ValueError):
    """A theme file that cannot be used, with the file, line and value."""


@dataclass(frozen=True)
class LoadedTheme:
    theme: Theme
    source: Path


def builtin_themes_dir() -> Path:
    """Return the folder of built-in theme files, in a wheel or a checkout."""
    packaged = resources.files("clinic_tui") / "themes"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "themes"


def load_theme_file(path: Path) -> Theme:
    """Parse one theme file; raise ThemeFileError naming the file, line and value."""
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ThemeFileError(f"{path}: {error}. Fix the TOML syntax at that line.") from None

    if "name" not in raw or "primary" not in raw:
        raise ThemeFileError(f"{path}: a theme needs at least `name` and `primary`.")
    variables = raw.pop("variables", {})
    options: dict[str, object] = {}
    for key, value in raw.items():
        line = line_of_key(text, key)
        if key in _COLOUR_FIELDS:
            options[key] = _colour(path, line, key, value)
        elif key in _OTHER_FIELDS:
            expected = _OTHER_FIELDS[key]
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, expected):
                raise ThemeFileError(
                    f"{path}, line {line}: {key} = {value!r} must be a {expected.__name__}."
                )
            options[key] = value
        else:
            known = ", ".join((*_COLOUR_FIELDS, *_OTHER_FIELDS, "variables"))
            raise ThemeFileError(f"{path}, line {line}: unknown field {key!r}. Known fields: {known}.")

    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ThemeFileError(f"{path}, line {line_of_key(text, 'variables')}: [variables] must map names to strings.")
    return Theme(variables=dict(variables), **options)  # type: ignore[arg-type]


def _colour(path: Path, line: int | str, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(f"{path}, line {line}: {key} = {value!r} must be a colour string such as \"#1F5F99\".")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeFileError(
            f"{path}, line {line}: {key} = {value!r} is not a colour. Use a hex colour such as \"#1F5F99\"."
        ) from None
    return value


def discover_themes(user_dir: Path | None) -> tuple[list[LoadedTheme], list[str]]:
    """Load the built-in themes, then the user's; return the themes and any problems.

    A broken user theme is reported and skipped so the app still starts.
    """
    themes: list[LoadedTheme] = []
    problems: list[str] = []
    folders = [builtin_themes_dir()]
    if user_dir is not None and user_dir.is_dir():
        folders.append(user_dir)
    for folder in folders:
        for path in sorted(folder.glob("*.toml")):
            try:
                themes.append(LoadedTheme(load_theme_file(path), path))
            except ThemeFileError as error:
                problems.append(str(error))
    return themes, problems
