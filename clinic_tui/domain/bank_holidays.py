"""Bank holidays in England and Wales, computed from the standing rules.

The standing rules: New Year's Day, Good Friday, Easter Monday, the first and
last Mondays of May, the last Monday of August, Christmas Day and Boxing Day.
A fixed-date holiday that falls on a weekend is observed on the next weekday
that is not already a holiday. One-off changes by royal proclamation since 2011 are
listed in ``_PROCLAIMED``.
"""

from __future__ import annotations

import datetime as dt

ONE_DAY = dt.timedelta(days=1)

# Holidays moved or added by royal proclamation, by year, and the
# standing-rule dates they replaced.
_PROCLAIMED: dict[int, tuple[tuple[dt.date, str], ...]] = {
    2011: ((dt.date(2011, 4, 29), "Royal wedding"),),
    2012: (
        (dt.date(2012, 6, 4), "Spring bank holiday"),
        (dt.date(2012, 6, 5), "Queen's Diamond Jubilee"),
    ),
    2020: ((dt.date(2020, 5, 8), "Early May bank holiday (VE Day)"),),
    2022: (
        (dt.date(2022, 6, 2), "Spring bank holiday"),
        (dt.date(2022, 6, 3), "Platinum Jubilee bank holiday"),
        (dt.date(2022, 9, 19), "State funeral of Queen Elizabeth II"),
    ),
    2023: ((dt.date(2023, 5, 8), "Coronation of King Charles III"),),
}
_REPLACED: dict[int, tuple[dt.date, ...]] = {
    2012: (dt.date(2012, 5, 28),),
    2020: (dt.date(2020, 5, 4),),
    2022: (dt.date(2022, 5, 30),),
}


def easter_sunday(year: int) -> dt.date:
    """Compute the date of Easter Sunday in the Gregorian calendar.

    Uses the anonymous Gregorian computus (Meeus, Jones and Butcher), valid
    for every Gregorian year.
    """
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_centuries, century_remainder = divmod(century, 4)
    moon_correction = (century - (century + 8) // 25 + 1) // 3

    # Days from 21 March to the paschal full moon, before the weekday step.
    epact = (19 * golden + century - leap_centuries - moon_correction + 15) % 30
    leap_years, year_remainder = divmod(year_of_century, 4)

    # Days from the full moon to the following Sunday.
    to_sunday = (32 + 2 * century_remainder + 2 * leap_years - epact - year_remainder) % 7
    late_correction = (golden + 11 * epact + 22 * to_sunday) // 451

    month, day = divmod(epact + to_sunday - 7 * late_correction + 114, 31)
    return dt.date(year, month, day + 1)


def _first_monday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last = next_month - ONE_DAY
    return last - dt.timedelta(days=last.weekday())


def _observe_fixed_dates(
    fixed: tuple[tuple[dt.date, str], ...],
) -> dict[dt.date, str]:
    """Place fixed-date holidays, moving weekend ones to substitute days.

    A holiday on a weekday keeps its date. A weekend holiday takes the next
    weekday not already taken, in date order, so a Sunday Christmas Day is
    observed on Tuesday 27th because Monday 26th is Boxing Day itself.
    """
    observed = {day: name for day, name in fixed if day.weekday() < 5}

    for day, name in fixed:
        if day.weekday() < 5:
            continue
        substitute = day
        while substitute.weekday() >= 5 or substitute in observed:
            substitute += ONE_DAY
        observed[substitute] = f"{name} (substitute day)"

    return observed


def england_bank_holidays(year: int) -> dict[dt.date, str]:
    """Return the bank holidays in England and Wales in a calendar year.

    Keys are dates and values are names, with "(substitute day)" added when a
    weekend holiday is observed on a later weekday.
    """
    holidays: dict[dt.date, str] = {}
    easter = easter_sunday(year)

    holidays[easter - 2 * ONE_DAY] = "Good Friday"
    holidays[easter + ONE_DAY] = "Easter Monday"
    holidays[_first_monday(year, 5)] = "Early May bank holiday"
    holidays[_last_monday(year, 5)] = "Spring bank holiday"
    holidays[_last_monday(year, 8)] = "Summer bank holiday"

    holidays.update(
        _observe_fixed_dates(
            (
                (dt.date(year, 1, 1), "New Year's Day"),
                (dt.date(year, 12, 25), "Christmas Day"),
                (dt.date(year, 12, 26), "Boxing Day"),
            )
        )
    )

    for replaced in _REPLACED.get(year, ()):
        del holidays[replaced]
    for day, name in _PROCLAIMED.get(year, ()):
        holidays[day] = name

    return dict(sorted(holidays.items()))
