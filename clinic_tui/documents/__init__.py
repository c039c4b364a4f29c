"""Letters to families and meeting records, as PDF for printing and DOCX for editing.

Letters
    ``render_letter(kind, context, template_dir=None)`` fills a template
    for one family and returns a RenderedDocument, a list of blocks.
    ``render_letters`` and ``write_letters`` do the same for a batch, after
    ``find_gaps(kind, contexts)`` has found no missing detail in any letter.
    The kinds are invitation, rearranged, did_not_attend and
    meeting_summary. The contexts are the dataclasses in ``context``.

Templates
    One Jinja2 file per kind, ``<kind>.txt``, ships in ``templates/``. A
    file of the same name in the user's template folder replaces it.
    Templates run sandboxed with undefined variables as errors, and a
    template whose own text calls the meeting a "clinic" is rejected. A
    rendered template is plain text in which:

    - ``# text`` and ``## text`` are headings;
    - ``- text`` is a bullet, and an indented line after it continues it;
    - ``> text`` lines are kept one under another (addresses, signatures);
    - ``| a | b |`` rows form a table, and ``|---|---|`` under the first
      row makes it the heading row;
    - other lines join into paragraphs, which blank lines separate;
    - a leading backslash makes a line plain text.

    Values inserted with ``{{ }}`` are always plain text. The comment at the
    top of each built-in template lists the values a template can use.

Records
    ``render_meeting_record(record, pupil_names=...)`` builds the formal
    record of a finalised meeting. ``render_day_summary(day, records)``
    builds the anonymised counts of a day for a manager.

Output
    ``write_pdf(document, path)`` and ``write_docx(document, path)`` write
    atomically. ``preview_text(document)`` returns the plain text for a
    terminal screen. The package's names, and fpdf2, python-docx and
    Jinja2, are imported only when first used, because the app's start-up
    time is measured.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clinic_tui.documents.blocks import (
        Block,
        BulletList,
        Heading,
        Lines,
        Paragraph,
        RenderedDocument,
        Table,
        preview_text,
    )
    from clinic_tui.documents.context import (
        DEFAULT_MEETING_NAME,
        AttendanceFigures,
        Family,
        FamilyPupil,
        LetterContext,
        LetterKind,
        MeetingDetails,
        Officer,
        School,
    )
    from clinic_tui.documents.day_summary import DaySummary, render_day_summary, summarise_day
    from clinic_tui.documents.docx_output import write_docx
    from clinic_tui.documents.errors import (
        DocumentError,
        Gap,
        InvalidContext,
        MissingDetails,
        OutputProblem,
        TemplateProblem,
        UnsupportedCharacters,
    )
    from clinic_tui.documents.gaps import find_gaps
    from clinic_tui.documents.letters import render_letter, render_letters, write_letters
    from clinic_tui.documents.meeting_record import render_meeting_record
    from clinic_tui.documents.pdf_output import write_pdf

# Public name to the module that defines it. Names load on first use, so
# importing this package costs nothing at the app's start-up.
_EXPORTS = {
    "Block": "blocks",
    "BulletList": "blocks",
    "Heading": "blocks",
    "Lines": "blocks",
    "Paragraph": "blocks",
    "RenderedDocument": "blocks",
    "Table": "blocks",
    "preview_text": "blocks",
    "DEFAULT_MEETING_NAME": "context",
    "AttendanceFigures": "context",
    "Family": "context",
    "FamilyPupil": "context",
    "LetterContext": "context",
    "LetterKind": "context",
    "MeetingDetails": "context",
    "Officer": "context",
    "School": "context",
    "DaySummary": "day_summary",
    "render_day_summary": "day_summary",
    "summarise_day": "day_summary",
    "write_docx": "docx_output",
    "DocumentError": "errors",
    "Gap": "errors",
    "InvalidContext": "errors",
    "MissingDetails": "errors",
    "OutputProblem": "errors",
    "TemplateProblem": "errors",
    "UnsupportedCharacters": "errors",
    "find_gaps": "gaps",
    "render_letter": "letters",
    "render_letters": "letters",
    "write_letters": "letters",
    "render_meeting_record": "meeting_record",
    "write_pdf": "pdf_output",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
