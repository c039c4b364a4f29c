"""Text blocks of the pupil view: identity, measures, weekday pattern, absence reasons and contacts.

Each function returns plain Rich renderables, so the screen decides where they
go and tests can read the words without a running app. Threshold facts are
stated for a person to weigh and never phrased as advice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from rich.table import Table
from rich.text import Text

from clinic_tui.domain.attendance_types import (
    PENALTY_NOTICE_SESSIONS,
    PENALTY_NOTICE_WEEKS,
    RECENT_WEEKS,
    TREND_WEEKS,
    WEEKDAYS,
    AttendanceMeasures,
)
from clinic_tui.domain.codes import CODES
from clinic_tui.domain.pupil import Contact, Pupil, SenStatus, Session
from clinic_tui.domain.timeline import year_label
from clinic_tui.widgets.pupil_query import FLAG_MEANINGS, format_rate, trend_label

_SEN_WORDS = {SenStatus.NONE: "", SenStatus.SEN_SUPPORT: "SEN support", SenStatus.EHC_PLAN: "EHC plan"}


def identity_line(pupil: Pupil) -> Text:
    """Return the pupil's name, UPN, year, registration group, date of birth and statuses on one line."""
    parts = [f"UPN {pupil.upn}"]
    year = year_label(pupil.year_group)
    if year:
        parts.append(year)
    if pupil.reg_group:
        parts.append(f"reg {pupil.reg_group}")
    if pupil.date_of_birth:
        parts.append(f"born {pupil.date_of_birth:%d/%m/%Y}")
    statuses = [
        _SEN_WORDS[pupil.sen],
        "CIN" if pupil.cin else "",
        "CP plan" if pupil.cp_plan else "",
        "looked after" if pupil.looked_after else "",
        "FSM" if pupil.fsm else "",
    ]
    parts.extend(status for status in statuses if status)
    if pupil.eal:
        parts.append(f"EAL ({pupil.first_language})" if pupil.first_language else "EAL")

    line = Text()
    line.append(pupil.display_name, style="bold")
    if pupil.preferred_name and pupil.preferred_name != pupil.forename:
        line.append(f" (legal forename {pupil.forename})")
    line.append("  ·  " + "  ·  ".join(parts))
    return line


def flags_line(flags: str) -> Text:
    """Spell out the list's flag letters, so the pupil view needs no legend."""
    meanings = dict(FLAG_MEANINGS)
    if not flags:
        return Text("Flags: none")
    return Text("Flags: " + ", ".join(f"{letter} {meanings[letter]}" for letter in flags))


def measures_text(measures: AttendanceMeasures) -> Text:
    """Describe the attendance rate, lateness, trend, broken weeks and threshold window in sentences."""
    text = Text()
    text.append("Attendance\n", style="bold")
    if measures.possible_sessions == 0:
        text.append(f"No possible sessions from {measures.since:%d/%m/%Y} to {_day_before(measures)}.\n")
    else:
        text.append(
            f"{format_rate(measures.attendance_rate)}% of {measures.possible_sessions} possible sessions "
            f"from {measures.since:%d/%m/%Y} to {_day_before(measures)}. "
            f"Absent {measures.absent_sessions} sessions ({format_rate(measures.absence_rate)}%): "
            f"{measures.authorised} authorised, {measures.unauthorised} unauthorised.\n"
        )
        status = "severe absence (50% or more missed)" if measures.severe_absence else (
            "persistent absence (10% or more missed)" if measures.persistent_absence else "not persistently absent"
        )
        text.append(f"Status: {status}.\n")
    text.append(
        f"Late: {measures.late_before_close} before the register closed (L), "
        f"{measures.late_after_close} after it closed (U).\n"
    )
    if measures.sessions_on_non_school_days:
        text.append(
            f"{measures.sessions_on_non_school_days} possible sessions are marked on days the calendar has "
            "no school; they count in the totals but in no week.\n"
        )

    trend = measures.trend
    text.append("\nTrend\n", style="bold")
    if trend.direction is None:
        text.append(f"Not shown yet: it needs more than {TREND_WEEKS} school weeks with possible sessions.\n")
    else:
        text.append(
            f"{trend_label(trend.direction)}: {format_rate(trend.recent_rate)}% in the last {TREND_WEEKS} school weeks "
            f"against {format_rate(trend.year_rate)}% for the year so far.\n"
        )

    recent = measures.weeks[-RECENT_WEEKS:]
    text.append("\nBroken weeks (a week with any absence)\n", style="bold")
    text.append(
        f"{measures.broken_weeks_recent} of the last {len(recent)} school weeks; "
        f"{measures.broken_weeks} of {len(measures.weeks)} school weeks this year.\n"
    )

    text.append("\nUnauthorised sessions in 10 school weeks\n", style="bold")
    text.append_text(threshold_text(measures))
    text.rstrip()
    return text


def threshold_text(measures: AttendanceMeasures) -> Text:
    """State the 10-week window with most unauthorised sessions as a fact, with no advice."""
    window = measures.max_unauthorised_window
    if window.sessions == 0:
        return Text("No unauthorised sessions this academic year.\n")

    span = f"{PENALTY_NOTICE_WEEKS} consecutive school weeks"
    if len(measures.weeks) < PENALTY_NOTICE_WEEKS:
        span = f"the {len(measures.weeks)} school weeks so far (fewer than {PENALTY_NOTICE_WEEKS})"
    reaches = "reaches" if window.reaches_threshold else "does not reach"
    return Text(
        f"Most in any {span}: {window.sessions}, from {window.first_day:%d/%m/%Y} to {window.last_day:%d/%m/%Y}.\n"
        f"This {reaches} the national threshold of {PENALTY_NOTICE_SESSIONS} unauthorised sessions "
        f"in {PENALTY_NOTICE_WEEKS} school weeks.\n"
    )


def weekday_table(measures: AttendanceMeasures) -> Table:
    """Tabulate the absence rate by weekday and by session, naming the highest in words."""
    table = Table(title="Absence rate by weekday and session", title_justify="left", title_style="bold", expand=False)
    for name in WEEKDAYS:
        table.add_column(name[:3], justify="right")
    table.add_column("AM", justify="right")
    table.add_column("PM", justify="right")

    by_day = measures.absence_rate_by_weekday
    by_session = measures.absence_rate_by_session
    rates = [by_day[name] for name in WEEKDAYS] + [by_session[Session.AM], by_session[Session.PM]]
    table.add_row(*(_percent(rate) for rate in rates))

    highest = _highest(by_day)
    if highest:
        table.caption = f"Highest: {highest}."
        table.caption_justify = "left"
    return table


def reasons_table(measures: AttendanceMeasures) -> Table | Text:
    """Tabulate the absent sessions by code with the code's meaning and category, most frequent first."""
    if not measures.absence_by_code:
        return Text("No absences this academic year.")

    table = Table(title="Absence by reason", title_justify="left", title_style="bold")
    table.add_column("Code")
    table.add_column("Meaning")
    table.add_column("Category")
    table.add_column("Sessions", justify="right")
    table.add_column("Share", justify="right")

    total = sum(measures.absence_by_code.values())
    ordered = sorted(measures.absence_by_code.items(), key=lambda item: (-item[1], item[0]))
    for code, sessions in ordered:
        known = CODES.get(code)
        meaning = known.meaning if known else "not in the attendance code list"
        category = known.category.value if known else ""
        share = f"{Decimal(sessions * 100) / Decimal(total):.0f}%"
        table.add_row(code, meaning, category, str(sessions), share)
    return table


CONTACT_COLUMNS = ("Name", "Relationship", "Telephone", "Email", "PR", "Language", "Interpreter", "Literacy help")


def contact_cells(contact: Contact) -> tuple[str, ...]:
    """Return one contact's values in ``CONTACT_COLUMNS`` order."""
    return (
        contact.name,
        contact.relationship,
        contact.telephone,
        contact.email,
        "yes" if contact.parental_responsibility else "no",
        contact.language or "–",
        "needed" if contact.needs_interpreter else "no",
        "yes" if contact.literacy_support else "no",
    )


def _day_before(measures: AttendanceMeasures) -> str:
    # Measures stop the day before their as-of date, whose registers may still be open.
    return f"{measures.as_of - dt.timedelta(days=1):%d/%m/%Y}"


def _percent(rate: Decimal | None) -> str:
    return "–" if rate is None else f"{rate:.1f}%"


def _highest(by_day: Mapping[str, Decimal | None]) -> str:
    rates = {name: rate for name, rate in by_day.items() if rate is not None}
    if not rates or max(rates.values()) == 0:
        return ""
    top = max(rates.values())
    days = [name for name, rate in rates.items() if rate == top]
    return f"{' and '.join(days)} ({top:.1f}%)"
