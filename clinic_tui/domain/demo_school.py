"""A deterministic synthetic secondary school for demonstrations and tests.

``generate_school`` builds a school with pupils in Years 7 to 11, their
contacts and their marks for every school day from the start of the academic
year up to the day before the reference date. The same seed and reference
date always give the same school, because every random choice comes from one
``random.Random(seed)`` and nothing reads the clock.

The local authority's name is fictional. Its number, 873, is one that
python-stdnum's UPN module lists, so the pupils' UPNs pass that module's
stricter check as well as ``clinic_tui.domain.upn``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from clinic_tui.domain import demo_names
from clinic_tui.domain.calendar import SchoolCalendar, academic_year_start
from clinic_tui.domain.codes import CODES_2024_START
from clinic_tui.domain.demo_marks import MarkAmendment, PupilPlan, generate_pupil_marks
from clinic_tui.domain.mark_layouts import DATE_FORMAT, long_rows, weekly_grid_rows
from clinic_tui.domain.pupil import Contact, Mark, Pupil, SenStatus
from clinic_tui.domain.upn import make_upn

DEFAULT_SEED = 20240902
YEAR_GROUPS = (7, 8, 9, 10, 11)

# Each contact gets a phone number of their own from the 3,000 drama numbers,
# and only siblings share contacts. Families average 1.2 pupils and 1.75
# contacts, so 1,500 pupils use about 2,150 numbers.
MAX_PUPILS = 1500

_LA_NUMBER = "873"
_ESTABLISHMENT_NUMBER = "4127"

# Primary schools that issued the pupils' UPNs in Reception: (LA, establishment).
_FEEDER_SCHOOLS = (
    ("873", "2014"),
    ("873", "2231"),
    ("873", "2407"),
    ("873", "3052"),
    ("874", "2119"),
    ("881", "2563"),
)

# Backgrounds whose families may mark a religious festival on a school day.
_FESTIVALS = {
    "pakistani": "eid",
    "bangladeshi": "eid",
    "somali": "eid",
    "arabic": "eid",
    "indian": "diwali",
}


@dataclass(frozen=True)
class School:
    """Identifying details of a school."""

    name: str
    urn: str
    la_number: str
    la_name: str
    establishment_number: str

    @property
    def laestab(self) -> str:
        """LA number and establishment number together, as the DfE writes them."""
        return f"{self.la_number}{self.establishment_number}"


@dataclass
class DemoSchool:
    """A generated school: its calendar, pupils, marks and mark amendments.

    ``marks`` maps each UPN to that pupil's marks in date and session order.
    """

    school: School
    calendar: SchoolCalendar
    reference_date: dt.date
    pupils: list[Pupil]
    marks: dict[str, list[Mark]]
    amendments: list[MarkAmendment] = field(default_factory=list)

    def all_marks(self) -> Iterator[Mark]:
        """Yield every mark, pupil by pupil in the order of ``pupils``."""
        for pupil in self.pupils:
            yield from self.marks[pupil.upn]

    def long_rows(self, *, date_format: str = DATE_FORMAT) -> Iterator[list[str]]:
        """Yield the marks in the long MIS layout: UPN, Date, Session, Mark."""
        return long_rows(self.all_marks(), date_format=date_format)

    def weekly_grid_rows(self, *, date_format: str = DATE_FORMAT) -> Iterator[list[str]]:
        """Yield the marks in the weekly grid MIS layout: UPN, Week Beginning, Mon AM to Fri PM."""
        return weekly_grid_rows(self.all_marks(), date_format=date_format)


@dataclass
class _Family:
    surname: str
    background: demo_names.Background
    contacts: list[Contact]
    fsm: bool
    language: str
    cin: bool
    cp_plan: bool
    looked_after: bool
    holiday: range | None


class _SchoolPlan:
    """School-wide dates shared by many pupils, as indexes into the school days."""

    def __init__(self, calendar: SchoolCalendar, days: list[dt.date], rng: random.Random):
        total = len(days)
        index_of = {day: index for index, day in enumerate(days)}

        self.trip_days = {year: rng.randrange(total) if total else None for year in YEAR_GROUPS}
        self.festival_days = {
            festival: rng.randrange(total) if total else None for festival in ("eid", "diwali")
        }

        # Year 10 work experience: the school week containing 23 June.
        june_week = calendar.school_week_of(dt.date(calendar.first_day.year + 1, 6, 23))
        indexes = [index_of[day] for day in june_week.days if day in index_of] if june_week else []
        self.work_experience = range(indexes[0], indexes[-1] + 1) if indexes else None

        # Term-time holidays are taken next to a school holiday: the school
        # week just before or just after one, among the weeks already passed.
        weeks = calendar.school_weeks()
        self.holiday_weeks: list[range] = []
        for position, week in enumerate(weeks):
            before_break = position + 1 == len(weeks) or (
                weeks[position + 1].monday - week.monday
            ).days > 7
            after_break = position == 0 or (week.monday - weeks[position - 1].monday).days > 7
            passed = [index_of[day] for day in week.days if day in index_of]
            if (before_break or after_break) and passed:
                self.holiday_weeks.append(range(passed[0], passed[-1] + 1))


def generate_school(
    reference_date: dt.date, seed: int = DEFAULT_SEED, pupils: int = 600
) -> DemoSchool:
    """Generate the demonstration school as of ``reference_date``.

    Marks cover every school day from the first day of the academic year
    containing ``reference_date`` to the day before it, AM and PM.

    Raises ValueError when ``pupils`` is not from 1 to 1,500.
    """
    if not 1 <= pupils <= MAX_PUPILS:
        raise ValueError(f"pupils must be from 1 to {MAX_PUPILS:,}, not {pupils:,}")

    rng = random.Random(seed)
    calendar = SchoolCalendar.for_date(reference_date)
    days = calendar.school_days(calendar.first_day, reference_date - dt.timedelta(days=1))
    first_year = academic_year_start(reference_date)
    legacy_codes = calendar.first_day < CODES_2024_START

    school = School(
        name="Fenmoor Park Academy",
        urn=f"9{rng.randrange(10**5):05d}",
        la_number=_LA_NUMBER,
        la_name="Fenmoor Borough Council",
        establishment_number=_ESTABLISHMENT_NUMBER,
    )
    plan = _SchoolPlan(calendar, days, rng)
    phones = iter(demo_names.phone_numbers(rng))
    upn_serials: dict[tuple[str, str, int], int] = {}

    pupil_list: list[Pupil] = []
    marks: dict[str, list[Mark]] = {}
    amendments: list[MarkAmendment] = []

    while len(pupil_list) < pupils:
        family = _make_family(rng, phones, plan)
        size = min(pupils - len(pupil_list), rng.choices((1, 2, 3), weights=(82, 14, 4))[0])
        used_forenames: set[str] = set()

        for year_group in sorted(rng.sample(YEAR_GROUPS, size)):
            pupil = _make_pupil(family, year_group, first_year, used_forenames, upn_serials, rng)
            pupil_plan = PupilPlan(
                year_group=year_group,
                sen=pupil.sen,
                fsm=pupil.fsm,
                legacy_codes=legacy_codes,
                family_holiday=family.holiday,
                festival_day=plan.festival_days.get(_FESTIVALS.get(family.background.key, "")),
                trip_day=plan.trip_days[year_group],
                work_experience=plan.work_experience if year_group == 10 else None,
            )
            pupil_marks, pupil_amendments = generate_pupil_marks(pupil.upn, days, pupil_plan, rng)

            pupil_list.append(pupil)
            marks[pupil.upn] = pupil_marks
            amendments.extend(pupil_amendments)

    pupil_list.sort(
        key=lambda pupil: (int(pupil.year_group), pupil.reg_group, pupil.surname, pupil.forename)
    )
    return DemoSchool(school, calendar, reference_date, pupil_list, marks, amendments)


def _make_family(rng: random.Random, phones: Iterator[str], plan: _SchoolPlan) -> _Family:
    background = demo_names.weighted_background(rng)
    surname = rng.choice(background.surnames)

    eal = bool(background.languages) and rng.random() < background.eal_share
    language = rng.choice(background.languages) if eal else ""
    looked_after = rng.random() < 0.01
    cp_plan = not looked_after and rng.random() < 0.015
    cin = not looked_after and (cp_plan or rng.random() < 0.03)

    holiday = None
    if plan.holiday_weeks and rng.random() < 0.06:
        holiday = rng.choice(plan.holiday_weeks)

    contacts = _make_contacts(background, surname, language, looked_after, rng, phones)
    return _Family(
        surname=surname,
        background=background,
        contacts=contacts,
        fsm=rng.random() < 0.25,
        language=language,
        cin=cin,
        cp_plan=cp_plan,
        looked_after=looked_after,
        holiday=holiday,
    )


def _adult_name(background: demo_names.Background, female: bool, rng: random.Random) -> str:
    names = demo_names.ADULT_WOMEN if female else demo_names.ADULT_MEN
    return rng.choice(names.get(background.key, names["default"]))


def _next_phone(phones: Iterator[str]) -> str:
    number = next(phones, None)
    if number is None:
        raise RuntimeError(
            "the demonstration school ran out of drama phone numbers; generate fewer pupils"
        )
    return number


class _Role(NamedTuple):
    relationship: str
    parental_responsibility: bool
    female: bool


def _make_contacts(
    background: demo_names.Background,
    surname: str,
    language: str,
    looked_after: bool,
    rng: random.Random,
    phones: Iterator[str],
) -> list[Contact]:
    """Make one to three contacts of a family, each with their own phone number.

    The first contact has parental responsibility unless the pupils are looked
    after, when the contacts are a foster carer and a social worker.
    """
    if looked_after:
        roles = [
            _Role("Foster carer", False, rng.random() < 0.5),
            _Role("Social worker", False, rng.random() < 0.5),
        ]
    else:
        first_is_mother = rng.random() < 0.78
        roles = [_Role("Mother" if first_is_mother else "Father", True, first_is_mother)]
        if rng.random() < 0.6:
            other_parent = "Father" if first_is_mother else "Mother"
            roles.append(_Role(other_parent, rng.random() < 0.9, not first_is_mother))
        if rng.random() < 0.15:
            relationship = rng.choice(("Grandmother", "Aunt", "Stepfather", "Grandfather"))
            roles.append(_Role(relationship, False, relationship in ("Grandmother", "Aunt")))

    contacts = []
    for position, role in enumerate(roles):
        forename = _adult_name(background, role.female, rng)
        if looked_after:
            contact_surname = rng.choice(demo_names.BACKGROUNDS[0].surnames)
            contact_language = "English"
        else:
            contact_surname = surname if rng.random() < 0.8 else rng.choice(background.surnames)
            contact_language = language or "English"

        interpreter_chance = 0.4 if position == 0 else 0.2
        needs_interpreter = contact_language != "English" and rng.random() < interpreter_chance
        email = ""
        if rng.random() < 0.85:
            email = demo_names.email_address(forename, contact_surname, rng.randrange(10, 100), rng)

        contacts.append(
            Contact(
                name=f"{forename} {contact_surname}",
                relationship=role.relationship,
                telephone=_next_phone(phones),
                email=email,
                parental_responsibility=role.parental_responsibility,
                language=contact_language,
                needs_interpreter=needs_interpreter,
                literacy_support=rng.random() < 0.05,
            )
        )
    return contacts


def _make_pupil(
    family: _Family,
    year_group: int,
    first_year: int,
    used_forenames: set[str],
    upn_serials: dict[tuple[str, str, int], int],
    rng: random.Random,
) -> Pupil:
    gender = rng.choice("MF")
    pool = family.background.boys if gender == "M" else family.background.girls
    choices = [name for name in pool if name not in used_forenames] or list(pool)
    forename = rng.choice(choices)
    used_forenames.add(forename)

    preferred = demo_names.PREFERRED_NAMES.get(forename, "")
    if preferred and rng.random() < 0.5:
        preferred = ""

    # A pupil in Year n started Reception n years before this academic year,
    # and was born in the academic year five years before that.
    reception_year = first_year - year_group
    born_from = dt.date(reception_year - 5, 9, 1)
    date_of_birth = born_from + dt.timedelta(days=rng.randrange(365))

    sen = rng.choices(
        (SenStatus.NONE, SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN), weights=(80, 15, 5)
    )[0]

    return Pupil(
        upn=_issue_upn(reception_year, upn_serials, rng),
        surname=family.surname,
        forename=forename,
        preferred_name=preferred,
        date_of_birth=date_of_birth,
        gender=gender,
        year_group=str(year_group),
        reg_group=f"{year_group}{rng.choice('ABCDE')}",
        sen=sen,
        fsm=family.fsm,
        eal=bool(family.language),
        first_language=family.language or "English",
        cin=family.cin,
        cp_plan=family.cp_plan,
        looked_after=family.looked_after,
        admission_date=dt.date(first_year - (year_group - 7), 9, 1),
        contacts=list(family.contacts),
    )


def _issue_upn(
    reception_year: int, serials: dict[tuple[str, str, int], int], rng: random.Random
) -> str:
    """Issue the next UPN of a feeder primary school for its Reception year."""
    la, establishment = rng.choice(_FEEDER_SCHOOLS)
    key = (la, establishment, reception_year)
    serial = serials.get(key, rng.randrange(1, 200))
    serials[key] = serial + 1
    return make_upn(la, establishment, reception_year, serial)
