"""The wording of the built-in letters, read back from real PDF and DOCX files."""

from __future__ import annotations

import dataclasses
import re

import docx
import pytest

from clinic_tui.documents import (
    DEFAULT_MEETING_NAME,
    BulletList,
    InvalidContext,
    LetterKind,
    MeetingDetails,
    Paragraph,
    preview_text,
    render_letter,
    write_docx,
    write_pdf,
)
from clinic_tui.domain.attendees import Mode
from clinic_tui.domain.pupil import Contact

ALL_KINDS = list(LetterKind)
# Kinds that set out the meeting itself, with how to join and what to bring.
MEETING_KINDS = [LetterKind.INVITATION, LetterKind.REARRANGED, LetterKind.DID_NOT_ATTEND]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_letter_pdf_and_docx_content(kind, context, docs, tmp_path):
    document = render_letter(kind, context)
    pdf = write_pdf(document, tmp_path / f"{kind.value}.pdf")
    word = write_docx(document, tmp_path / f"{kind.value}.docx")

    for text in (docs.one_line(docs.pdf_text(pdf)), docs.one_line(docs.docx_text(word))):
        for name in docs.difficult_names:
            assert name in text
        assert DEFAULT_MEETING_NAME in text
        assert "Dear Aoife Ó Briain," in text
        assert "82.5%" in text
        assert "28 sessions out of 160" in text
        assert "about 14 school days" in text
        assert "The school had not agreed to 6 of these absences." in text
        assert "call Siobhán Dvořák on 0113 496 0001" in text
        assert "do better in their learning" in text
        assert "clinic" not in text.lower()


@pytest.mark.parametrize("kind", MEETING_KINDS)
def test_meeting_letters_cover_the_meeting(kind, docs):
    context = docs.make_context(
        offered_meeting=docs.make_context().meeting if kind is LetterKind.DID_NOT_ATTEND else None
    )
    text = docs.one_line(preview_text(render_letter(kind, context)))

    assert "Thursday 10 December 2026" in text
    assert "9:30am" in text
    assert "In person, at Room 4, Riverside Academy." in text
    assert "By video call." in text
    assert "By phone." in text
    assert "an education welfare officer (EWO)" in text
    assert "the head of year" in text
    assert "You can bring someone with you, such as a friend, a relative or a support worker." in text
    assert "You do not need to bring a doctor's note or any other medical evidence." in text


def test_summary_lists_actions_by_side(context):
    text = preview_text(render_letter(LetterKind.MEETING_SUMMARY, context))

    family = text.index("What you will do:")
    school = text.index("What the school will do:")
    agency = text.index("What other services will do:")
    assert family < text.index("Set an alarm for 7am on school days") < school
    assert school < text.index("Meet Zoë at the gate each morning") < agency
    assert agency < text.index("Phone Mum about sleep")
    assert "Friday 11 December 2026" in text
    assert "Friday 18 December 2026" in text
    assert "Friday 22 January 2027" in text


def test_summary_leaves_out_empty_sides(docs):
    context = docs.make_context(actions=docs.make_context().actions[:1])

    text = preview_text(render_letter(LetterKind.MEETING_SUMMARY, context))

    assert "What you will do:" in text
    assert "What the school will do:" not in text
    assert "What other services will do:" not in text


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"large_print": True},
        {"previous_meeting": None, "offered_meeting": None},
        {"meeting_name": "Working together for Zoë"},
    ],
)
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_no_letter_says_clinic(kind, changes, docs):
    carers = (Contact("Aoife Ó Briain", telephone="07700 900123", language="Polish", needs_interpreter=True),)
    context = docs.with_carers(docs.make_context(**changes), *carers)

    document = render_letter(kind, context)

    assert "clinic" not in preview_text(document).lower()
    assert "clinic" not in document.title.lower()


def test_meeting_name_comes_from_context(docs):
    context = docs.make_context(meeting_name="Working together for Zoë")

    document = render_letter(LetterKind.INVITATION, context)

    assert "Working together for Zoë" in preview_text(document)
    assert DEFAULT_MEETING_NAME not in preview_text(document)
    assert document.title == "Working together for Zoë"


def test_meeting_name_with_clinic_rejected(docs):
    with pytest.raises(InvalidContext, match=r"meeting name 'Attendance Clinic' contains the word 'clinic'.*\[general\]"):
        docs.make_context(meeting_name="Attendance Clinic")


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_interpreter_note_only_when_needed(kind, docs):
    needs = Contact("Aoife Ó Briain", telephone="07700 900123", language="Polish", needs_interpreter=True)
    speaks = Contact("Aoife Ó Briain", telephone="07700 900123", language="Polish", needs_interpreter=False)

    with_note = preview_text(render_letter(kind, docs.with_carers(docs.make_context(), needs)))
    without_note = preview_text(render_letter(kind, docs.with_carers(docs.make_context(), speaks)))

    assert "We can arrange an interpreter in Polish." in docs.one_line(with_note)
    assert "interpreter" not in without_note


def test_interpreter_note_names_each_language(docs):
    carers = (
        Contact("Aoife Ó Briain", language="Polish", needs_interpreter=True, telephone="07700 900123"),
        Contact("Tomasz Nowak", language="Romanian", needs_interpreter=True),
        Contact("Ana Nowak", language="Polish", needs_interpreter=True),
    )

    text = preview_text(render_letter(LetterKind.INVITATION, docs.with_carers(docs.make_context(), *carers)))

    assert "We can arrange an interpreter in Polish and Romanian." in docs.one_line(text)
    assert "Dear Aoife Ó Briain, Tomasz Nowak and Ana Nowak," in text


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_read_with_you_note_only_when_needed(kind, docs):
    helped = Contact("Aoife Ó Briain", telephone="07700 900123", literacy_support=True)
    not_helped = Contact("Aoife Ó Briain", telephone="07700 900123")

    with_note = docs.one_line(preview_text(render_letter(kind, docs.with_carers(docs.make_context(), helped))))
    without_note = preview_text(render_letter(kind, docs.with_carers(docs.make_context(), not_helped)))

    assert (
        "If you would like someone to read this letter with you, call Siobhán Dvořák on 0113 496 0001."
        in with_note
    )
    assert "read this letter with you" not in without_note


def test_large_print_docx_sizes(docs, tmp_path):
    standard = write_docx(render_letter(LetterKind.INVITATION, docs.make_context()), tmp_path / "standard.docx")
    large = write_docx(
        render_letter(LetterKind.INVITATION, docs.make_context(large_print=True)), tmp_path / "large.docx"
    )

    standard_sizes = set()
    for paragraph in docx.Document(str(standard)).paragraphs:
        standard_sizes.update(docs.effective_size(paragraph, run) for run in paragraph.runs)
    large_document = docx.Document(str(large))
    large_sizes = set()
    for paragraph in large_document.paragraphs:
        large_sizes.update(docs.effective_size(paragraph, run) for run in paragraph.runs)

    assert min(standard_sizes) == 12
    assert min(large_sizes) >= 16
    normal = large_document.styles["Normal"].paragraph_format
    standard_normal = docx.Document(str(standard)).styles["Normal"].paragraph_format
    assert normal.line_spacing > standard_normal.line_spacing
    assert normal.space_after > standard_normal.space_after


def test_large_print_pdf_sizes(docs, tmp_path):
    standard = write_pdf(render_letter(LetterKind.INVITATION, docs.make_context()), tmp_path / "standard.pdf")
    large = write_pdf(
        render_letter(LetterKind.INVITATION, docs.make_context(large_print=True)), tmp_path / "large.pdf"
    )

    assert min(docs.pdf_font_sizes(large)) >= 16
    assert min(docs.pdf_font_sizes(standard)) < 16
    assert 12 in docs.pdf_font_sizes(standard)


def test_large_print_letter_offers_nothing_more(docs):
    standard = preview_text(render_letter(LetterKind.INVITATION, docs.make_context()))
    large = preview_text(render_letter(LetterKind.INVITATION, docs.make_context(large_print=True)))

    assert "We can send you this letter in large print." in standard
    assert "large print" not in large


def test_phone_only_meeting_needs_no_place(docs):
    meeting = MeetingDetails(docs.make_context().meeting.date, docs.make_context().meeting.time, modes=(Mode.PHONE,))

    text = preview_text(render_letter(LetterKind.INVITATION, docs.make_context(meeting=meeting)))

    assert "By phone. We will call you at the time of the meeting." in text
    assert "In person" not in text
    assert "Place" not in text
    assert "By video call" not in text


def test_rearranged_gives_previous_time(docs):
    previous = dataclasses.replace(docs.make_context().meeting, date=docs.make_context().meeting.date.replace(day=8))

    with_previous = preview_text(render_letter(LetterKind.REARRANGED, docs.make_context(previous_meeting=previous)))
    without_previous = preview_text(render_letter(LetterKind.REARRANGED, docs.make_context()))

    assert "It was going to be on Tuesday 8 December 2026 at 9:30am." in docs.one_line(with_previous)
    assert "It was going to be" not in without_previous


def test_missed_meeting_with_and_without_new_time(docs):
    offered = dataclasses.replace(docs.make_context().meeting, date=docs.make_context().meeting.date.replace(day=17))

    booked = docs.one_line(
        preview_text(render_letter(LetterKind.DID_NOT_ATTEND, docs.make_context(offered_meeting=offered)))
    )
    unbooked = docs.one_line(preview_text(render_letter(LetterKind.DID_NOT_ATTEND, docs.make_context())))

    assert "sorry not to see you at the meeting about Zoë Nguyễn and Łukasz Nguyễn on Thursday 10 December 2026" in booked
    assert "Thursday 17 December 2026" in booked
    assert "Please call Siobhán Dvořák on 0113 496 0001 to choose a new time." in unbooked
    assert "You can meet us in person, by video call or by phone." in unbooked
    assert "You do not need to bring a doctor's note or any other medical evidence." in unbooked


def test_single_pupil_wording(docs):
    family = dataclasses.replace(docs.make_context().family, pupils=docs.make_context().family.pupils[:1])

    text = docs.one_line(preview_text(render_letter(LetterKind.INVITATION, docs.make_context(family=family))))

    assert "We are worried about how much school Zoë has missed." in text
    assert "Zoë is welcome to come too." in text
    assert "Łukasz" not in text


def _syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word.lower())
    count = len(groups) - (1 if word.lower().endswith("e") and not word.lower().endswith("le") else 0)
    return max(count, 1)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_letter_sentences_stay_short(kind, context):
    """Check sentence length and an estimated Flesch-Kincaid grade of the running text.

    The grade uses a rough vowel-group syllable count, so it is an estimate.
    Grade 6 is about a reading age of 11.
    """
    document = render_letter(kind, context)
    pieces = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            pieces.append(block.text)
        elif isinstance(block, BulletList):
            pieces.extend(block.items)

    sentences = [sentence for piece in pieces for sentence in re.split(r"(?<=[.!?])\s+", piece) if sentence]
    lengths = [len(sentence.split()) for sentence in sentences]
    words = [word for sentence in sentences for word in re.findall(r"[^\W\d_]+", sentence)]
    grade = 0.39 * len(words) / len(sentences) + 11.8 * sum(map(_syllables, words)) / len(words) - 15.59

    assert sum(lengths) / len(lengths) <= 14
    assert max(lengths) <= 25
    assert grade <= 6


def test_pdf_and_docx_carry_same_words(context, docs, tmp_path):
    document = render_letter(LetterKind.MEETING_SUMMARY, context)
    preview_words = set(re.findall(r"\w+", preview_text(document)))

    pdf_words = set(re.findall(r"\w+", docs.pdf_text(write_pdf(document, tmp_path / "letter.pdf"))))
    docx_words = set(re.findall(r"\w+", docs.docx_text(write_docx(document, tmp_path / "letter.docx"))))

    assert preview_words - pdf_words == set()
    assert preview_words - docx_words == set()
