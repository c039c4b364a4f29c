"""Unique pupil numbers (UPNs), as issued by the Department for Education.

A UPN has 13 characters: a check letter, the 3-digit local authority (LA)
number of the issuing school, its 4-digit establishment number, the 2-digit
year of issue and a 3-digit serial. A temporary UPN, given while a permanent
one is traced, ends in a letter in place of the serial's last digit.

The check letter comes from ``stdnum.gb.upn`` (python-stdnum): characters 2
to 13 are weighted 2 to 13, summed, and the sum modulo 23 picks a letter
from A to Z without I, O and S. Digits count as their value, and the final
letter of a temporary UPN counts as its position in that alphabet.

NOTE: ``stdnum.gb.upn.validate`` (python-stdnum 2.2) also rejects LA numbers
missing from its list, which dates from January 2011, so it rejects UPNs
issued by authorities created since, such as North and West
Northamptonshire (April 2021). ``validate`` here checks the format and the
check letter only.
"""

from __future__ import annotations

from stdnum.gb import upn as stdnum_upn

LENGTH = 13

# Letters used for the check letter and the last character of a temporary
# UPN, in the order that gives their values 0 to 22.
LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def compact(upn: str) -> str:
    """Return ``upn`` in upper case without spaces."""
    return "".join(upn.split()).upper()


def calc_check_letter(body: str) -> str:
    """Calculate the check letter for the 12 characters after it.

    Raises ValueError when ``body`` is not 11 digits followed by a digit or
    an allowed letter.
    """
    body = compact(body)
    _check_body(body, body)
    return stdnum_upn.calc_check_digit(body)


def validate(upn: str) -> str:
    """Return the compact form of ``upn``, or raise ValueError saying what is wrong."""
    compacted = compact(upn)

    if len(compacted) != LENGTH:
        raise ValueError(
            f"UPN {upn!r} has {len(compacted)} characters; a UPN has {LENGTH}: "
            "a letter followed by 11 digits and a final digit or letter"
        )
    if compacted[0] not in LETTERS:
        raise ValueError(
            f"UPN {upn!r} starts with {compacted[0]!r}; the first character is a "
            "check letter from A to Z, not I, O or S"
        )

    body = compacted[1:]
    _check_body(upn, body)

    expected = stdnum_upn.calc_check_digit(body)
    if compacted[0] != expected:
        raise ValueError(
            f"UPN {upn!r} has check letter {compacted[0]!r} but its digits give "
            f"{expected!r}; check the UPN for a mistyped character"
        )
    return compacted


def _check_body(upn: str, body: str) -> None:
    """Raise ValueError unless ``body`` is 11 digits and a final digit or allowed letter."""
    if len(body) != LENGTH - 1:
        raise ValueError(
            f"UPN {upn!r} needs {LENGTH - 1} characters after the check letter, "
            f"not {len(body)}"
        )

    for position, character in enumerate(body[:-1], start=2):
        if not character.isascii() or not character.isdigit():
            raise ValueError(
                f"UPN {upn!r} has {character!r} at position {position}; "
                "positions 2 to 12 must be digits"
            )

    last = body[-1]
    if not (last.isascii() and last.isdigit()) and last not in LETTERS:
        raise ValueError(
            f"UPN {upn!r} ends with {last!r}; the last character must be a digit, "
            "or for a temporary UPN a letter from A to Z other than I, O and S"
        )


def is_valid(upn: str) -> bool:
    """Return whether ``upn`` is a well-formed UPN with a correct check letter."""
    try:
        validate(upn)
    except ValueError:
        return False
    return True


def is_temporary(upn: str) -> bool:
    """Return whether a valid ``upn`` is temporary, that is ends in a letter.

    Raises ValueError when ``upn`` is not valid.
    """
    return validate(upn)[-1].isalpha()


def la_number(upn: str) -> str:
    """Return the 3-digit LA number of the school that issued a valid ``upn``."""
    return validate(upn)[1:4]


def make_upn(la: str | int, establishment: str | int, year: int, serial: int) -> str:
    """Build a permanent UPN from its parts, adding the check letter.

    ``year`` is the year of issue (only its last two digits are used) and
    ``serial`` a number from 0 to 999 unique within the school and year.

    Raises ValueError when a part does not fit its digits.
    """
    parts = ((la, 3, "LA number"), (establishment, 4, "establishment number"))
    for value, width, name in parts:
        text = str(value)
        if not text.isdigit() or len(text) > width:
            raise ValueError(f"{name} {value!r} must be at most {width} digits")
    if not 0 <= serial <= 999:
        raise ValueError(f"serial {serial} must be from 0 to 999")

    body = f"{int(la):03d}{int(establishment):04d}{year % 100:02d}{serial:03d}"
    return calc_check_letter(body) + body
