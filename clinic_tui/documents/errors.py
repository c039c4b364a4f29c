"""Errors raised while building or writing letters and records.

Messages never copy a family's names, notes or address, because they can
end up in logs. They name the template file, line and variable, the batch
position and field, or the output path instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class DocumentError(ValueError):
    """A letter or record that could not be built or written."""


class InvalidContext(DocumentError):
    """A context value that breaks a rule of the letters, such as a negative count."""


@dataclass(frozen=True)
class Gap:
    """One missing detail that stops a letter in a batch from being generated.

    ``index`` is the letter's position in the batch, counting from 0.
    ``reference`` is the caller's reference for the family (never a name),
    ``field`` the context field that is missing and ``message`` what to add.
    """

    index: int
    reference: str
    field: str
    message: str

    def __str__(self) -> str:
        reference = f" ({self.reference})" if self.reference else ""
        return f"letter {self.index + 1}{reference}, {self.field}: {self.message}"


class MissingDetails(DocumentError):
    """Details missing from one or more letters of a batch, all listed at once."""

    def __init__(self, gaps: list[Gap]) -> None:
        self.gaps = list(gaps)
        letters = len({gap.index for gap in self.gaps})
        lines = "\n".join(f"- {gap}" for gap in self.gaps)
        super().__init__(
            f"{len(self.gaps)} missing details in {letters} of the letters, so no letter "
            f"was generated. Add them and try again:\n{lines}"
        )


class TemplateProblem(DocumentError):
    """A letter template that cannot be read or rendered.

    ``line`` counts from 1 and is None when the template engine reported no
    line. ``variable`` is the undefined or misspelt name, when there is one.
    """

    def __init__(
        self,
        template: str,
        line: int | None,
        problem: str,
        advice: str,
        *,
        variable: str | None = None,
        source_line: str | None = None,
    ) -> None:
        self.template = template
        self.line = line
        self.problem = problem
        self.variable = variable
        self.source_line = source_line

        where = template if line is None else f"{template}, line {line}"
        quoted = "" if source_line is None else f" The line reads: {source_line.strip()!r}."
        super().__init__(f"{where}: {problem}.{quoted} {advice}")


class UnsupportedCharacters(DocumentError):
    """Text that the PDF font cannot draw. The DOCX output can still be written."""

    def __init__(self, characters: list[str], path: Path) -> None:
        self.characters = characters
        quoted = ", ".join(f"{char!r} (U+{ord(char):04X})" for char in characters)
        super().__init__(
            f"the PDF {path} was not written because its font has no glyph for {quoted}. "
            "Write the letter as DOCX instead and print it from a word processor, "
            "which can use a font that has these characters."
        )


class OutputProblem(DocumentError):
    """A document file that could not be written."""
