"""The plain-text markup that templates render to, and the blocks it becomes."""

from __future__ import annotations

from clinic_tui.documents.blocks import BulletList, Heading, Lines, Paragraph, Table
from clinic_tui.documents.markup import parse_markup, protect_value


def test_markup_headings_and_paragraphs():
    blocks = parse_markup("# Title\n\nFirst line\nsecond line.\n\n## Part\nText.\n")

    assert blocks == (
        Heading("Title", 1),
        Paragraph("First line second line."),
        Heading("Part", 2),
        Paragraph("Text."),
    )


def test_markup_bullets_with_continuation():
    blocks = parse_markup("- one\n  continues\n- two\nNew paragraph.\n")

    assert blocks == (BulletList(("one continues", "two")), Paragraph("New paragraph."))


def test_markup_kept_lines_drop_empty_values():
    text = f"> School\n> {protect_value('')}\n> Leeds\n\n> {protect_value('4 March')}\n"

    assert parse_markup(text) == (Lines(("School", "Leeds")), Lines(("4 March",)))


def test_markup_table_with_heading_row():
    blocks = parse_markup("| What | Who |\n|---|:--:|\n| Alarm | Mum |\n| Gate |\n")

    assert blocks == (Table((("What", "Who"), ("Alarm", "Mum"), ("Gate", "")), header=True),)


def test_markup_table_without_heading_row():
    blocks = parse_markup("| Date | Monday |\n| Time | 9:30am |\n")

    assert blocks == (Table((("Date", "Monday"), ("Time", "9:30am")), header=False),)


def test_markup_backslash_makes_text():
    assert parse_markup("\\- 5 degrees\n\\# not a heading\n") == (Paragraph("- 5 degrees # not a heading"),)


def test_markup_values_never_become_markup():
    heading_like = protect_value("# Boss")
    bullet_like = protect_value("- item")
    piped = protect_value("a | b")
    broken = protect_value("line one\nline two")

    text = f"{heading_like}\n\n{bullet_like}\n\n| {piped} | x |\n\n- {broken}\n"

    assert parse_markup(text) == (
        Paragraph("# Boss"),
        Paragraph("- item"),
        Table((("a | b", "x"),)),
        BulletList(("line one line two",)),
    )


def test_markup_value_markers_stripped_from_input():
    # A value that already contains the private-use markers cannot forge them.
    forged = protect_value("\ue000\ue001name")

    assert parse_markup(f"Dear {forged},") == (Paragraph("Dear name,"),)


def test_markup_blocks_change_without_blank_line():
    blocks = parse_markup("Intro:\n- a\n> kept\n| t |\n# H\n")

    assert blocks == (
        Paragraph("Intro:"),
        BulletList(("a",)),
        Lines(("kept",)),
        Table((("t",),)),
        Heading("H"),
    )
