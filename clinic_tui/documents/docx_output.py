"""Writing a RenderedDocument as an A4 Word document (DOCX) for editing.

The sizes and spacing live in the document's styles (Normal, Heading 1,
Heading 2, List Bullet, Table Grid), so an edit to a style changes the
whole letter. Text is set in Arial, which Word and LibreOffice both have
or substitute, because a DOCX does not carry its fonts the way a PDF does.

python-docx is imported inside the functions, because the app's start-up
time is measured.
"""

from __future__ import annotations

import io
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
from clinic_tui.documents.styles import PrintStyle, check_output_path, print_style, write_atomic

if TYPE_CHECKING:
    from docx.document import Document
    from docx.styles.style import ParagraphStyle
    from docx.table import _Row
    from docx.text.paragraph import Paragraph as DocxParagraph

FONT_NAME = "Arial"
LANGUAGE = "en-GB"


def _set_font(style: ParagraphStyle, size: float, *, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    style.font.name = FONT_NAME
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold

    # The default template's headings name theme fonts, which Word prefers
    # over the named font, so drop them.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:cs"), FONT_NAME)


def _set_spacing(style: ParagraphStyle, print_size: PrintStyle, *, before: float = 0) -> None:
    from docx.shared import Pt

    spacing = style.paragraph_format
    spacing.space_before = Pt(before)
    spacing.space_after = Pt(print_size.paragraph_gap)
    spacing.line_spacing = print_size.line_spacing


def _prepare_styles(document: Document, print_size: PrintStyle) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = document.styles
    normal = styles["Normal"]
    _set_font(normal, print_size.body)
    _set_spacing(normal, print_size)

    # UK English for the spelling checker. w:lang comes after the font,
    # size and colour elements in a run's properties, so it goes last.
    properties = normal.element.get_or_add_rPr()
    for existing in properties.findall(qn("w:lang")):
        properties.remove(existing)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), LANGUAGE)
    properties.append(language)

    _set_font(styles["Heading 1"], print_size.heading1, bold=True)
    _set_spacing(styles["Heading 1"], print_size, before=print_size.paragraph_gap)
    _set_font(styles["Heading 2"], print_size.heading2, bold=True)
    _set_spacing(styles["Heading 2"], print_size, before=print_size.paragraph_gap / 2)
    _set_font(styles["List Bullet"], print_size.body)
    _set_spacing(styles["List Bullet"], print_size)
    styles["List Bullet"].paragraph_format.space_after = 0
    _set_font(styles["Footer"], print_size.footer)


def _repeat_as_header(row: _Row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _add_table(document: Document, block: Table) -> None:
    from docx.shared import Pt

    table = document.add_table(rows=len(block.rows), cols=block.columns)
    table.style = document.styles["Table Grid"]
    for row_index, cells in enumerate(block.rows):
        row = table.rows[row_index]
        for column, text in enumerate(cells):
            paragraph = row.cells[column].paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(text)
            if row_index == 0 and block.header:
                run.bold = True
        if row_index == 0 and block.header:
            _repeat_as_header(row)

    # Word runs a table straight into the next paragraph, so add the gap.
    document.add_paragraph()


def _add_field(paragraph: DocxParagraph, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _add_footer(document: Document, footer: str) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.style = document.styles["Footer"]
    if footer:
        paragraph.add_run(f"{footer}    ")
    paragraph.add_run("Page ")
    _add_field(paragraph, "PAGE")
    paragraph.add_run(" of ")
    _add_field(paragraph, "NUMPAGES")


def docx_bytes(document: RenderedDocument) -> bytes:
    """Build the DOCX file for ``document`` and return its bytes."""
    import docx
    from docx.shared import Mm

    print_size = print_style(document.large_print)
    word = docx.Document()

    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(print_size.margin_mm))

    _prepare_styles(word, print_size)
    properties = word.core_properties
    properties.title = document.title
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""

    blocks = document.blocks
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if isinstance(block, Heading):
            word.add_paragraph(block.text, style=f"Heading {block.level}")
        elif isinstance(block, Paragraph):
            paragraph = word.add_paragraph(block.text)
            if keeps_with_next(block, following):
                paragraph.paragraph_format.keep_with_next = True
        elif isinstance(block, Lines):
            paragraph = word.add_paragraph()
            for position, line in enumerate(block.lines):
                run = paragraph.add_run(line)
                if position < len(block.lines) - 1:
                    run.add_break()
        elif isinstance(block, BulletList):
            items = [word.add_paragraph(item, style="List Bullet") for item in block.items]
            # List Bullet has no space after, so the list ends with the usual gap.
            items[-1].paragraph_format.space_after = word.styles["Normal"].paragraph_format.space_after
        else:
            _add_table(word, block)

    _add_footer(word, document.footer)

    stream = io.BytesIO()
    word.save(stream)
    return stream.getvalue()


def write_docx(document: RenderedDocument, path: Path) -> Path:
    """Write ``document`` as a DOCX at ``path``, atomically, and return the path."""
    path = check_output_path(path)
    return write_atomic(path, docx_bytes(document))
