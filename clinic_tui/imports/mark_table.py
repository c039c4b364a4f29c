"""Compact storage for the marks of a large import.

A year of marks for a 1,500-pupil school is about 570,000 marks. As Mark
objects in a list that would take well over 100 MB, so the import keeps
them in typed arrays (about 10 bytes a mark) and builds each Mark only as
the caller iterates.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterator, Mapping, Sequence

from clinic_tui.domain.codes import CODES
from clinic_tui.domain.pupil import Mark, Session

# Codes are stored as their position in this tuple.
CODE_LIST: tuple[str, ...] = tuple(CODES)
CODE_INDEX: dict[str, int] = {code: index for index, code in enumerate(CODE_LIST)}

SESSIONS: tuple[Session, Session] = (Session.AM, Session.PM)
_SESSION_VALUES: tuple[str, str] = tuple(session.value for session in SESSIONS)


class MarkTable:
    """Validated marks, one per pupil, date and session, iterated as Mark objects.

    ``pupils`` are indexes into ``upns``, ``days`` are ``date.toordinal()``
    values, ``sessions`` are 0 for AM and 1 for PM and ``codes`` are
    indexes into CODE_LIST. The reader stores them sorted by UPN, date and
    session.
    """

    def __init__(
        self,
        upns: Sequence[str],
        pupils: array,
        days: array,
        sessions: array,
        codes: array,
    ) -> None:
        self.upns = list(upns)
        self._pupils = pupils
        self._days = days
        self._sessions = sessions
        self._codes = codes

    @classmethod
    def empty(cls) -> MarkTable:
        """Return a table without marks."""
        return cls([], array("I"), array("I"), array("B"), array("B"))

    def __len__(self) -> int:
        return len(self._pupils)

    def __bool__(self) -> bool:
        return len(self._pupils) > 0

    def __iter__(self) -> Iterator[Mark]:
        # The AM and PM marks of a day are adjacent, so they share one date object.
        last_day = -1
        date = dt.date.min
        for pupil, day, session, code in zip(self._pupils, self._days, self._sessions, self._codes):
            if day != last_day:
                date = dt.date.fromordinal(day)
                last_day = day
            yield Mark(self.upns[pupil], date, SESSIONS[session], CODE_LIST[code])

    def records(self, pupil_keys: Mapping[str, str]) -> Iterator[tuple[str, str, str, str]]:
        """Return an iterator of ``(pupil key, ISO date, session, code)`` tuples, one per mark, in table order.

        ``pupil_keys`` maps each UPN to the key that replaces it, such as the
        pupil's id in the vault. Raises KeyError, before the first tuple, for
        a UPN missing from it. The tuples are built in C without a Mark or
        date object per mark, so a database can take them straight from
        ``executemany``.
        """
        keys = [pupil_keys[upn] for upn in self.upns]
        iso_dates = {day: dt.date.fromordinal(day).isoformat() for day in set(self._days)}
        return zip(
            map(keys.__getitem__, self._pupils),
            map(iso_dates.__getitem__, self._days),
            map(_SESSION_VALUES.__getitem__, self._sessions),
            map(CODE_LIST.__getitem__, self._codes),
        )

    def date_range(self) -> tuple[dt.date, dt.date] | None:
        """Return the first and last date with a mark, or None for an empty table."""
        if not self._days:
            return None
        return dt.date.fromordinal(min(self._days)), dt.date.fromordinal(max(self._days))

    def pupil_count(self) -> int:
        """Return the number of pupils with at least one mark."""
        return len(set(self._pupils))
