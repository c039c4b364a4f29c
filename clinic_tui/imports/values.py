"""Parse single cells of an MIS export into dates, flags, year groups and codes.

Each parser takes a cell as the file stores it (always str for CSV, str,
number, bool or datetime for XLSX) and raises InvalidValue with the problem
and the fix when the cell cannot be read.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re

from openpyxl.utils.datetime import from_excel

from clinic_tui.domain.pupil import SenStatus, Session
from clinic_tui.imports.headers import normalise_header
from clinic_tui.imports.issues import ErrorKind
from clinic_tui.imports.source import EXCEL_1900_EPOCH, Cell

# Excel serial numbers are accepted only with five digits: 10000 is
# 18 May 1927 and 99999 is 13 October 2173 (1900 date system). A shorter
# number in a date column is far more likely a typing slip, such as a year
# alone, than a date from before 1927.
MIN_SERIAL = 10_000
MAX_SERIAL = 99_999

MIN_YEAR = 1900
MAX_YEAR = 2199

DATE_ACTION = "Enter the date as dd/mm/yyyy, for example 04/09/2024, and import the file again."

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$")
_UK_DATE = re.compile(rf"^(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d+){_TIME}$")
_NAMED_MONTH_DATE = re.compile(r"^(\d{1,2})[ -]([A-Za-z]+)[ -](\d{4})$")
_SERIAL = re.compile(r"^\d+(?:\.\d+)?$")

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9

_TRUE = frozenset({"y", "yes", "true", "t", "1"})
_FALSE = frozenset({"n", "no", "false", "f", "0", ""})

_YEAR_NUMBER = re.compile(r"^(?:year|yr|y|ncyear)?(\d{1,2})$")
_RECEPTION = frozenset({"r", "reception", "yearr", "yr", "rec"})
_NURSERY = {"n1": "N1", "nursery1": "N1", "n2": "N2", "nursery2": "N2"}

_SEN = {
    "": SenStatus.NONE,
    "n": SenStatus.NONE,
    "no": SenStatus.NONE,
    "none": SenStatus.NONE,
    "nosen": SenStatus.NONE,
    "k": SenStatus.SEN_SUPPORT,
    "sensupport": SenStatus.SEN_SUPPORT,
    "e": SenStatus.EHC_PLAN,
    "ehcplan": SenStatus.EHC_PLAN,
    "ehcp": SenStatus.EHC_PLAN,
    "educationhealthandcareplan": SenStatus.EHC_PLAN,
}

_SESSIONS = {
    "am": Session.AM,
    "a": Session.AM,
    "morning": Session.AM,
    "pm": Session.PM,
    "p": Session.PM,
    "afternoon": Session.PM,
}


class InvalidValue(ValueError):
    """A cell that cannot be read as the value its column needs."""

    def __init__(self, kind: ErrorKind, problem: str, action: str) -> None:
        super().__init__(problem)
        self.kind = kind
        self.problem = problem
        self.action = action


def show(cell: Cell) -> str:
    """Return ``cell`` as a report shows it: dates as dd/mm/yyyy, whole numbers without ".0"."""
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        if cell.time() == dt.time():
            return f"{cell:%d/%m/%Y}"
        return f"{cell:%d/%m/%Y %H:%M}"
    if isinstance(cell, dt.date):
        return f"{cell:%d/%m/%Y}"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def text(cell: Cell) -> str:
    """Return a text cell without surrounding spaces, and a number as Excel shows it.

    Raises InvalidValue for a date or time, which in a text column means that
    Excel converted what was typed (a registration group such as 9/1, say).
    """
    if isinstance(cell, (dt.date, dt.time)):
        raise InvalidValue(
            ErrorKind.INVALID_VALUE, "Excel has stored this text as a date or time",
            "Format the column as Text in Excel, type the value again and save.",
        )
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    return show(cell)


def parse_date(cell: Cell, epoch: dt.datetime = EXCEL_1900_EPOCH) -> dt.date | None:
    """Return the date in ``cell``, or None for a blank cell.

    Accepts dd/mm/yyyy and d/m/yyyy (with /, - or . between the parts),
    ISO yyyy-mm-dd, "4 Sep 2024", Excel dates, and Excel serial numbers
    stored as numbers or as text. A time of day after the date is ignored.
    """
    if cell is None:
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, bool) or isinstance(cell, dt.time):
        raise InvalidValue(ErrorKind.INVALID_DATE, "is not a date", DATE_ACTION)
    if isinstance(cell, (int, float)):
        return _from_serial(cell, epoch)

    stripped = cell.strip()
    if not stripped:
        return None
    return _parse_date_text(stripped, epoch)


@functools.lru_cache(maxsize=4096)
def _parse_date_text(value: str, epoch: dt.datetime) -> dt.date:
    # A marks file repeats each date hundreds of times, so parsed dates are
    # cached. Invalid dates raise and are not cached.
    if _SERIAL.match(value):
        return _from_serial(float(value), epoch)

    match = _UK_DATE.match(value)
    if match:
        day, month, year = match.groups()
        if len(year) != 4:
            raise InvalidValue(
                ErrorKind.INVALID_DATE, "the year must have four digits",
                "Format the column in Excel as dd/mm/yyyy so the full year is saved, and export again.",
            )
        return _make_date(int(year), int(month), int(day))

    match = _ISO_DATE.match(value)
    if match:
        year, month, day = match.groups()
        return _make_date(int(year), int(month), int(day))

    match = _NAMED_MONTH_DATE.match(value)
    if match and match.group(2).lower() in _MONTHS:
        day, month_name, year = match.groups()
        return _make_date(int(year), _MONTHS[month_name.lower()], int(day))

    raise InvalidValue(ErrorKind.INVALID_DATE, "is not a date in a format the import reads", DATE_ACTION)


def _make_date(year: int, month: int, day: int) -> dt.date:
    # Pupils' birth dates, admissions and attendance all fall in this range,
    # so a year outside it is a typing slip such as 0224 for 2024.
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidValue(
            ErrorKind.INVALID_DATE, f"the year {year} is outside {MIN_YEAR} to {MAX_YEAR}", DATE_ACTION,
        )
    if not 1 <= month <= 12:
        raise InvalidValue(ErrorKind.INVALID_DATE, f"is not a real date: there is no month {month}", DATE_ACTION)

    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise InvalidValue(
            ErrorKind.INVALID_DATE,
            f"is not a real date: {calendar.month_name[month]} {year} has {days_in_month} days",
            DATE_ACTION,
        )

    return dt.date(year, month, day)


def _from_serial(serial: float, epoch: dt.datetime) -> dt.date:
    if not MIN_SERIAL <= serial < MAX_SERIAL + 1:
        raise InvalidValue(
            ErrorKind.INVALID_DATE,
            f"is a number outside the range read as Excel dates ({MIN_SERIAL} to {MAX_SERIAL})",
            DATE_ACTION,
        )
    return from_excel(serial, epoch).date()


def parse_bool(cell: Cell) -> bool:
    """Return the flag in ``cell``: Y/N, Yes/No, True/False, T/F or 1/0 in any case, with blank as no."""
    if isinstance(cell, bool):
        return cell
    key = show(cell).lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InvalidValue(ErrorKind.INVALID_VALUE, "is not yes or no", "Use Y or N (Yes/No, True/False and 1/0 also work).")


def parse_year_group(cell: Cell) -> str:
    """Return the National Curriculum year as "N1", "N2", "R" or "1" to "14", or "" for a blank cell.

    Accepts forms such as "Year 9", "Y9", "9", "R", "Reception", "N1" and "Nursery 2".
    """
    key = normalise_header(show(cell))
    if not key:
        return ""
    if key in _RECEPTION:
        return "R"
    if key in _NURSERY:
        return _NURSERY[key]

    match = _YEAR_NUMBER.match(key)
    if match and 1 <= int(match.group(1)) <= 14:
        return str(int(match.group(1)))

    raise InvalidValue(
        ErrorKind.INVALID_VALUE, "is not a National Curriculum year group",
        "Use N1, N2, R or a year from 1 to 14, written as 9, Y9 or Year 9.",
    )


def parse_sen(cell: Cell) -> SenStatus:
    """Return the SEN status N, K (SEN support) or E (EHC plan), given as code or words, with blank as N."""
    key = normalise_header(show(cell))
    status = _SEN.get(key)
    if status is None:
        raise InvalidValue(
            ErrorKind.INVALID_VALUE, "is not a SEN status",
            'Use N (no special educational needs), K or "SEN Support", or E or "EHC Plan".',
        )
    return status


def parse_session(cell: Cell) -> Session:
    """Return the session: AM or PM in any case, with or without full stops."""
    key = normalise_header(show(cell))
    session = _SESSIONS.get(key)
    if session is None:
        raise InvalidValue(ErrorKind.INVALID_SESSION, "is not a session", "Use AM or PM.")
    return session
