"""Missing details are listed for a whole batch at once, and then nothing is generated."""

from __future__ import annotations

import dataclasses

import pytest

from clinic_tui.documents import (
    Gap,
    InvalidContext,
    LetterKind,
    MeetingDetails,
    MissingDetails,
    Officer,
    OutputProblem,
    UnsupportedCharacters,
    find_gaps,
    render_letter,
    write_letters,
)
from clinic_tui.domain.attendees import Mode
from clinic_tui.domain.pupil import Contact


def unreachable(docs, reference: str):
    """Return a context whose family has a named carer but no telephone number or address."""
    return dataclasses.replace(
        docs.with_carers(docs.make_context(), Contact("Aoife Ó Briain"), address_lines=()),
        reference=reference,
    )


def test_gaps_cover_whole_batch(docs, tmp_path):
    complete = docs.make_context(reference="slot-b")
    no_reach = unreachable(docs, "slot-a")
    no_name_or_officer_phone = dataclasses.replace(
        docs.with_carers(docs.make_context(), Contact("", telephone="07700 900123")),
        officer=Officer("Siobhán Dvořák"),
        reference="slot-c",
    )
    batch = [no_reach, complete, no_name_or_officer_phone]

    gaps = find_gaps(LetterKind.INVITATION, batch)

    assert gaps == [
        Gap(0, "slot-a", "family.telephone or family.address_lines", gaps[0].message),
        Gap(2, "slot-c", "family.carers", gaps[1].message),
        Gap(2, "slot-c", "officer.telephone", gaps[2].message),
    ]
    assert "Add at least one" in gaps[0].message

    with pytest.raises(MissingDetails) as caught:
        write_letters(LetterKind.INVITATION, batch, tmp_path)

    assert caught.value.gaps == gaps
    message = str(caught.value)
    assert "3 missing details in 2 of the letters, so no letter was generated" in message
    assert "letter 1 (slot-a), family.telephone or family.address_lines" in message
    assert "letter 3 (slot-c), officer.telephone" in message
    assert list(tmp_path.iterdir()) == []


def test_gap_messages_hold_no_names(docs):
    gaps = find_gaps(LetterKind.INVITATION, [unreachable(docs, "slot-a")])

    text = " ".join(str(gap) for gap in gaps) + str(MissingDetails(gaps))
    for name in docs.difficult_names:
        assert name not in text


def test_single_letter_refuses_with_gaps(docs):
    with pytest.raises(MissingDetails, match="no telephone number or postal address"):
        render_letter(LetterKind.INVITATION, unreachable(docs, "slot-a"))


@pytest.mark.parametrize("kind", [LetterKind.INVITATION, LetterKind.REARRANGED, LetterKind.DID_NOT_ATTEND])
def test_reach_needs_phone_or_address(kind, docs):
    phone_only = docs.with_carers(docs.make_context(), Contact("A", telephone="07700 900123"), address_lines=())
    address_only = docs.with_carers(docs.make_context(), Contact("A"), address_lines=("1 Road",))

    assert find_gaps(kind, [phone_only, address_only]) == []
    assert [gap.field for gap in find_gaps(kind, [unreachable(docs, "x")])] == [
        "family.telephone or family.address_lines"
    ]


def test_summary_needs_actions_and_review(docs):
    context = docs.make_context(actions=(), review_date=None)

    fields = [gap.field for gap in find_gaps(LetterKind.MEETING_SUMMARY, [context])]

    assert fields == ["actions", "review_date"]


def test_summary_needs_no_phone_or_address(docs):
    assert find_gaps(LetterKind.MEETING_SUMMARY, [unreachable(docs, "x")]) == []


@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_kind_needs_meeting(kind, docs):
    fields = [gap.field for gap in find_gaps(kind, [docs.make_context(meeting=None)])]

    assert fields == ["meeting"]


def test_in_person_meeting_needs_place(docs):
    in_person = MeetingDetails(docs.make_context().meeting.date, docs.make_context().meeting.time, place=" ")
    by_phone = dataclasses.replace(in_person, modes=(Mode.PHONE, Mode.VIDEO))
    old_time = dataclasses.replace(in_person, modes=(Mode.IN_PERSON,))

    assert [gap.field for gap in find_gaps("invitation", [docs.make_context(meeting=in_person)])] == ["meeting.place"]
    assert find_gaps("invitation", [docs.make_context(meeting=by_phone)]) == []
    assert find_gaps("rearranged", [docs.make_context(previous_meeting=old_time)]) == []
    assert [gap.field for gap in find_gaps("did_not_attend", [docs.make_context(offered_meeting=old_time)])] == [
        "offered_meeting.place"
    ]


def test_interpreter_needs_language(docs):
    context = docs.with_carers(
        docs.make_context(), Contact("Aoife Ó Briain", telephone="07700 900123", needs_interpreter=True)
    )

    gaps = find_gaps(LetterKind.INVITATION, [context])

    assert [gap.field for gap in gaps] == ["family.carers[0].language"]


def test_no_pupils_is_a_gap(docs):
    family = dataclasses.replace(docs.make_context().family, pupils=())

    gaps = find_gaps(LetterKind.INVITATION, [docs.make_context(family=family)])

    assert [gap.field for gap in gaps] == ["family.pupils"]


def test_unknown_kind_rejected(docs):
    with pytest.raises(InvalidContext, match="unknown letter kind 'reminder'. Choose one of invitation, rearranged"):
        find_gaps("reminder", [docs.make_context()])


def test_write_letters_writes_each_format(docs, tmp_path):
    paths = write_letters("invitation", [docs.make_context(), docs.make_context()], tmp_path)

    assert [path.name for path in paths] == [
        "invitation-001.pdf",
        "invitation-001.docx",
        "invitation-002.pdf",
        "invitation-002.docx",
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(path.name for path in paths)
    assert "Zoë Nguyễn" in docs.pdf_text(paths[2])


def test_batch_with_unprintable_name_writes_nothing(docs, tmp_path):
    family = dataclasses.replace(docs.make_context().family, carers=(Contact("李小龍", telephone="07700 900123"),))
    batch = [docs.make_context(), docs.make_context(family=family)]

    with pytest.raises(UnsupportedCharacters) as caught:
        write_letters(LetterKind.INVITATION, batch, tmp_path)

    assert "invitation-002.pdf" in str(caught.value)
    assert list(tmp_path.iterdir()) == []
    docx_only = write_letters(LetterKind.INVITATION, batch, tmp_path, formats=("docx",))
    assert "李小龍" in docs.docx_text(docx_only[1])


def test_write_letters_rejects_unknown_format(docs, tmp_path):
    with pytest.raises(OutputProblem, match=r"unknown output formats \['odt'\]"):
        write_letters(LetterKind.INVITATION, [docs.make_context()], tmp_path, formats=("pdf", "odt"))


def test_write_letters_needs_folder(docs, tmp_path):
    with pytest.raises(OutputProblem, match="not a folder"):
        write_letters(LetterKind.INVITATION, [docs.make_context()], tmp_path / "missing")
