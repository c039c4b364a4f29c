"""The impact report: figures, disclosure control, HTML, CSV and Markdown, on a real central store.

Rows reach the store the way production rows do: sealed into bundles by
``build_bundle``, signed by an approved laptop key and ingested. A store
is created once per test session and copied for each test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.gb import upn as upn_number

from sync import (
    ActionCounts,
    CentralStore,
    Enrolment,
    ImpactRow,
    RecordVersion,
    build_bundle,
    ingest_bundle,
    init_central,
    make_registration,
    pseudonymise,
    write_bundle,
)
from sync.report import (
    FORMATS,
    GroupFigures,
    RawFigures,
    ReportScope,
    build_report,
    load_figures,
    publish,
    read_csv,
    render,
    render_csv,
    render_html,
    render_markdown,
    report_figures,
)
from sync.report.figures import mean_points, median_points
from sync.report.queries import Filters, command_line_script, report_statements
from sync.report.report import round_half_away
from sync.report.suppression import Relation, needs_suppression, suppress

STORE_PASSPHRASE = "impact report test passphrase"

# Planted where a careless report could pick them up: the officer's profile
# name in the device table, and a pupil's name inside a sealed record.
PLANTED_OFFICER = "Philippa Quarrington-Nkemelu"
PLANTED_PUPIL = "Zebedee Quillfeather"


# -- a real central store with an approved laptop --------------------------------


@dataclass
class StoreTemplate:
    """A central store made once, with one approved laptop profile; tests work on copies."""

    path: Path
    enrolment: Enrolment = field(repr=False)
    signer: ed25519.Ed25519PrivateKey = field(repr=False)
    profile_id: str
    device_id: str
    keys: CentralStore = field(repr=False)


def make_store_template(folder: Path) -> StoreTemplate:
    """Create a central store in ``folder`` and register and approve one laptop signing key."""
    store = init_central(folder, STORE_PASSPHRASE, "Northshire Education Welfare Service")
    signer = ed25519.Ed25519PrivateKey.generate()
    profile_id, device_id = str(uuid.uuid4()), str(uuid.uuid4())
    registration = make_registration(signer, organisation_id=store.organisation_id, profile_id=profile_id,
                                     profile_name=PLANTED_OFFICER, device_id=device_id)
    store.approve(store.register(registration).fingerprint)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return StoreTemplate(folder, store.enrolment(), signer, profile_id, device_id, store)


def open_store_copy(template: StoreTemplate, target: Path) -> CentralStore:
    """Copy the template store to ``target`` and open it unlocked, as a fresh process would."""
    shutil.copytree(template.path, target)
    store = CentralStore.open(target)
    store.unlock_from(template.keys)
    return store


def make_upn(serial: int) -> str:
    """Return a made-up UPN with a valid check letter."""
    body = f"801{1000 + serial % 9000:04d}25{serial % 1000:03d}"
    return upn_number.calc_check_digit(body) + body


def impact_row(template: StoreTemplate, serial: int, **changes: object) -> ImpactRow:
    """Return a valid version 1 row for pupil ``serial``; ``changes`` override any field."""
    values: dict[str, object] = dict(
        impact_id=str(uuid.uuid4()), version=1,
        pseudonym=pseudonymise(make_upn(serial), template.enrolment.pseudonymisation_key),
        school_urn="100001", year_group="9", month="2025-10", mode="in_person", attended=True,
        views_captured=True, barriers=("transport",), actions=ActionCounts(parent_carer=1, school=1),
        next_step="review_meeting", attendance_before_permille=850, persistent_before=True, severe_before=False,
    )
    values.update(changes)
    return ImpactRow(**values)  # type: ignore[arg-type]


def reviewed(row: ImpactRow, after: int, outcome: str = "improved") -> ImpactRow:
    """Return the next version of ``row`` with the attendance after the meeting and a review outcome."""
    return dataclasses.replace(row, version=row.version + 1, attendance_after_permille=after, review_outcome=outcome)


class Ingester:
    """Seals rows into bundles with the template's laptop key and ingests them, counting sequences."""

    def __init__(self, template: StoreTemplate, store: CentralStore, folder: Path) -> None:
        self.template, self.store, self.folder = template, store, folder
        self.sequence = 0

    def ingest(self, rows: list[ImpactRow], records: list[RecordVersion] | None = None) -> None:
        self.sequence += 1
        bundle = build_bundle(records or [], rows, signer=self.template.signer, device_id=self.template.device_id,
                              profile_id=self.template.profile_id, enrolment=self.template.enrolment,
                              sequence=self.sequence)
        receipt = ingest_bundle(self.store, write_bundle(bundle, self.folder))
        assert not receipt.quarantined, receipt.quarantined


@pytest.fixture(scope="session")
def store_template(tmp_path_factory: pytest.TempPathFactory) -> StoreTemplate:
    return make_store_template(tmp_path_factory.mktemp("impact-template") / "central")


@pytest.fixture
def central(store_template: StoreTemplate, tmp_path: Path):
    store = open_store_copy(store_template, tmp_path / "central")
    yield store
    store.close()


@pytest.fixture
def ingester(store_template: StoreTemplate, central: CentralStore, tmp_path: Path) -> Ingester:
    return Ingester(store_template, central, tmp_path / "bundles")


# Hand-worked attendance changes, in tenths of a percent: (before, after, persistent before).
# Changes: +11.0, +2.0, +5.0, -1.0, +4.9, +2.5, 0.0. Sorted: -1.0, 0.0, 2.0, 2.5, 4.9, 5.0, 11.0.
# Mean 24.4 / 7 = 3.4857 points; median 2.5; improved by 5 or more: +11.0 and +5.0.
# Persistently absent before (90.0% or less): all but the 950. No longer (after above 900):
# 800 -> 910 and 880 -> 905; 900 -> 900 stays persistent, since 90.0% is 10% absence.
HAND_WORKED = ((800, 910, True), (850, 870, True), (700, 750, True), (950, 940, False), (600, 649, True),
               (880, 905, True), (900, 900, True))


def hand_worked_rows(template: StoreTemplate, copies: int) -> tuple[list[ImpactRow], list[ImpactRow]]:
    """Return version 1 rows of the hand-worked cases, ``copies`` of each, and their reviewed versions."""
    first, second = [], []
    serial = 0
    for _ in range(copies):
        for before, after, persistent in HAND_WORKED:
            serial += 1
            row = impact_row(template, serial, attendance_before_permille=before, persistent_before=persistent)
            first.append(row)
            second.append(reviewed(row, after))
    return first, second


# -- attendance change: mean, median, improved, no longer persistent ---------------------


def test_change_figures_hand_worked(store_template, central, ingester):
    first, second = hand_worked_rows(store_template, copies=1)
    ingester.ingest(first)
    ingester.ingest(second)

    overall = load_figures(central.conn, ReportScope()).overall

    assert overall.offered == 7
    assert overall.with_change == 7
    assert overall.mean_change == Fraction(244, 70)
    assert overall.median_change == Fraction(5, 2)
    assert overall.improved == 2
    assert overall.persistent_reviewed == 6
    assert overall.persistent_ended == 2


def test_published_change_hand_worked(store_template, central, ingester):
    # Three copies of each case, so that every count is 6 or more and is shown.
    first, second = hand_worked_rows(store_template, copies=3)
    ingester.ingest(first)
    ingester.ingest(second)

    overall = build_report(central, ReportScope()).overall

    assert overall["offered"].value == 21
    assert overall["with_change"].value == 21
    assert overall["mean_change"].value == Decimal("3.5")
    assert overall["median_change"].value == Decimal("2.5")
    assert overall["improved"].value == 6
    assert overall["improved_percent"].value == Decimal("28.6")
    assert overall["persistent_reviewed"].value == 18
    assert overall["persistent_ended"].value == 6
    assert overall["persistent_ended_percent"].value == Decimal("33.3")
    assert overall["reviews"].value == 21


def test_median_of_even_count_is_mean_of_middle():
    changes = {10: 1, 20: 1, 40: 2}  # 1.0, 2.0, 4.0, 4.0 points

    assert median_points(changes) == Fraction(3)
    assert mean_points(changes) == Fraction(11, 4)
    assert median_points({}) is None
    assert mean_points({}) is None


def test_median_of_odd_count_is_middle():
    assert median_points({-30: 2, 5: 1, 70: 2}) == Fraction(1, 2)


@pytest.mark.parametrize(
    ("exact", "expected"),
    [(Fraction(1225, 100), "12.3"), (Fraction(-1225, 100), "-12.3"), (Fraction(1224, 100), "12.2"),
     (Fraction(244, 70), "3.5"), (Fraction(0), "0.0"), (Fraction(200, 3), "66.7"), (Fraction(100), "100.0")],
)
def test_rounding_half_away_from_zero(exact, expected):
    assert round_half_away(exact) == Decimal(expected)
    assert str(round_half_away(exact)) == expected


def test_latest_version_counted_once(store_template, central, ingester):
    row = impact_row(store_template, 1, attendance_before_permille=700)
    ingester.ingest([row])
    ingester.ingest([reviewed(row, 760)])
    ingester.ingest([reviewed(reviewed(row, 760), 820, "improved")])

    overall = load_figures(central.conn, ReportScope()).overall

    assert overall.offered == 1
    assert dict(overall.changes) == {120: 1}


def test_did_not_attend_and_views(store_template, central, ingester):
    rows = [impact_row(store_template, serial, attended=serial > 4, views_captured=serial > 6) for serial in range(1, 21)]
    ingester.ingest(rows)

    overall = load_figures(central.conn, ReportScope()).overall

    assert (overall.offered, overall.held, overall.did_not_attend) == (20, 16, 4)
    assert overall.views_captured == 14
    assert overall.pupils == 20


def test_views_never_counted_without_attendance(store_template, central, ingester):
    # A did-not-attend row cannot have views captured; if a laptop sent one, it must not count.
    ingester.ingest([impact_row(store_template, 1, attended=False, views_captured=True)])

    assert load_figures(central.conn, ReportScope()).overall.views_captured == 0


def test_pupils_counted_once_across_meetings(store_template, central, ingester):
    pseudonym = pseudonymise(make_upn(5), store_template.enrolment.pseudonymisation_key)
    rows = [impact_row(store_template, 5, pseudonym=pseudonym, month=f"2025-{month:02d}") for month in (9, 10, 11)]
    ingester.ingest(rows)

    overall = load_figures(central.conn, ReportScope()).overall

    assert overall.offered == 3
    assert overall.pupils == 1


# -- breakdowns and filters ----------------------------------------------------


def test_barriers_counted_under_each(store_template, central, ingester):
    rows = [impact_row(store_template, 1, barriers=("family_change", "family_health")),
            impact_row(store_template, 2, barriers=("family_health",)),
            impact_row(store_template, 3, barriers=()),
            impact_row(store_template, 4, barriers=("young_carer",))]
    ingester.ingest(rows)

    barriers = load_figures(central.conn, ReportScope()).groups["barrier"]

    assert {code: figures.offered for code, figures in barriers.items()} == {
        "family_change": 1, "young_carer": 1, "family_health": 2}
    assert list(barriers) == ["family_change", "young_carer", "family_health"]


def test_breakdowns_add_up(store_template, central, ingester):
    rows = [impact_row(store_template, serial, school_urn=("100001", "100002", "100003")[serial % 3],
                       mode=("in_person", "video", "phone")[serial % 2], year_group=str(1 + serial % 4))
            for serial in range(1, 31)]
    ingester.ingest(rows)

    raw = load_figures(central.conn, ReportScope())

    for dimension in ("school", "mode", "year_group"):
        assert sum(group.offered for group in raw.groups[dimension].values()) == 30, dimension
    assert [figures.offered for figures in raw.groups["school"].values()] == [10, 10, 10]
    assert list(raw.groups["mode"]) == ["in_person", "video"]


def test_filters_by_month_and_school(store_template, central, ingester):
    rows = [impact_row(store_template, serial, month=month, school_urn=school)
            for serial, (month, school) in enumerate(
                [("2025-08", "100001"), ("2025-09", "100001"), ("2025-12", "100002"), ("2026-01", "100001")], start=1)]
    ingester.ingest(rows)

    september_to_december = load_figures(central.conn, ReportScope("2025-09", "2025-12"))
    one_school = load_figures(central.conn, ReportScope(school_urn="100001"))

    assert september_to_december.overall.offered == 2
    assert (september_to_december.first_month, september_to_december.last_month) == ("2025-09", "2025-12")
    assert one_school.overall.offered == 3
    assert list(one_school.groups["school"]) == ["100001"]


def test_filter_uses_latest_version_fields(store_template, central, ingester):
    # A review that corrects the school moves the row: only the latest version decides.
    row = impact_row(store_template, 1, school_urn="100001")
    ingester.ingest([row])
    ingester.ingest([dataclasses.replace(reviewed(row, 900), school_urn="100002")])

    assert load_figures(central.conn, ReportScope(school_urn="100001")).overall.offered == 0
    assert load_figures(central.conn, ReportScope(school_urn="100002")).overall.offered == 1


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        (dict(from_month="2025-9"), "--from '2025-9' is not a month. Give it as YYYY-MM"),
        (dict(to_month="September"), "--to 'September' is not a month"),
        (dict(school_urn="12345"), "--school '12345' is not a URN"),
        (dict(from_month="2026-01", to_month="2025-09"), "--from 2026-01 is after --to 2025-09"),
    ],
)
def test_scope_rejects_bad_values(scope, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        ReportScope(**scope)


def test_empty_log_gives_zeros(central):
    report = build_report(central, ReportScope())

    assert report.overall["offered"].value == 0
    assert report.overall["held_percent"].symbol == "z"
    assert report.overall["mean_change"].symbol == "z"
    assert all(not breakdown.categories for breakdown in report.breakdowns)
    assert "the log has no pupil meetings" in render_markdown(report)


# -- disclosure control on hand-worked tables ---------------------------------------------


def test_cell_of_three_and_next_smallest():
    values = {"total": 25, "a": 3, "b": 10, "c": 12}

    result = suppress(values, [Relation("total", ("a", "b", "c"))])

    assert result.primary == {"a"}
    assert result.secondary == {"b"}


def test_complement_of_suppressed_cell():
    values = {"offered": 40, "held": 37, "did_not_attend": 3}

    result = suppress(values, [Relation("offered", ("held", "did_not_attend"))])

    assert result.primary == {"did_not_attend"}
    assert result.secondary == {"held"}
    assert result.shows("offered")


def test_hidden_complement_protected():
    # 38 of 40 meetings held captured the pupil's views: the 2 without views are never printed,
    # but 40 - 38 would reveal them, so the 38 is withheld.
    values = {"held": 40, "views": 38, "no_views": 2}

    result = suppress(values, [Relation("held", ("views", "no_views"))], hidden={"no_views"})

    assert result.primary == frozenset()
    assert result.secondary == {"views"}


def test_hidden_large_complement_may_show():
    values = {"held": 40, "views": 10, "no_views": 30}

    result = suppress(values, [Relation("held", ("views", "no_views"))], hidden={"no_views"})

    assert result.suppressed == frozenset()


def test_small_school_total_and_all_schools():
    # School A has 5 pupil meetings: its whole row is c, so school B's row must go too,
    # or all schools minus school B would give school A back.
    values = {
        ("A", "held"): 4, ("A", "dna"): 1, ("A", "offered"): 5,
        ("B", "held"): 20, ("B", "dna"): 10, ("B", "offered"): 30,
        ("all", "held"): 24, ("all", "dna"): 11, ("all", "offered"): 35,
    }
    relations = [Relation((school, "offered"), ((school, "held"), (school, "dna"))) for school in ("A", "B", "all")]
    relations += [Relation(("all", measure), (("A", measure), ("B", measure))) for measure in ("held", "dna", "offered")]

    result = suppress(values, relations)

    assert result.primary == {("A", "held"), ("A", "dna"), ("A", "offered")}
    assert result.secondary == {("B", "held"), ("B", "dna"), ("B", "offered")}
    assert all(result.shows(("all", measure)) for measure in ("held", "dna", "offered"))


def test_zero_shown_and_never_chosen():
    values = {"total": 15, "a": 3, "b": 0, "c": 12}

    result = suppress(values, [Relation("total", ("a", "b", "c"))])

    assert result.shows("b")
    assert result.secondary == {"c"}


def test_exact_check_catches_combined_sums():
    # Rows r0 to r2, columns c0 to c2, with row and column totals. The cell (2, 2) contains 2.
    # Relation by relation, suppressing the smallest neighbour leaves (0,1), (0,2), (1,1), (1,2)
    # in a cycle with (2, 2) hanging off it. Rows 0 and 1 minus column 1 give
    # x02 + x12 = 19 + 20 - 22 = 17, and column 2 then gives x22 = 19 - 17 = 2.
    # The exact check finds this and withholds (2, 1) as well.
    grid = [[0, 10, 9], [0, 12, 8], [11, 11, 2]]
    values: dict[tuple[object, object], int] = {}
    for row in range(3):
        for column in range(3):
            values[(row, column)] = grid[row][column]
    for row in range(3):
        values[(row, "T")] = sum(grid[row])
    for column in range(3):
        values[("T", column)] = sum(grid[row][column] for row in range(3))
    values[("T", "T")] = sum(map(sum, grid))
    relations = [Relation((row, "T"), tuple((row, column) for column in range(3))) for row in range(3)]
    relations += [Relation(("T", column), tuple((row, column) for row in range(3))) for column in (0, 1, 2, "T")]

    result = suppress(values, relations)

    assert result.primary == {(2, 2)}
    assert result.secondary == {(0, 1), (0, 2), (1, 1), (1, 2), (2, 0), ("T", 0), (2, 1)}
    assert not _determined_cells(values, relations, result.suppressed, result.primary)


def test_part_follows_its_whole():
    # Views captured lie within meetings held. With held shown as c but views shown as 38, a
    # reader would know held is at least 38, so did-not-attend = 40 - held is at most 2.
    values = {"offered": 40, "held": 38, "did_not_attend": 2, "views": 38}

    result = suppress(values, [Relation("offered", ("held", "did_not_attend"))], within={"views": "held"})

    assert result.primary == {"did_not_attend"}
    assert result.secondary == {"held", "views"}


def test_within_chain_followed():
    # School B's 4 meetings force school A's 36 to c; A's held and views then follow in a chain.
    values = {"all": 40, "a": 36, "b": 4, "a_held": 30, "a_views": 20, "a_reviews": 0}
    within = {"a_held": "a", "a_views": "a_held", "a_reviews": "a"}

    result = suppress(values, [Relation("all", ("a", "b"))], within=within)

    assert result.primary == {"b"}
    assert result.secondary == {"a", "a_held", "a_views"}
    assert result.shows("a_reviews")  # a zero part bounds nothing


def test_inconsistent_relation_rejected():
    with pytest.raises(ValueError, match="sum to 5, not to its value 6"):
        suppress({"t": 6, "a": 2, "b": 3}, [Relation("t", ("a", "b"))])


def _determined_cells(values, relations, unknown, targets) -> set:
    """Return the targets that the shown cells pin to one value, by dense rational rank (a second method)."""
    unknown = sorted(unknown, key=str)
    matrix = []
    for relation in relations:
        row = [Fraction(0)] * len(unknown)
        for position, key in enumerate(unknown):
            if key in relation.parts:
                row[position] += 1
            if key == relation.total:
                row[position] -= 1
        if any(row):
            matrix.append(row)

    def rank(rows):
        rows = [list(row) for row in rows]
        found = 0
        for column in range(len(unknown)):
            pivot = next((index for index in range(found, len(rows)) if rows[index][column] != 0), None)
            if pivot is None:
                continue
            rows[found], rows[pivot] = rows[pivot], rows[found]
            for index in range(len(rows)):
                if index != found and rows[index][column] != 0:
                    factor = rows[index][column] / rows[found][column]
                    rows[index] = [a - factor * b for a, b in zip(rows[index], rows[found])]
            found += 1
        return found

    base = rank(matrix)
    determined = set()
    for key in targets:
        unit = [Fraction(1) if other == key else Fraction(0) for other in unknown]
        if rank(matrix + [unit]) == base:
            determined.add(key)
    return determined


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4).flatmap(lambda rows: st.integers(2, 4).flatmap(
    lambda columns: st.lists(st.lists(st.sampled_from([0, 1, 2, 3, 5, 6, 8, 11, 20]), min_size=columns,
                                      max_size=columns), min_size=rows, max_size=rows))))
def test_no_protected_cell_determined(grid):
    rows, columns = len(grid), len(grid[0])
    values: dict[tuple[object, object], int] = {}
    for row in range(rows):
        for column in range(columns):
            values[(row, column)] = grid[row][column]
        values[(row, "T")] = sum(grid[row])
    for column in range(columns):
        values[("T", column)] = sum(grid[row][column] for row in range(rows))
    values[("T", "T")] = sum(map(sum, grid))
    relations = [Relation((row, "T"), tuple((row, column) for column in range(columns))) for row in range(rows)]
    relations += [Relation(("T", column), tuple((row, column) for row in range(rows)))
                  for column in (*range(columns), "T")]

    result = suppress(values, relations)

    assert result.primary == {key for key, value in values.items() if needs_suppression(value)}
    assert not _determined_cells(values, relations, result.suppressed, result.primary)
    for relation in relations:
        unknown = [key for key in relation.cells if key in result.suppressed]
        assert len(unknown) != 1, relation


# -- disclosure control in the published report -----------------------------------------


def _raw(overall: GroupFigures, schools: dict[str, GroupFigures]) -> RawFigures:
    groups = {"school": schools, "mode": {"in_person": overall}, "year_group": {"9": overall}, "barrier": {}}
    return RawFigures(overall, groups, "2025-09", "2025-09")


def test_percentages_follow_their_counts():
    small = GroupFigures(offered=4, held=3, views_captured=3, changes={60: 3})
    large = GroupFigures(offered=40, held=30, views_captured=20, changes={60: 10, 0: 10})
    overall = GroupFigures(offered=44, held=33, views_captured=23, changes={60: 13, 0: 10})

    report = publish(_raw(overall, {"100001": small, "100002": large}), organisation="Test",
                     scope=ReportScope())
    figures = {category.key: category.figures for category in report.breakdown("school").categories}

    assert figures["100001"]["offered"].symbol == "c"
    assert figures["100001"]["held_percent"].symbol == "c"
    assert figures["100001"]["mean_change"].symbol == "c"
    assert figures["100002"]["offered"].symbol == "c"  # 44 - 40 would give school 100001 back
    assert figures["100002"]["held_percent"].symbol == "c"
    assert report.overall["offered"].value == 44
    assert report.overall["held_percent"].value == Decimal("75.0")


def test_not_applicable_and_not_collected():
    overall = GroupFigures(offered=12, held=0)

    report = publish(_raw(overall, {"100001": overall}), organisation="Test", scope=ReportScope())

    assert report.overall["views_percent"].symbol == "z"
    assert report.overall["improved_percent"].symbol == "z"
    assert report.overall["contacts"].symbol == "x"
    assert report.overall["held"].value == 0


def test_small_school_suppressed_end_to_end(store_template, central, ingester):
    rows = [impact_row(store_template, serial, school_urn="100001") for serial in range(1, 4)]
    rows += [impact_row(store_template, serial, school_urn="100002", attended=serial % 4 != 0)
             for serial in range(4, 40)]
    rows += [impact_row(store_template, serial, school_urn="100003") for serial in range(40, 60)]
    ingester.ingest(rows)

    report = build_report(central, ReportScope())
    schools = {category.key: category.figures for category in report.breakdown("school").categories}

    assert schools["100001"]["offered"].symbol == "c"
    assert schools["100003"]["offered"].symbol == "c"  # the smaller of the two others
    # Every non-zero count of a school whose meetings offered are c follows them, pupils included:
    # 20 distinct pupils would tell a reader that school 100003 had at least 20 meetings.
    for measure in ("held", "pupils", "views_captured", "actions"):
        assert schools["100003"][measure].symbol == "c", measure
    assert schools["100003"]["did_not_attend"].value == 0
    assert schools["100003"]["reviews"].value == 0
    assert schools["100002"]["offered"].value == 36
    assert report.overall["offered"].value == 59
    text = render_markdown(report)
    assert "| URN 100001 | c |" in text


# -- outputs: HTML, CSV, Markdown -----------------------------------------------------


@pytest.fixture
def busy_store(store_template, central, ingester):
    """A store with three schools, reviews, barriers and one small school, including a record with a name."""
    rows, later = [], []
    for serial in range(1, 90):
        row = impact_row(
            store_template, serial, school_urn=("100001", "100002", "100003")[serial % 3] if serial > 4 else "100004",
            mode=("in_person", "video", "phone")[serial % 3], year_group=str(7 + serial % 5),
            attended=serial % 5 != 0, views_captured=serial % 5 != 0 and serial % 3 != 0,
            barriers=(("bullying", "transport"), ("send",), (), ("young_carer",))[serial % 4],
            attendance_before_permille=600 + 4 * serial, persistent_before=600 + 4 * serial <= 900,
            month=f"2025-{9 + serial % 4:02d}")
        rows.append(row)
        if serial % 2 == 0:
            later.append(reviewed(row, min(1000, 640 + 4 * serial + (serial % 7) * 10)))
    record = RecordVersion(str(uuid.uuid4()), 1, 1, "meeting", f'{{"pupil": "{PLANTED_PUPIL}"}}'.encode())
    ingester.ingest(rows, [record])
    ingester.ingest(later)
    return central, rows + later


class _Checker(HTMLParser):
    """Collects the tag structure, external references and scripts of an HTML document."""

    VOID = {"meta", "link", "br", "img", "input", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.references: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.references += [value or "" for name, value in attrs if name in ("href", "src")]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        # A self-closed element such as <rect .../> in inline SVG opens and closes at once.
        self.tags.add(tag)
        self.references += [value or "" for name, value in attrs if name in ("href", "src")]

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_html_parses_and_is_self_contained(busy_store):
    store, _ = busy_store
    html = render_html(build_report(store, ReportScope()))

    checker = _Checker()
    checker.feed(html)
    checker.close()

    assert checker.errors == []
    assert checker.stack == []
    assert "script" not in checker.tags
    assert all(reference.startswith("#") for reference in checker.references), checker.references
    assert {"table", "svg", "style", "figure"} <= checker.tags
    assert "@media print" in html
    assert html.count("<svg") == 3


def test_outputs_contain_no_names_upns_or_pseudonyms(busy_store, store_template):
    store, rows = busy_store
    report = build_report(store, ReportScope())
    key = store_template.enrolment.pseudonymisation_key
    forbidden = {PLANTED_OFFICER, PLANTED_PUPIL, "Quillfeather", "Quarrington"}
    forbidden |= {row.pseudonym for row in rows} | {row.pseudonym[:16] for row in rows}
    forbidden |= {make_upn(serial) for serial in range(1, 90)}
    assert all(pseudonymise(make_upn(serial), key) in forbidden for serial in range(1, 90))

    for output_format in FORMATS:
        text = render(report, output_format)
        leaked = sorted(item for item in forbidden if item.lower() in text.lower())
        assert leaked == [], f"{output_format} output contains {leaked[:3]}"


def test_csv_round_trips(busy_store):
    store, _ = busy_store
    report = build_report(store, ReportScope())

    text = render_csv(report)

    assert read_csv(text) == report_figures(report)
    assert text.startswith("dimension,category,category_label,measure,measure_label,value\r\n")
    assert any(figure.symbol == "c" for figures in report_figures(report).values() for figure in figures.values())


def test_csv_reader_names_line_and_value():
    text = ("dimension,category,category_label,measure,measure_label,value\r\n"
            "overall,,All pupil meetings,offered,Meetings offered,12\r\n"
            "overall,,All pupil meetings,held,Held,twelve\r\n")

    with pytest.raises(Exception, match=r"line 3, column 6: 'twelve' is not a number"):
        read_csv(text)


def test_report_reproducible(busy_store, tmp_path):
    store, _ = busy_store
    first = {output_format: render(build_report(store, ReportScope()), output_format) for output_format in FORMATS}
    store.close()

    with CentralStore.open(store.path) as reopened:
        second = {output_format: render(build_report(reopened, ReportScope()), output_format)
                  for output_format in FORMATS}

    assert first == second
    assert not re.search(r"20[0-9]{2}-[0-9]{2}-[0-9]{2}", first["html"]), "a date crept into the report"


def test_production_date_only_when_given(central):
    dated = render_markdown(build_report(central, ReportScope(), produced_on=dt.date(2026, 3, 10)))
    undated = render_markdown(build_report(central, ReportScope()))

    assert "**Produced on:** 10 March 2026" in dated
    assert "Produced on" not in undated


def test_markdown_has_every_section(busy_store):
    store, _ = busy_store
    text = render_markdown(build_report(store, ReportScope()))

    for heading in ("## Key figures", "## Summary by school", "## By school", "## By meeting mode",
                    "## By year group", "## By barrier", "## Methodology", "### Disclosure control"):
        assert heading in text, heading
    assert "| URN 100004 | c |" in text
    assert "Contacts made | x |" in text


# -- the SQL: portable, and the same text the benchmark runs -----------------------------


# Functions of standard SQL (and PostgreSQL) that the statements may call.
PORTABLE_FUNCTIONS = {"COUNT", "SUM", "MAX", "MIN", "COALESCE", "VALUES", "AS", "IN", "ON", "AND", "EXISTS"}


def test_statements_use_only_portable_functions():
    text = "\n".join(statement.sql for statement in report_statements(Filters("2025-09", "2026-03", "100001")))
    # A word directly before an opening bracket is a function call, or a keyword such as VALUES.
    called = {name.upper() for name in re.findall(r"([A-Za-z_]+)\s*\(", text)}
    tables = {"barrier_codes", "report_latest"}

    assert called - PORTABLE_FUNCTIONS - {name.upper() for name in tables} == set()


def test_command_line_script_matches_statements():
    script = command_line_script(Filters("2025-09", None, "100001"))

    assert script.count(";\n") == len(report_statements(Filters()))
    assert "l.month >= '2025-09'" in script
    assert "l.school_urn = '100001'" in script
    assert "?" not in script


# -- the command line ----------------------------------------------------------------


def _run(home: Path, *arguments: str):
    from clinic_tui.cli import main

    return CliRunner().invoke(main, ["--home", str(home), "central", "report", *arguments], catch_exceptions=False)


def test_cli_writes_each_format(busy_store, tmp_path):
    store, _ = busy_store
    expected = {output_format: render(build_report(store, ReportScope()), output_format)
                for output_format in FORMATS}

    for output_format, name in (("html", "report.html"), ("csv", "report.csv"), ("md", "report.md")):
        result = _run(tmp_path / "home", str(store.path), "--out", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).read_bytes() == expected[output_format].encode("utf-8")

    printed = _run(tmp_path / "home", str(store.path), "--format", "csv")
    assert printed.exit_code == 0
    assert printed.stdout_bytes == expected["csv"].encode("utf-8")


def test_cli_filters_and_date(busy_store, tmp_path):
    store, _ = busy_store

    result = _run(tmp_path / "home", str(store.path), "--from", "2025-10", "--to", "2025-11", "--school", "100002",
                  "--date", "2026-03-10")

    assert result.exit_code == 0, result.output
    assert "**Months of the meetings:** October 2025 to November 2025" in result.stdout
    assert "**Schools:** URN 100002 only" in result.stdout
    assert "**Produced on:** 10 March 2026" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2025/09"], "--from '2025/09' is not a month"),
        (["--school", "ABC123"], "--school 'ABC123' is not a URN"),
        (["--out", "report.pdf"], "Cannot tell the format from the extension of report.pdf (.pdf)"),
        (["--tui", "--format", "csv"], "--tui shows the report in the terminal"),
    ],
)
def test_cli_rejects_bad_options(central, tmp_path, arguments, message):
    result = _run(tmp_path / "home", str(central.path), *arguments)

    assert result.exit_code == 2
    assert message in result.output


def test_cli_names_missing_store(tmp_path):
    (tmp_path / "empty").mkdir()

    result = _run(tmp_path / "home", str(tmp_path / "empty"))

    assert result.exit_code == 1
    assert "is not a central store: central.json is missing" in result.output


def test_cli_formats_match_library():
    from clinic_tui import cli_report

    assert cli_report.FORMATS == FORMATS
