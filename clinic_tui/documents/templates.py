"""Loading and rendering letter templates, with errors that name file, line and variable.

Built-in templates ship in ``clinic_tui/documents/templates`` and are read
through ``importlib.resources``. A template of the same file name in the
user's template folder replaces the built-in one. Users edit templates, so
they run in Jinja2's sandbox, and an undefined variable is an error
(``StrictUndefined``) rather than an empty gap in a letter.

This module imports Jinja2 at the top, so the rest of the package imports
it only when a letter is rendered.
"""

from __future__ import annotations

import datetime as dt
import re
import traceback
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from types import TracebackType

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from clinic_tui.documents.context import FORBIDDEN_WORD
from clinic_tui.documents.errors import TemplateProblem
from clinic_tui.documents.markup import protect_value
from clinic_tui.domain.checks import format_date

USER_ADVICE = (
    "Fix the template in your template folder, or delete it to use the built-in letter again."
)
BUILT_IN_ADVICE = "The built-in template is damaged. Reinstall clinic day, and report the problem."

# Jinja2 3.1 words an undefined value as "'name' is undefined" or
# "'dict object' has no attribute 'name'" (jinja2.runtime.Undefined).
_UNDEFINED_NAME = re.compile(r"'([^']+)' is undefined$|has no (?:attribute|element) '?([^']+?)'?$")


class _Loader(jinja2.BaseLoader):
    """Reads a template from the user folder if it is there, else from the built-in ones.

    ``sources`` maps each file name handed to Jinja2 to the template's text,
    so an error can quote the failing line.
    """

    def __init__(self, user_dir: Path | None) -> None:
        self.user_dir = user_dir
        self.sources: dict[str, str] = {}

    def is_user_file(self, filename: str) -> bool:
        return self.user_dir is not None and Path(filename).parent == self.user_dir

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if "/" in template or "\\" in template or template.startswith("."):
            raise jinja2.TemplateNotFound(template)

        if self.user_dir is not None:
            path = self.user_dir / template
            if path.is_file():
                filename = str(path)
                source = self._read(path.read_bytes(), filename)
                self.sources[filename] = source
                return source, filename, lambda: False

        built_in = resources.files("clinic_tui.documents") / "templates" / template
        if not built_in.is_file():
            raise jinja2.TemplateNotFound(template)

        filename = str(built_in)
        source = self._read(built_in.read_bytes(), filename)
        self.sources[filename] = source
        return source, filename, lambda: True

    def _read(self, data: bytes, filename: str) -> str:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise TemplateProblem(
                filename,
                line,
                f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be read)",
                "Save the file as UTF-8 in your text editor.",
            ) from None


def _format_value(value: object) -> str:
    """Turn a value printed with ``{{ }}`` into marked text for the markup parser."""
    if isinstance(value, dt.datetime):
        text = f"{value:%H:%M} on {format_date(value.date())}"
    elif isinstance(value, dt.date):
        text = format_date(value)
    elif value is None:
        text = ""
    else:
        text = str(value)
    return protect_value(text)


class LetterTemplates:
    """The letter templates, with the user's folder (if any) in front of the built-in ones."""

    def __init__(self, user_dir: Path | None = None) -> None:
        if user_dir is not None:
            user_dir = Path(user_dir).expanduser().resolve()
            if not user_dir.is_dir():
                raise TemplateProblem(
                    str(user_dir),
                    None,
                    "the template folder does not exist or is not a folder",
                    "Create the folder, or choose another one in the settings.",
                )

        self._loader = _Loader(user_dir)
        self._environment = SandboxedEnvironment(
            loader=self._loader,
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            finalize=_format_value,
        )

    def render(self, name: str, values: Mapping[str, object]) -> str:
        """Render template ``name`` with ``values`` and return its marked-up text.

        Raises TemplateProblem for a syntax error, an undefined variable, a
        sandbox violation, a failing expression or the word "clinic" in the
        template's own text.
        """
        try:
            template = self._environment.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            raise self._syntax_problem(error) from None
        except jinja2.TemplateNotFound:
            raise TemplateProblem(
                name, None, "no built-in or user template has this name", BUILT_IN_ADVICE
            ) from None

        assert template.filename is not None
        self._check_wording(template.filename)

        try:
            return template.render(values)
        except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as error:
            problem = self._runtime_problem(error, error.__traceback__, values)
            if problem is None:
                raise
            raise problem from None

    def _advice(self, filename: str) -> str:
        return USER_ADVICE if self._loader.is_user_file(filename) else BUILT_IN_ADVICE

    def _source_line(self, filename: str, line: int | None) -> str | None:
        lines = self._loader.sources.get(filename, "").splitlines()
        if line is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]

    def _syntax_problem(self, error: jinja2.TemplateSyntaxError) -> TemplateProblem:
        filename = error.filename or error.name or "template"
        line = error.lineno
        problem = f"invalid template syntax: {error.message}"

        # An unclosed {{ or {% makes Jinja2 stop at a later line, where the
        # next bit of text does not parse. Point at the line that needs the fix.
        opened = _unclosed_tag_line(self._loader.sources.get(filename, ""), line)
        if opened is not None and opened != line:
            problem += f" (found at line {line}, but the tag opened here is not closed)"
            line = opened

        return TemplateProblem(
            filename,
            line,
            problem,
            self._advice(filename),
            source_line=self._source_line(filename, line),
        )

    def _check_wording(self, filename: str) -> None:
        """Reject a template whose own text contains "clinic". Inserted values are not checked."""
        source = self._loader.sources[filename]
        for line, token, value in self._environment.lex(source, filename=filename):
            if token == "data" and FORBIDDEN_WORD.search(value):
                # A data token may span lines, so count to the word itself.
                offset = FORBIDDEN_WORD.search(value).start()  # type: ignore[union-attr]
                found_at = line + value[:offset].count("\n")
                raise TemplateProblem(
                    filename,
                    found_at,
                    "the letter calls the meeting a clinic, which letters to families never do",
                    "Use the meeting's name ({{ meeting_name }}) or 'the meeting' instead.",
                    source_line=self._source_line(filename, found_at),
                )

    def _runtime_problem(
        self, error: Exception, trace: TracebackType | None, values: Mapping[str, object]
    ) -> TemplateProblem | None:
        """Build the problem for an error raised while rendering, or None if no template line ran it."""
        # Jinja2 rewrites the traceback so that template code appears as frames
        # whose file name is the template's and whose line is the template line.
        # The innermost such frame is where the error happened.
        frames = [frame for frame in traceback.extract_tb(trace) if frame.filename in self._loader.sources]
        if not frames:
            return None

        filename, line = frames[-1].filename, frames[-1].lineno
        source_line = self._source_line(filename, line)
        advice = self._advice(filename)

        if isinstance(error, jinja2.UndefinedError):
            variable, top_level = _undefined_variable(str(error), source_line)
            return TemplateProblem(
                filename,
                line,
                f"the variable {variable!r} is not defined",
                f"{_known_names(variable, top_level, values)} {advice}",
                variable=variable,
                source_line=source_line,
            )

        if isinstance(error, jinja2.exceptions.SecurityError):
            problem = f"the template tried something the sandbox does not allow ({error})"
        else:
            problem = f"an expression failed with {type(error).__name__}: {error}"
        return TemplateProblem(filename, line, problem, advice, source_line=source_line)


_TAG_PAIRS = (("{{", "}}"), ("{%", "%}"), ("{#", "#}"))


def _unclosed_tag_line(source: str, error_line: int) -> int | None:
    """Return the line of the last tag opened before ``error_line`` ends and never closed."""
    lines = source.splitlines(keepends=True)
    prefix = "".join(lines[:error_line])

    last_open = -1
    for opener, closer in _TAG_PAIRS:
        position = prefix.rfind(opener)
        if position > last_open and closer not in prefix[position + len(opener) :]:
            last_open = position

    if last_open < 0:
        return None
    return prefix[:last_open].count("\n") + 1


def _undefined_variable(message: str, source_line: str | None) -> tuple[str, bool]:
    """Return the undefined name from Jinja2's message, and whether it is a top-level name.

    An attribute is returned with its dotted path, such as "family.nmae",
    when the failing line shows one.
    """
    match = _UNDEFINED_NAME.search(message)
    if match is None:
        return message, False
    if match.group(1):
        return match.group(1), True

    name = match.group(2)
    if source_line is not None:
        dotted = re.search(rf"[A-Za-z_][\w.]*\.{re.escape(name)}\b", source_line)
        if dotted is not None:
            return dotted.group(0), False
    return name, False


def _known_names(variable: str, top_level: bool, values: Mapping[str, object]) -> str:
    """Say which names exist next to ``variable``, so the user can spot a misspelling."""
    parts = variable.split(".")
    if len(parts) == 1 and not top_level:
        return "Check the spelling against the list of values at the top of the template."

    scope: object = values
    for part in parts[:-1]:
        if not isinstance(scope, Mapping) or part not in scope:
            return "Check the spelling against the list of values at the top of the template."
        scope = scope[part]

    if not isinstance(scope, Mapping):
        return "Check the spelling against the list of values at the top of the template."

    where = "the top level" if len(parts) == 1 else ".".join(parts[:-1])
    names = ", ".join(sorted(str(key) for key in scope))
    return f"The names available at {where} are: {names}."
