"""Fixtures for the document tests: letter contexts, a finalised record and file readers.

The builders and readers are handed out as the ``docs`` fixture, as the
other test folders hand out their helpers, rather than imported from this
conftest. All names, telephone numbers and addresses are made up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pypdf
import pytest

from clinic_tui.documents.context import (
    AttendanceFigures,
    Family,
    FamilyPupil,
    LetterContext,
    MeetingDetails,
    Officer,
    School,
)
from clinic_tui.domain.actions import Action, OwnerType
from clinic_tui.domain.attendees import Attendee, Mode, Role
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.next_steps import NextStep
from clinic_tui.domain.pupil import Contact
from clinic_tui.domain.social_care import ChildPlan, SocialWorkerAnswer
from clinic_tui.domain.steps import StepId
from clinic_tui.domain.views import PupilViews

LONDON = ZoneInfo("Europe/London")
LETTER_DATE = dt.date(2026, 12, 4)
MEETING_DATE = dt.date(2026, 12, 10)
REVIEW_DATE = dt.date(2027, 1, 22)

# Names with letters outside ASCII, which the PDF font must draw and the
# PDF's text layer must give back unchanged.
DIFFICULT_NAMES = ("Zoë", "Nguyễn", "Łukasz", "Ó Briain", "Siobhán", "Dvořák")


def make_context(**changes: object) -> LetterContext:
    """Return a complete context for a family of two pupils, with ``changes`` applied."""
    context = LetterContext(
        school=School("Riverside Academy", ("1 River Lane", "Leeds", "LS1 4AP"), "0113 496 0000"),
        officer=Officer("Siobhán Dvořák", telephone="0113 496 0001", email="officer@example.org"),
        family=Family(
            pupils=(
                FamilyPupil("Zoë Nguyễn", "Zoë", "9", AttendanceFigures(82.5, 160, 28, 6, dt.date(2026, 11, 27))),
                FamilyPupil("Łukasz Nguyễn", "Łukasz", "7", AttendanceFigures(88.1, 160, 19, 0)),
            ),
            carers=(Contact("Aoife Ó Briain", relationship="Mother", telephone="07700 900123"),),
            address_lines=("12 Park Road", "Leeds", "LS2 7QE"),
        ),
        letter_date=LETTER_DATE,
        meeting=MeetingDetails(
            MEETING_DATE,
            dt.time(9, 30),
            "Room 4, Riverside Academy",
            attendee_roles=(Role.EWO, Role.HEAD_OF_YEAR),
        ),
        actions=(
            Action(OwnerType.PARENT_CARER, "Mum", "Set an alarm for 7am on school days", dt.date(2026, 12, 11)),
            Action(OwnerType.SCHOOL, "Form tutor", "Meet Zoë at the gate each morning", dt.date(2026, 12, 11)),
            Action(OwnerType.OTHER_AGENCY, "School nurse", "Phone Mum about sleep", dt.date(2026, 12, 18)),
        ),
        review_date=REVIEW_DATE,
        reference="slot-1",
    )
    return dataclasses.replace(context, **changes)


def with_carers(context: LetterContext, *carers: Contact, address_lines: tuple[str, ...] | None = None) -> LetterContext:
    family = dataclasses.replace(
        context.family,
        carers=carers,
        address_lines=context.family.address_lines if address_lines is None else address_lines,
    )
    return dataclasses.replace(context, family=family)


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_font_sizes(path: Path) -> set[float]:
    """Return the font sizes, in points, of every piece of text in the PDF."""
    sizes: set[float] = set()

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            sizes.add(round(size * tm[0], 1))

    for page in pypdf.PdfReader(path).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def docx_text(path: Path) -> str:
    """Return the text of every paragraph, table cell and footer of the DOCX, one per line."""
    document = docx.Document(str(path))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    for section in document.sections:
        lines.extend(paragraph.text for paragraph in section.footer.paragraphs)
    return "\n".join(lines)


def effective_size(paragraph: object, run: object) -> float:
    """Return a run's font size in points, following the style chain as Word does."""
    if run.font.size is not None:  # type: ignore[attr-defined]
        return run.font.size.pt  # type: ignore[attr-defined]

    style = paragraph.style  # type: ignore[attr-defined]
    while style is not None:
        if style.font.size is not None:
            return style.font.size.pt
        style = style.base_style
    raise AssertionError("no font size set on the run or any of its styles")


def one_line(text: str) -> str:
    """Collapse line breaks and repeated spaces, since PDF text wraps where the page ends."""
    return " ".join(text.split())


def _finalised_record(slot_id: str | None = None) -> tuple[MeetingRecord, dict[str, str]]:
    """Return a finalised video meeting record with every section filled, and its pupil names."""
    start = dt.datetime(2026, 12, 10, 9, 30, tzinfo=LONDON)
    zoe, lukasz = str(uuid.uuid4()), str(uuid.uuid4())
    record = MeetingRecord(
        author="Siobhán Dvořák",
        now=start,
        pupil_ids=[zoe, lukasz],
        mode=Mode.VIDEO,
        slot_id=slot_id,
        attendance_snapshot={
            zoe: {"attendance_rate": 82.5, "possible_sessions": 160, "persistent_absence": True},
            lukasz: {"attendance_rate": 88.1, "possible_sessions": 160, "persistent_absence": False},
        },
        child_plans={lukasz: ChildPlan.CHILD_IN_NEED},
    )
    record.add_attendee(Attendee("Aoife Ó Briain", Role.PARENT_CARER, on_line=True))
    record.add_attendee(Attendee("Siobhán Dvořák", Role.EWO))
    record.add_attendee(Attendee("Priya Quayle", Role.SOCIAL_WORKER, on_line=True))
    record.confirm_line()
    record.confirm_information_sharing()
    record.set_social_worker(SocialWorkerAnswer.present())
    record.set_pupil_views(zoe, PupilViews.in_own_words("Mornings are hard because I feel sick."))
    record.set_pupil_views(
        lukasz, PupilViews.not_captured("Unwell on the day", "Talk with him in school", "Form tutor")
    )
    record.set_parent_views("Mum would like help with the morning routine.")
    record.set_barrier(Barrier.ROUTINES_SLEEP, "Late nights on a games console")
    record.set_barrier(Barrier.SAFEGUARDING, "Older friends collecting Zoë from school")
    record.add_action(Action(OwnerType.PARENT_CARER, "Mum", "Set an alarm for 7am", dt.date(2026, 12, 11)))
    record.add_action(Action(OwnerType.SCHOOL, "Form tutor", "Meet Zoë at the gate", dt.date(2026, 12, 11)))
    record.set_review_date(REVIEW_DATE)
    record.set_attendance_target(95)
    record.set_next_step(NextStep.SUPPORT_PLAN, "Draft the plan with the family")
    concern = record.raise_concern(
        StepId.BARRIERS, "Unknown adults waiting at the gate", start + dt.timedelta(minutes=10)
    )

    missing = record.finalise(start + dt.timedelta(minutes=40))
    assert missing == [], missing

    record.record_dsl_informed(concern.id, start + dt.timedelta(minutes=45), start + dt.timedelta(minutes=50))
    record.add_addendum(
        "Correction", "The form tutor will also phone home on Mondays.", "Siobhán Dvořák", start + dt.timedelta(hours=2)
    )
    return record, {zoe: "Zoë Nguyễn", lukasz: "Łukasz Nguyễn"}


class Readers:
    """The file readers and builders, as one fixture."""

    make_context = staticmethod(make_context)
    with_carers = staticmethod(with_carers)
    pdf_text = staticmethod(pdf_text)
    pdf_font_sizes = staticmethod(pdf_font_sizes)
    docx_text = staticmethod(docx_text)
    effective_size = staticmethod(effective_size)
    one_line = staticmethod(one_line)
    finalised_record = staticmethod(_finalised_record)
    difficult_names = DIFFICULT_NAMES


@pytest.fixture
def docs() -> type[Readers]:
    return Readers


@pytest.fixture
def context() -> LetterContext:
    return make_context()
