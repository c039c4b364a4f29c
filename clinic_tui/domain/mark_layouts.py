"""The two layouts in which MIS exports give attendance marks, as rows of strings.

Long layout: one row per session, with the columns UPN, Date, Session, Mark.
Weekly grid layout: one row per pupil and week, with the columns UPN, Week
Beginning, then Mon AM to Fri PM. A blank cell means no session.

Rows are plain lists of strings, the header first, so a caller can write
them to CSV or XLSX. Dates use the day/month/year order of MIS exports in
England unless ``date_format`` sets another format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from clinic_tui.domain.calendar import week_beginning
from clinic_tui.domain.pupil import Mark, Session

DATE_FORMAT = "%d/%m/%Y"

LONG_HEADER = ("UPN", "Date", "Session", "Mark")
GRID_SESSIONS = tuple(
    f"{day} {session}" for day in ("Mon", "Tue", "Wed", "Thu", "Fri") for session in ("AM", "PM")
)
GRID_HEADER = ("UPN", "Week Beginning", *GRID_SESSIONS)


class _DateText:
    """Formatted dates, cached because a cohort repeats the same few hundred dates."""

    def __init__(self, date_format: str) -> None:
        self._format = date_format
        self._cache: dict[dt.date, str] = {}

    def __call__(self, day: dt.date) -> str:
        text = self._cache.get(day)
        if text is None:
            text = self._cache[day] = day.strftime(self._format)
        return text


def long_rows(marks: Iterable[Mark], *, date_format: str = DATE_FORMAT) -> Iterator[list[str]]:
    """Yield the header and one row per mark, in the order given."""
    date_text = _DateText(date_format)

    yield list(LONG_HEADER)
    for mark in marks:
        yield [mark.upn, date_text(mark.date), Session(mark.session).value, mark.code]


def weekly_grid_rows(
    marks: Iterable[Mark], *, date_format: str = DATE_FORMAT
) -> Iterator[list[str]]:
    """Yield the header and one row per pupil and week that has at least one mark.

    Pupils keep the order in which their first mark appears, and each
    pupil's weeks are in date order.

    Raises ValueError for a mark on a Saturday or Sunday, which the grid has
    no column for.
    """
    date_text = _DateText(date_format)
    grid: dict[str, dict[dt.date, list[str]]] = {}

    for mark in marks:
        weekday = mark.date.weekday()
        if weekday >= 5:
            raise ValueError(
                f"mark {mark.code!r} for UPN {mark.upn} falls on a weekend "
                f"({mark.date:%d/%m/%Y}); the weekly grid has Monday to Friday only"
            )

        weeks = grid.setdefault(mark.upn, {})
        cells = weeks.setdefault(week_beginning(mark.date), [""] * len(GRID_SESSIONS))
        column = weekday * 2 + (1 if Session(mark.session) is Session.PM else 0)
        cells[column] = mark.code

    yield list(GRID_HEADER)
    for upn, weeks in grid.items():
        for monday in sorted(weeks):
            yield [upn, date_text(monday), *weeks[monday]]
