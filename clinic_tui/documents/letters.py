"""Rendering letters to families from templates, one at a time or as a batch.

A batch is all-or-nothing: every context is checked for gaps, every letter
is rendered and every PDF is checked for characters its font lacks before
the first file is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from clinic_tui.documents.blocks import Heading, RenderedDocument
from clinic_tui.documents.context import LetterContext, LetterKind
from clinic_tui.documents.errors import MissingDetails, OutputProblem, TemplateProblem, UnsupportedCharacters
from clinic_tui.documents.gaps import find_gaps, letter_kind
from clinic_tui.documents.letter_values import letter_values
from clinic_tui.documents.markup import parse_markup

if TYPE_CHECKING:
    from clinic_tui.documents.templates import LetterTemplates

FORMATS = ("pdf", "docx")

TITLES = {
    LetterKind.INVITATION: "Invitation to a meeting",
    LetterKind.REARRANGED: "New time for your meeting",
    LetterKind.DID_NOT_ATTEND: "Sorry we missed you",
    LetterKind.MEETING_SUMMARY: "What we agreed at our meeting",
}


def _render(kind: LetterKind, context: LetterContext, templates: LetterTemplates) -> RenderedDocument:
    text = templates.render(kind.template_name, letter_values(context))
    blocks = parse_markup(text)
    if not blocks:
        raise TemplateProblem(
            kind.template_name,
            None,
            "the template produced no text",
            "Check the template's {% if %} conditions, or delete your copy to use the built-in letter.",
        )

    heading = next((block.text for block in blocks if isinstance(block, Heading)), TITLES[kind])
    return RenderedDocument(title=heading, blocks=blocks, large_print=context.large_print)


def render_letters(
    kind: LetterKind | str, contexts: Iterable[LetterContext], *, template_dir: Path | None = None
) -> list[RenderedDocument]:
    """Render one letter per context, after checking the whole batch for gaps.

    Raises MissingDetails listing every gap in every letter, or
    TemplateProblem naming the template file, line and variable.
    """
    from clinic_tui.documents.templates import LetterTemplates

    letter = letter_kind(kind)
    batch = list(contexts)
    gaps = find_gaps(letter, batch)
    if gaps:
        raise MissingDetails(gaps)

    templates = LetterTemplates(template_dir)
    return [_render(letter, context, templates) for context in batch]


def render_letter(
    kind: LetterKind | str, context: LetterContext, *, template_dir: Path | None = None
) -> RenderedDocument:
    """Render one letter of ``kind`` for ``context``, from the user's template if there is one."""
    return render_letters(kind, [context], template_dir=template_dir)[0]


def write_letters(
    kind: LetterKind | str,
    contexts: Sequence[LetterContext],
    folder: Path,
    *,
    template_dir: Path | None = None,
    formats: Sequence[str] = FORMATS,
) -> list[Path]:
    """Render a batch of letters and write each as PDF and DOCX into ``folder``.

    Files are named ``<kind>-<position>.<format>``, with the position in the
    batch counted from 001, and an existing file of that name is replaced.
    Nothing is written unless every letter renders and fits the PDF font.
    Returns the paths written, in batch order.

    NOTE: a disk error part-way through the batch raises OutputProblem and
    leaves the files already written in place.
    """
    from clinic_tui.documents.docx_output import write_docx
    from clinic_tui.documents.pdf_output import missing_glyphs, write_pdf

    unknown = [name for name in formats if name not in FORMATS]
    if unknown or not formats:
        raise OutputProblem(f"unknown output formats {unknown or list(formats)}. Choose from {', '.join(FORMATS)}.")

    folder = Path(folder)
    if not folder.is_dir():
        raise OutputProblem(f"cannot write letters to {folder} because it is not a folder. Create it first.")

    letter = letter_kind(kind)
    documents = render_letters(letter, contexts, template_dir=template_dir)
    paths = [folder / f"{letter.value}-{index + 1:03d}" for index in range(len(documents))]

    if "pdf" in formats:
        for document, stem in zip(documents, paths):
            missing = missing_glyphs(document)
            if missing:
                raise UnsupportedCharacters(missing, stem.with_suffix(".pdf"))

    written: list[Path] = []
    for document, stem in zip(documents, paths):
        if "pdf" in formats:
            written.append(write_pdf(document, stem.with_suffix(".pdf")))
        if "docx" in formats:
            written.append(write_docx(document, stem.with_suffix(".docx")))
    return written
