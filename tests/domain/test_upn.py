"""Tests for UPN validation and the check letter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.gb import upn as stdnum_upn

from clinic_tui.domain import upn

# The worked example from python-stdnum's documentation.
KNOWN_VALID = "B801200005001"

_LAST_CHARACTERS = "0123456789" + upn.LETTERS
_bodies = st.tuples(
    st.text(alphabet="0123456789", min_size=11, max_size=11),
    st.sampled_from(_LAST_CHARACTERS),
).map("".join)


def test_known_upn_valid() -> None:
    assert upn.validate(KNOWN_VALID) == KNOWN_VALID
    assert upn.is_valid(KNOWN_VALID)
    assert upn.calc_check_letter(KNOWN_VALID[1:]) == "B"
    assert upn.la_number(KNOWN_VALID) == "801"


def test_check_letter_by_hand() -> None:
    # Weights 2 to 13 on 8,0,1,2,0,0,0,0,5,0,0,1: 16+0+4+10+0+0+0+0+50+0+0+13 = 93,
    # and 93 mod 23 = 1, which is B.
    assert upn.calc_check_letter("801200005001") == "B"


def test_compact_form_accepted() -> None:
    assert upn.validate(" b801 2000 05001\t") == KNOWN_VALID


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("B80120000500", "has 12 characters; a UPN has 13"),
        ("B8012000050011", "has 14 characters"),
        ("I801200005001", "starts with 'I'"),
        ("1801200005001", "starts with '1'"),
        ("B80120000A001", "has 'A' at position 10; positions 2 to 12 must be digits"),
        ("B80120000500O", "ends with 'O'"),
        ("A801200005001", "has check letter 'A' but its digits give 'B'"),
    ],
)
def test_invalid_upns_explained(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        upn.validate(value)
    assert not upn.is_valid(value)


def test_non_ascii_digit_rejected() -> None:
    # Arabic-Indic digit one in position 2 is a digit to str.isdigit but not to the DfE.
    assert not upn.is_valid("B\u0661" + KNOWN_VALID[2:])


def test_temporary_upn() -> None:
    body = "80120000501A"
    temporary = upn.calc_check_letter(body) + body

    assert upn.is_temporary(temporary)
    assert not upn.is_temporary(KNOWN_VALID)
    assert stdnum_upn.is_valid(temporary)


def test_is_temporary_rejects_invalid() -> None:
    with pytest.raises(ValueError, match="check letter"):
        upn.is_temporary("B80120000501A")


def test_unlisted_la_accepted() -> None:
    # python-stdnum rejects LA numbers missing from its 2011 list; the check
    # letter alone decides here.
    generated = upn.make_upn(999, 1234, 2018, 7)

    assert upn.is_valid(generated)
    assert not stdnum_upn.is_valid(generated)


def test_make_upn_parts() -> None:
    generated = upn.make_upn("873", "2014", 2017, 42)

    assert generated[1:] == "873201417042"
    assert upn.is_valid(generated)
    assert stdnum_upn.is_valid(generated)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("8733", "2014", 2017, 1), "LA number '8733' must be at most 3 digits"),
        (("873", "2O14", 2017, 1), "establishment number '2O14'"),
        (("873", "2014", 2017, 1000), "serial 1000 must be from 0 to 999"),
    ],
)
def test_make_upn_rejects_bad_parts(parts: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        upn.make_upn(*parts)


@given(_bodies)
def test_check_letter_agrees_with_stdnum(body: str) -> None:
    letter = upn.calc_check_letter(body)

    assert letter == stdnum_upn.calc_check_digit(body)
    assert upn.is_valid(letter + body)


@given(_bodies, st.integers(min_value=0, max_value=10), st.sampled_from("0123456789"))
def test_single_digit_change_detected(body: str, position: int, replacement: str) -> None:
    # Weights 2 to 13 and digit changes 1 to 9 are all below the prime 23,
    # so no single change leaves the sum unchanged modulo 23.
    original = upn.calc_check_letter(body) + body
    changed = original[: position + 1] + replacement + original[position + 2 :]

    assert upn.is_valid(changed) is (changed == original)


@given(_bodies, st.integers(min_value=0, max_value=9))
def test_adjacent_swap_detected(body: str, position: int) -> None:
    original = upn.calc_check_letter(body) + body
    swapped = (
        original[: position + 1]
        + original[position + 2]
        + original[position + 1]
        + original[position + 3 :]
    )

    assert upn.is_valid(swapped) is (swapped == original)
