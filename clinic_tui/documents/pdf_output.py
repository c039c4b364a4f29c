"""Writing a RenderedDocument as an A4 PDF for printing, with an embedded DejaVu Sans font.

fpdf2 is imported inside the functions, because the app's start-up time
is measured and most sessions never print.
"""

from __future__ import annotations

import contextlib
import functools
import unicodedata
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from clinic_tui.documents.blocks import (
    BulletList,
    Heading,
    Lines,
    Paragraph,
    RenderedDocument,
    Table,
    keeps_with_next,
)
from clinic_tui.documents.errors import UnsupportedCharacters
from clinic_tui.documents.styles import PrintStyle, check_output_path, print_style, write_atomic

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_FAMILY = "DejaVuSans"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
POINT_MM = 25.4 / 72
BULLET = "•"


@contextlib.contextmanager
def _font_paths() -> Iterator[dict[str, Path]]:
    """Yield file paths of the packaged fonts, valid until the block ends.

    From a normal install the fonts are already files. From a zipped
    package ``as_file`` extracts a temporary copy.
    """
    folder = resources.files("clinic_tui.documents") / "fonts"
    with contextlib.ExitStack() as stack:
        yield {style: stack.enter_context(resources.as_file(folder / name)) for style, name in FONT_FILES.items()}


def _line_height(size: float, style: PrintStyle) -> float:
    return size * style.line_spacing * POINT_MM


def _column_widths(natural: list[float], minimum: list[float], available: float) -> list[float]:
    """Share ``available`` between columns, as a browser lays out an automatic HTML table.

    ``natural`` is each column's width with no wrapping and ``minimum`` the
    width of its longest word. When everything fits, the columns grow in
    proportion to fill the line. Otherwise each column gets its minimum,
    so no word is split, and the rest of the line goes to the columns in
    proportion to how much wrapping they need. Only when the longest words
    alone are too wide do columns shrink below them.
    """
    if sum(natural) <= available:
        return [width * available / sum(natural) for width in natural]
    if sum(minimum) >= available:
        return [width * available / sum(minimum) for width in minimum]

    spare = available - sum(minimum)
    wrapping_need = [full - least for full, least in zip(natural, minimum)]
    return [least + spare * extra / sum(wrapping_need) for least, extra in zip(minimum, wrapping_need)]


class _Layout:
    """Draws blocks on an FPDF page with the sizes of one print style."""

    def __init__(self, pdf: FPDF, style: PrintStyle) -> None:
        self.pdf = pdf
        self.style = style
        self.gap = style.paragraph_gap * POINT_MM

    def _font(self, size: float, bold: bool = False) -> float:
        self.pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
        return _line_height(size, self.style)

    def _text(self, text: str, height: float, width: float = 0) -> None:
        self.pdf.multi_cell(width, height, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def keep_with_next(self, block: Heading | Paragraph) -> None:
        """Start a new page unless ``block`` and two lines of the next block fit on this one."""
        if isinstance(block, Heading):
            size = self.style.heading1 if block.level == 1 else self.style.heading2
            height = self._font(size, bold=True)
        else:
            height = self._font(self.style.body)

        text_height = self.pdf.multi_cell(0, height, block.text, dry_run=True, output="HEIGHT")
        needed = text_height + self.gap + 2 * _line_height(self.style.body, self.style)
        if self.pdf.get_y() + needed > self.pdf.page_break_trigger:
            self.pdf.add_page()

    def heading(self, block: Heading) -> None:
        size = self.style.heading1 if block.level == 1 else self.style.heading2
        self._text(block.text, self._font(size, bold=True))
        self.pdf.ln(self.gap / 2)

    def paragraph(self, block: Paragraph) -> None:
        self._text(block.text, self._font(self.style.body))
        self.pdf.ln(self.gap)

    def lines(self, block: Lines) -> None:
        height = self._font(self.style.body)
        for line in block.lines:
            self._text(line, height)
        self.pdf.ln(self.gap)

    def bullets(self, block: BulletList) -> None:
        height = self._font(self.style.body)
        indent = self.style.body * 1.4 * POINT_MM
        for item in block.items:
            self.pdf.set_x(self.pdf.l_margin)
            self.pdf.cell(indent, height, BULLET)
            self.pdf.multi_cell(self.pdf.epw - indent, height, item, align="L", new_x="LMARGIN", new_y="NEXT")
            self.pdf.ln(self.gap / 3)
        self.pdf.ln(self.gap * 2 / 3)

    def table(self, block: Table) -> None:
        from fpdf.fonts import FontFace

        height = self._font(self.style.body)
        padding = self.style.body * 0.3 * POINT_MM
        natural: list[float] = []
        minimum: list[float] = []
        for column in range(block.columns):
            widest = longest_word = 0.0
            for index, row in enumerate(block.rows):
                self._font(self.style.body, bold=block.header and index == 0)
                widest = max(widest, self.pdf.get_string_width(row[column]))
                for word in row[column].split():
                    longest_word = max(longest_word, self.pdf.get_string_width(word))
            natural.append(widest + 2 * padding + 1)
            minimum.append(longest_word + 2 * padding + 1)
        self._font(self.style.body)

        with self.pdf.table(
            col_widths=_column_widths(natural, minimum, self.pdf.epw),
            first_row_as_headings=block.header,
            headings_style=FontFace(emphasis="BOLD"),
            line_height=height,
            text_align="LEFT",
            padding=padding,
            repeat_headings=1,
        ) as table:
            for cells in block.rows:
                row = table.row()
                for cell in cells:
                    row.cell(cell)
        self.pdf.ln(self.gap)


@functools.cache
def _covered_code_points() -> frozenset[int]:
    """Return the code points that both the regular and the bold font can draw."""
    from fontTools.ttLib import TTFont

    covered: frozenset[int] | None = None
    with _font_paths() as paths:
        for path in paths.values():
            font = TTFont(path, lazy=True)
            try:
                code_points = frozenset(font.getBestCmap())
            finally:
                font.close()
            covered = code_points if covered is None else covered & code_points

    assert covered is not None
    return covered


def missing_glyphs(document: RenderedDocument) -> list[str]:
    """List the characters of ``document`` that the PDF font cannot draw, in order of first use."""
    covered = _covered_code_points()
    missing: dict[str, None] = {}
    for text in document.text_lines():
        for char in text:
            # Spaces and format characters (such as a zero-width joiner)
            # draw nothing, so a font need not have them.
            if char.isspace() or unicodedata.category(char) in ("Cf", "Cc"):
                continue
            if ord(char) not in covered:
                missing[char] = None
    return list(missing)


def pdf_bytes(document: RenderedDocument) -> bytes:
    """Lay out ``document`` on A4 pages and return the PDF file's bytes."""
    from fpdf import FPDF

    style = print_style(document.large_print)
    footer_size = style.footer

    class _DocumentPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-style.margin_mm * 0.75)
            self.set_font(FONT_FAMILY, "", footer_size)
            left = document.footer
            self.cell(0, footer_size * POINT_MM * 1.2, left, align="L")
            self.set_x(self.l_margin)
            self.cell(0, footer_size * POINT_MM * 1.2, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf = _DocumentPDF(format="A4", unit="mm")
    pdf.set_margins(style.margin_mm, style.margin_mm, style.margin_mm)
    pdf.set_auto_page_break(True, margin=style.margin_mm + footer_size * POINT_MM * 2)
    pdf.set_title(document.title)
    pdf.set_lang("en-GB")

    with _font_paths() as paths:
        for font_style, path in paths.items():
            pdf.add_font(FONT_FAMILY, font_style, path)

        pdf.add_page()
        layout = _Layout(pdf, style)
        blocks = document.blocks
        for index, block in enumerate(blocks):
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if isinstance(block, (Heading, Paragraph)) and keeps_with_next(block, following):
                layout.keep_with_next(block)

            if isinstance(block, Heading):
                layout.heading(block)
            elif isinstance(block, Paragraph):
                layout.paragraph(block)
            elif isinstance(block, Lines):
                layout.lines(block)
            elif isinstance(block, BulletList):
                layout.bullets(block)
            else:
                layout.table(block)

        return bytes(pdf.output())


def write_pdf(document: RenderedDocument, path: Path) -> Path:
    """Write ``document`` as a PDF at ``path``, atomically, and return the path.

    Raises UnsupportedCharacters, before writing anything, when the text has
    characters the embedded font lacks (for example Chinese or Arabic script),
    because fpdf2 would silently leave them out.
    """
    path = check_output_path(path)
    missing = missing_glyphs(document)
    if missing:
        raise UnsupportedCharacters(missing, path)
    return write_atomic(path, pdf_bytes(document))
