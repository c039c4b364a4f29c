"""Impact rows: the anonymised log of what each attendance meeting led to.

A row carries no name, no free text and no date finer than a month. The
pupil appears only as a keyed pseudonym: HMAC-SHA256 of the UPN under the
organisation's pseudonymisation key, so rows for one pupil link up without
revealing who the pupil is to anyone who lacks the key.

Every text field takes a value from a fixed list, and validation rejects
anything else, because a free-text field is where a name would slip in.
Rows are versioned: version 1 is written after the meeting, and later
versions of the same ``impact_id`` add attendance after and the review
outcome.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field, fields as dataclass_fields
from hashlib import sha256
from typing import Any

from stdnum.gb import upn as upn_number

from sync.encoding import Fields, dumps_canonical, loads_strict, require_uuid
from sync.errors import FormatError, InvalidInput

ROW_FORMAT_VERSION = 1
PSEUDONYMISATION_KEY_SIZE = 32

MODES = ("in_person", "video", "phone")

YEAR_GROUPS = ("N1", "N2", "R", *(str(year) for year in range(1, 15)))

ACTION_OWNERS = ("parent_carer", "pupil", "school", "agency")
MAX_ACTIONS_PER_OWNER = 50

# One code per barrier of the officer's taxonomy (``clinic_tui.domain.barriers``),
# so counts in the impact log lose nothing. A code is never renamed or reused.
BARRIER_CODES: dict[str, str] = {
    "physical_health": "Physical illness or medical needs",
    "mental_health": "Mental health or anxiety",
    "send": "Special educational needs or disability not met",
    "bullying": "Bullying or difficulties with friendships",
    "school_based": "Curriculum, behaviour or sanctions at school",
    "transition": "Change of school or key stage",
    "family_change": "Bereavement, separation or another change at home",
    "young_carer": "Caring for a family member",
    "family_health": "Illness or disability of a parent or carer",
    "housing_money": "Housing or money",
    "transport": "Getting to school",
    "holiday": "Holiday in term time",
    "routine": "Sleep, morning routine or lateness",
    "safeguarding": "Exploitation or another safeguarding concern",
    "other": "Another barrier, described only in the case record",
}

# The next steps of a first meeting (``clinic_tui.domain.next_steps``), the
# close of a case at review, and the follow-up set when a family did not attend.
NEXT_STEP_CODES: dict[str, str] = {
    "monitor": "Monitor attendance",
    "review_meeting": "Review meeting",
    "support_plan": "Attendance support plan",
    "attendance_contract": "Attendance contract",
    "early_help": "Early help assessment",
    "send_review": "SEND review",
    "attendance_service": "Referral to the attendance service",
    "safeguarding_referral": "Safeguarding referral through the DSL",
    "legal_step": "Consider a notice to improve or another legal step",
    "case_closed": "Case closed at review",
    "dna_letter": "Did not attend: send a letter",
    "dna_phone": "Did not attend: phone again",
    "dna_home_visit": "Did not attend: home visit",
    "dna_other": "Did not attend: another follow-up",
}

REVIEW_OUTCOMES: dict[str, str] = {
    "improved": "Attendance improved",
    "no_change": "Attendance did not change",
    "declined": "Attendance fell",
    "left_school": "Pupil left the school before the review",
}

_URN = re.compile(r"[0-9]{6}")
_MONTH = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])")
_PSEUDONYM = re.compile(r"[0-9a-f]{64}")
# A UPN ends in a digit, or in one of these letters while it is temporary.
_UPN_LAST = "0123456789ABCDEFGHJKLMNPQRTUVWXYZ"


def pseudonymise(upn: str, key: bytes) -> str:
    """Return the pseudonym of a pupil: HMAC-SHA256 of the UPN under ``key``, in hex.

    The UPN is validated (13 characters, check letter) and compacted to
    upper case first, so the same pupil always gets the same pseudonym.
    The UPN itself never appears in an error message.

    The local authority number is not checked against python-stdnum's list
    (``stdnum.gb.upn`` 2.2 dates from 2011), because that list lacks
    authorities created since, such as North Northamptonshire, whose UPNs
    are valid.
    """
    if len(key) != PSEUDONYMISATION_KEY_SIZE:
        raise InvalidInput(f"The pseudonymisation key is {PSEUDONYMISATION_KEY_SIZE} bytes, not {len(key)}.")
    compact = upn_number.compact(upn)
    reason = None
    if len(compact) != 13:
        reason = "it must have 13 characters"
    elif not compact[1:-1].isdigit() or compact[-1] not in _UPN_LAST or not compact.isascii():
        reason = "it must be a letter, 11 digits and a final digit or letter"
    elif upn_number.calc_check_digit(compact[1:]) != compact[0]:
        reason = "its check letter does not match its digits"
    if reason is not None:
        raise InvalidInput(
            f"The UPN ({len(upn)} characters) is not a valid unique pupil number: {reason}. "
            "Check it against the school's management information system."
        )
    return hmac.new(key, compact.encode("ascii"), sha256).hexdigest()


@dataclass(frozen=True)
class ActionCounts:
    """Number of actions agreed at the meeting, by who owns them."""

    parent_carer: int = 0
    pupil: int = 0
    school: int = 0
    agency: int = 0

    def to_json(self) -> dict[str, int]:
        return {owner: getattr(self, owner) for owner in ACTION_OWNERS}


@dataclass(frozen=True)
class ImpactRow:
    """One version of one impact row.

    ``month`` is the month of the meeting as ``YYYY-MM``. Attendance rates
    are in tenths of a percent (0 to 1000) over 6 school weeks: before the
    meeting, or after it for ``attendance_after_permille``. ``None`` means
    unknown. ``persistent_before`` and ``severe_before`` give the pupil's
    status before the meeting: persistent absence means missing 10% or
    more of possible sessions, severe absence 50% or more.
    """

    impact_id: str
    version: int
    pseudonym: str
    school_urn: str
    year_group: str
    month: str
    mode: str
    attended: bool
    views_captured: bool
    barriers: tuple[str, ...]
    actions: ActionCounts
    next_step: str
    attendance_before_permille: int | None
    persistent_before: bool
    severe_before: bool
    attendance_after_permille: int | None = None
    review_outcome: str | None = None
    format_version: int = field(default=ROW_FORMAT_VERSION)

    def __post_init__(self) -> None:
        _validate(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "impact_id": self.impact_id,
            "version": self.version,
            "pseudonym": self.pseudonym,
            "school_urn": self.school_urn,
            "year_group": self.year_group,
            "month": self.month,
            "mode": self.mode,
            "attended": self.attended,
            "views_captured": self.views_captured,
            "barriers": list(self.barriers),
            "actions": self.actions.to_json(),
            "next_step": self.next_step,
            "attendance_before_permille": self.attendance_before_permille,
            "persistent_before": self.persistent_before,
            "severe_before": self.severe_before,
            "attendance_after_permille": self.attendance_after_permille,
            "review_outcome": self.review_outcome,
        }

    def to_bytes(self) -> bytes:
        """Encode the row as canonical JSON: the plaintext that is sealed."""
        return dumps_canonical(self.to_json())

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str = "impact row") -> ImpactRow:
        """Parse and validate a row encoded by ``to_bytes``.

        Raises ``FormatError`` for bytes that are not a canonical row object
        and ``InvalidInput`` for a field value outside its allowed set.
        """
        obj = loads_strict(data, description="impact row", source=source, canonical=True)
        fields = Fields(obj, source, source)
        # The JSON keys are the dataclass field names, as ``to_json`` writes them.
        fields.expect_keys({item.name for item in dataclass_fields(cls)})
        fields.integer("format_version", ROW_FORMAT_VERSION, ROW_FORMAT_VERSION)

        actions = fields.child("actions")
        actions.expect_keys(set(ACTION_OWNERS))
        barriers = fields.array("barriers", max_items=len(BARRIER_CODES))

        values = {key: obj[key] for key in obj if key not in ("actions", "barriers")}
        try:
            return cls(
                **values,
                barriers=tuple(barriers),
                actions=ActionCounts(**{owner: actions.obj[owner] for owner in ACTION_OWNERS}),
            )
        except TypeError as error:
            raise FormatError(f"{source}: {error}.", source=source) from error


def _fail(row: ImpactRow, name: str, message: str) -> InvalidInput:
    return InvalidInput(f"Impact row {row.impact_id} version {row.version}: field {name!r} {message}")


def _describe(value: object) -> str:
    # A rejected text value may be a name, so describe it instead of quoting it.
    if isinstance(value, str):
        return f"a {len(value)}-character string"
    if isinstance(value, (bool, int)) or value is None:
        return repr(value)
    return f"a value of type {type(value).__name__}"


def _choice(row: ImpactRow, name: str, allowed: tuple[str, ...] | dict[str, str], *, optional: bool = False) -> None:
    value = getattr(row, name)
    if optional and value is None:
        return
    if not isinstance(value, str) or value not in allowed:
        raise _fail(row, name, f"must be one of {', '.join(allowed)}; got {_describe(value)}.")


def _flag(row: ImpactRow, name: str) -> None:
    value = getattr(row, name)
    if type(value) is not bool:
        raise _fail(row, name, f"must be true or false; got {_describe(value)}.")


def _count(row: ImpactRow, name: str, value: object, maximum: int, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    if type(value) is not int or not 0 <= value <= maximum:
        raise _fail(row, name, f"must be a whole number from 0 to {maximum}; got {_describe(value)}.")


def _validate(row: ImpactRow) -> None:
    if not isinstance(row.impact_id, str):
        raise InvalidInput(f"Impact row: field 'impact_id' must be a UUID string; got {_describe(row.impact_id)}.")
    require_uuid(row.impact_id, lambda message: InvalidInput(f"Impact row: field 'impact_id' {message}"))
    if type(row.version) is not int or not 1 <= row.version <= 1000:
        raise _fail(row, "version", f"must be a whole number from 1 to 1000; got {_describe(row.version)}.")
    if row.format_version != ROW_FORMAT_VERSION:
        raise _fail(row, "format_version", f"must be {ROW_FORMAT_VERSION}; got {_describe(row.format_version)}.")

    if not isinstance(row.pseudonym, str) or not _PSEUDONYM.fullmatch(row.pseudonym):
        raise _fail(row, "pseudonym", "must be 64 lower-case hex digits from pseudonymise(); "
                    f"got {_describe(row.pseudonym)}.")
    if not isinstance(row.school_urn, str) or not _URN.fullmatch(row.school_urn):
        raise _fail(row, "school_urn", f"must be the school's 6-digit URN; got {_describe(row.school_urn)}.")
    if not isinstance(row.month, str) or not _MONTH.fullmatch(row.month):
        raise _fail(row, "month", f"must be the meeting month as YYYY-MM, for example 2025-03; "
                    f"got {_describe(row.month)}.")

    _choice(row, "year_group", YEAR_GROUPS)
    _choice(row, "mode", MODES)
    _choice(row, "next_step", NEXT_STEP_CODES)
    _choice(row, "review_outcome", REVIEW_OUTCOMES, optional=True)
    for name in ("attended", "views_captured", "persistent_before", "severe_before"):
        _flag(row, name)

    if not isinstance(row.barriers, tuple):
        raise _fail(row, "barriers", f"must be a tuple of barrier codes; got {_describe(row.barriers)}.")
    for code in row.barriers:
        if not isinstance(code, str) or code not in BARRIER_CODES:
            raise _fail(row, "barriers", f"entries must be among {', '.join(BARRIER_CODES)}; got {_describe(code)}.")
    if list(row.barriers) != sorted(set(row.barriers)):
        raise _fail(row, "barriers", "must be sorted with no repeats, so that equal rows encode equally.")

    if not isinstance(row.actions, ActionCounts):
        raise _fail(row, "actions", f"must be an ActionCounts; got {_describe(row.actions)}.")
    for owner in ACTION_OWNERS:
        _count(row, f"actions.{owner}", getattr(row.actions, owner), MAX_ACTIONS_PER_OWNER)

    _count(row, "attendance_before_permille", row.attendance_before_permille, 1000, optional=True)
    _count(row, "attendance_after_permille", row.attendance_after_permille, 1000, optional=True)

    # Missing 50% or more of sessions (severe) is also missing 10% or more (persistent).
    if row.severe_before and not row.persistent_before:
        raise _fail(row, "severe_before", "is true but 'persistent_before' is false; severe absence "
                    "is always persistent absence too.")

