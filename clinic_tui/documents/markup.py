"""The plain-text markup that letter templates produce, and its parser.

A template renders to lines of text, which become blocks:

- ``# Heading`` and ``## Smaller heading``.
- ``- item`` is a bullet. An indented line straight after a bullet
  continues that bullet.
- ``> line`` keeps the line as it is, under the previous one with no gap.
  Use it for addresses, the date and the sign-off. Empty ``>`` lines are
  dropped, so an optional address line needs no ``{% if %}``.
- ``| cell | cell |`` is a table row. Rows next to each other form one
  table. A row of dashes such as ``|---|---|`` under the first row makes
  that row the column headings.
- Any other line is text. Lines next to each other join into one
  paragraph, and a blank line ends it.
- A line that starts with a backslash is text even if a marker follows,
  so ``\\- 5 degrees`` prints "- 5 degrees".

Markers count only when the template itself writes them. A value inserted
with ``{{ }}`` is always text, because the template engine marks where each
value starts and escapes its ``|`` characters (see ``protect_value``). So a
name or note that begins with "#" or contains "|" cannot create a heading
or a table cell.
"""

from __future__ import annotations

import re

from clinic_tui.documents.blocks import Block, BulletList, Heading, Lines, Paragraph, Table

# Private-use code points, which never appear in names or addresses. Values
# are stripped of them before the markers are added.
VALUE_START = "\ue000"
ESCAPED_PIPE = "\ue001"

_SEPARATOR_CELL = re.compile(r"\s*:?-+:?\s*")


def protect_value(text: str) -> str:
    """Mark ``text`` as an inserted value so that the parser never reads it as markup.

    Line breaks in a value become spaces, because a value is one piece of
    text in its line.
    """
    cleaned = text.replace(VALUE_START, "").replace(ESCAPED_PIPE, "")
    one_line = " ".join(cleaned.splitlines())
    return VALUE_START + one_line.replace("|", ESCAPED_PIPE)


def _clean(text: str) -> str:
    return text.replace(VALUE_START, "").replace(ESCAPED_PIPE, "|").strip()


def _cells(row: str) -> list[str]:
    inner = row.strip()[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return inner.split("|")


def _is_separator(cells: list[str]) -> bool:
    return all(_SEPARATOR_CELL.fullmatch(cell) for cell in cells)


class _Builder:
    """Collects lines into the block being built and emits it when another starts."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.paragraph: list[str] = []
        self.bullets: list[str] = []
        self.kept_lines: list[str] = []
        self.rows: list[tuple[str, ...]] = []
        self.header = False

    def flush(self) -> None:
        if self.paragraph:
            self.blocks.append(Paragraph(" ".join(self.paragraph)))
        if self.bullets:
            self.blocks.append(BulletList(tuple(self.bullets)))
        if self.kept_lines:
            self.blocks.append(Lines(tuple(self.kept_lines)))
        if self.rows:
            self.blocks.append(Table(tuple(self.rows), header=self.header))

        self.paragraph, self.bullets, self.kept_lines, self.rows = [], [], [], []
        self.header = False

    def start(self, kind: str) -> None:
        """Flush unless the block being built is already of ``kind``."""
        current = {
            "paragraph": bool(self.paragraph),
            "bullets": bool(self.bullets),
            "kept": bool(self.kept_lines),
            "table": bool(self.rows),
        }
        if any(active for name, active in current.items() if name != kind):
            self.flush()

    def add_heading(self, text: str, level: int) -> None:
        self.flush()
        if _clean(text):
            self.blocks.append(Heading(_clean(text), level))

    def add_bullet(self, text: str) -> None:
        self.start("bullets")
        if _clean(text):
            self.bullets.append(_clean(text))

    def add_kept(self, text: str) -> None:
        self.start("kept")
        if _clean(text):
            self.kept_lines.append(_clean(text))

    def add_row(self, line: str) -> None:
        self.start("table")
        cells = _cells(line)
        if _is_separator(cells):
            # Only a separator straight under the first row marks headings.
            # Any other separator row is dropped.
            if len(self.rows) == 1:
                self.header = True
            return
        self.rows.append(tuple(_clean(cell) for cell in cells))

    def add_text(self, text: str, indented: bool) -> None:
        if indented and self.bullets and not self.paragraph:
            self.bullets[-1] = f"{self.bullets[-1]} {_clean(text)}".strip()
            return

        self.start("paragraph")
        self.paragraph.append(_clean(text))


def parse_markup(text: str) -> tuple[Block, ...]:
    """Turn rendered template text into blocks, following the rules in the module docstring."""
    builder = _Builder()

    for raw in text.splitlines():
        line = raw.rstrip()
        if not _clean(line):
            builder.flush()
            continue

        body = line.lstrip()
        indented = body != line
        if body.startswith("## "):
            builder.add_heading(body[3:], 2)
        elif body.startswith("# "):
            builder.add_heading(body[2:], 1)
        elif body.startswith("- "):
            builder.add_bullet(body[2:])
        elif body == ">" or body.startswith("> "):
            builder.add_kept(body[2:])
        elif body.startswith("|"):
            builder.add_row(body)
        elif body.startswith("\\"):
            builder.add_text(body[1:], indented)
        else:
            builder.add_text(body, indented)

    builder.flush()
    return tuple(builder.blocks)
