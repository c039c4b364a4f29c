"""The structured form of a letter or record, and its plain-text preview.

A RenderedDocument is a list of blocks (headings, paragraphs, groups of
kept lines, bullet lists and tables). The PDF and DOCX writers and the
terminal preview all draw the same blocks, so the three outputs carry the
same words.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass


def _normalise(text: str) -> str:
    # Names typed on different keyboards arrive composed or decomposed
    # ("e" plus a combining accent). NFC gives one code point per letter,
    # which the PDF font draws as one glyph.
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 for the document's main headings, 2 for the ones below."""

    text: str
    level: int = 1

    def __post_init__(self) -> None:
        if self.level not in (1, 2):
            raise ValueError(f"heading level must be 1 or 2, got {self.level!r}.")
        object.__setattr__(self, "text", _normalise(self.text))


@dataclass(frozen=True)
class Paragraph:
    """Running text that the output wraps to the page width."""

    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", _normalise(self.text))


@dataclass(frozen=True)
class Lines:
    """Lines printed one under another without a gap, such as an address or a sign-off."""

    lines: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.lines:
            raise ValueError("a group of lines needs at least one line.")
        object.__setattr__(self, "lines", tuple(_normalise(line) for line in self.lines))


@dataclass(frozen=True)
class BulletList:
    """A bulleted list. Each item is wrapped on its own."""

    items: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError("a bullet list needs at least one item.")
        object.__setattr__(self, "items", tuple(_normalise(item) for item in self.items))


@dataclass(frozen=True)
class Table:
    """A table of text cells. Every row has the same number of cells.

    When ``header`` is True the first row contains the column headings, which
    are printed in bold and repeated on each page.
    """

    rows: tuple[tuple[str, ...], ...]
    header: bool = False

    def __post_init__(self) -> None:
        if not self.rows:
            raise ValueError("a table needs at least one row.")

        width = max(len(row) for row in self.rows)
        padded = tuple(tuple(_normalise(cell) for cell in row) + ("",) * (width - len(row)) for row in self.rows)
        object.__setattr__(self, "rows", padded)

    @property
    def columns(self) -> int:
        return len(self.rows[0])


Block = Heading | Paragraph | Lines | BulletList | Table


def keeps_with_next(block: Block, following: Block | None) -> bool:
    """Whether ``block`` must start on the same page as ``following``.

    A heading belongs with what it heads, and a paragraph ending in a colon
    introduces the list or table after it.
    """
    if following is None:
        return False
    if isinstance(block, Heading):
        return True
    return isinstance(block, Paragraph) and block.text.endswith(":") and isinstance(following, (BulletList, Table))


@dataclass(frozen=True)
class RenderedDocument:
    """A letter or record ready to be written as PDF or DOCX or shown as text.

    ``title`` is stored in the file's metadata. ``footer`` is printed at the
    foot of each page of the PDF and DOCX, next to the page number.
    ``large_print`` selects the large-print sizes and spacing.
    """

    title: str
    blocks: tuple[Block, ...]
    large_print: bool = False
    footer: str = ""

    def text_lines(self) -> list[str]:
        """List every piece of text in the document, in order, for checks such as glyph coverage."""
        pieces = [self.title, self.footer]
        for block in self.blocks:
            if isinstance(block, (Heading, Paragraph)):
                pieces.append(block.text)
            elif isinstance(block, Lines):
                pieces.extend(block.lines)
            elif isinstance(block, BulletList):
                pieces.extend(block.items)
            else:
                pieces.extend(cell for row in block.rows for cell in row)
        return pieces


def _table_text(table: Table, width: int) -> list[str]:
    widths = [max(len(row[column]) for row in table.rows) for column in range(table.columns)]
    gap = "  "

    # A table wider than the screen is shown as one "heading: value" group
    # per row, because columns that wrap independently are hard to read.
    if sum(widths) + len(gap) * (table.columns - 1) > width:
        headings = table.rows[0] if table.header else tuple("" for _ in range(table.columns))
        body = table.rows[1:] if table.header else table.rows
        lines: list[str] = []
        for row in body:
            for heading, cell in zip(headings, row):
                label = f"{heading}: " if heading else ""
                lines.extend(textwrap.wrap(f"{label}{cell}", width, subsequent_indent="  ") or [label.strip()])
            lines.append("")
        return lines[:-1]

    lines = []
    for index, row in enumerate(table.rows):
        lines.append(gap.join(cell.ljust(widths[column]) for column, cell in enumerate(row)).rstrip())
        if index == 0 and table.header:
            lines.append(gap.join("-" * size for size in widths))
    return lines


def preview_text(document: RenderedDocument, width: int = 72) -> str:
    """Render the document as wrapped plain text for a terminal screen.

    Headings are underlined, bullets start with a bullet sign and tables are
    aligned in columns when they fit ``width`` characters.
    """
    if width < 20:
        raise ValueError(f"preview width {width} is too narrow. Use 20 characters or more.")

    chunks: list[list[str]] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            rule = "=" if block.level == 1 else "-"
            wrapped = textwrap.wrap(block.text, width) or [""]
            chunks.append([*wrapped, rule * min(width, max(len(line) for line in wrapped))])
        elif isinstance(block, Paragraph):
            chunks.append(textwrap.wrap(block.text, width) or [""])
        elif isinstance(block, Lines):
            chunks.append([wrapped for line in block.lines for wrapped in textwrap.wrap(line, width) or [""]])
        elif isinstance(block, BulletList):
            items = [textwrap.wrap(item, width, initial_indent="• ", subsequent_indent="  ") for item in block.items]
            chunks.append([line for item in items for line in item])
        else:
            chunks.append(_table_text(block, width))

    text = "\n\n".join("\n".join(chunk) for chunk in chunks)
    if document.footer:
        text += f"\n\n{document.footer}"
    return text + "\n"
