"""The SQL behind the impact report: one pass to pick rows, then small aggregates.

The statements use only standard SQL that PostgreSQL runs too: a common
table expression with VALUES, a correlated MAX subquery, CASE, COALESCE,
COUNT(DISTINCT), LIKE with ESCAPE and the ``||`` operator. They call no
SQLite-only function, so the benchmark can run the very same text in the
``sqlite3`` command-line program.

Working out the latest version of each impact row is the costly step,
because it looks up every row's newest version. It runs once, into a
temporary table of the columns the report needs. Every aggregate then
scans that table. All statements run in one read transaction, so a bundle
ingested meanwhile cannot make one figure disagree with another.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.impact import BARRIER_CODES

LATEST_TABLE = "report_latest"

# Attendance above 90.0% is not persistent absence (missing 10% or more of
# possible sessions), so the rate in tenths of a percent must exceed 900.
PERSISTENT_LIMIT_PERMILLE = 900

# Improvement of at least 5 percentage points, in tenths of a percent.
IMPROVED_MIN_PERMILLE = 50

# Dimensions with one value per row: their categories partition the rows.
SINGLE_VALUED = {"school": "school_urn", "mode": "mode", "year_group": "year_group"}


@dataclass(frozen=True)
class Statement:
    """One SQL statement of the report. ``name`` identifies the rows it returns, or is empty if it returns none."""

    name: str
    sql: str
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filters:
    """Row filters applied to the latest version of each row; None means no limit."""

    from_month: str | None = None
    to_month: str | None = None
    school_urn: str | None = None


_COUNTS = """
    COUNT(*) AS offered,
    COALESCE(SUM(attended), 0) AS held,
    COALESCE(SUM(CASE WHEN attended = 1 AND views_captured = 1 THEN 1 ELSE 0 END), 0) AS views_captured,
    COALESCE(SUM(CASE WHEN review_outcome IS NOT NULL THEN 1 ELSE 0 END), 0) AS reviews,
    COALESCE(SUM(actions), 0) AS actions,
    COALESCE(SUM(CASE WHEN persistent_before = 1 AND after_permille IS NOT NULL THEN 1 ELSE 0 END), 0)
        AS persistent_reviewed,
    COALESCE(SUM(CASE WHEN persistent_before = 1 AND after_permille > {limit} THEN 1 ELSE 0 END), 0)
        AS persistent_ended""".format(limit=PERSISTENT_LIMIT_PERMILLE)

# The same sums over groups of rows already counted by the combination of barriers.
_COMBO_SUMS = """
    SUM(combos.offered), SUM(combos.held), SUM(combos.views_captured), SUM(combos.reviews),
    SUM(combos.actions), SUM(combos.persistent_reviewed), SUM(combos.persistent_ended)"""

# Column names returned by every counts statement, after the category.
COUNT_COLUMNS = ("offered", "held", "views_captured", "reviews", "actions", "persistent_reviewed",
                 "persistent_ended")


def _barrier_codes_cte() -> str:
    """Return the CTE of barrier codes with their LIKE patterns.

    The log stores a row's barriers as codes separated by single spaces.
    Wrapping that text in spaces and matching ``% code %`` finds whole
    codes only. The underscore in a code is escaped because LIKE reads a
    bare underscore as any one character.
    """
    values = ",\n        ".join(
        f"('{code}', '% {code.replace('_', chr(92) + '_')} %')" for code in BARRIER_CODES
    )
    return f"barrier_codes (code, pattern) AS (VALUES\n        {values})"


def _latest_statement(filters: Filters) -> Statement:
    conditions = ["l.version = (SELECT MAX(m.version) FROM impact_log AS m WHERE m.impact_id = l.impact_id)"]
    parameters: list[str] = []
    if filters.from_month is not None:
        conditions.append("l.month >= ?")
        parameters.append(filters.from_month)
    if filters.to_month is not None:
        conditions.append("l.month <= ?")
        parameters.append(filters.to_month)
    if filters.school_urn is not None:
        conditions.append("l.school_urn = ?")
        parameters.append(filters.school_urn)

    sql = f"""CREATE TEMPORARY TABLE {LATEST_TABLE} AS
SELECT l.pseudonym, l.school_urn, l.year_group, l.month, l.mode, l.attended, l.views_captured, l.barriers,
    l.actions_parent_carer + l.actions_pupil + l.actions_school + l.actions_agency AS actions,
    l.attendance_after_permille - l.attendance_before_permille AS change_permille,
    l.persistent_before, l.attendance_after_permille AS after_permille, l.review_outcome
FROM impact_log AS l
WHERE {" AND ".join(conditions)}"""
    return Statement("", sql, tuple(parameters))


def report_statements(filters: Filters) -> list[Statement]:
    """Return every statement of the report in order, from BEGIN to COMMIT.

    Named statements return rows. ``counts:DIMENSION`` gives a category and
    the ``COUNT_COLUMNS``. ``changes:DIMENSION`` gives a category, a change
    in tenths of a percent and the number of rows with that change.
    ``overall`` gives the ``COUNT_COLUMNS``, distinct pupils and the first
    and last month, and ``pupils:school`` the distinct pupils of each
    school. Dimension ``barrier`` counts a row once under each of its
    barriers.
    """
    statements = [
        Statement("", "BEGIN"),
        Statement("", f"DROP TABLE IF EXISTS {LATEST_TABLE}"),
        _latest_statement(filters),
        Statement("overall", f"""SELECT {_COUNTS},
    COUNT(DISTINCT pseudonym) AS pupils, MIN(month) AS first_month, MAX(month) AS last_month
FROM {LATEST_TABLE}"""),
        Statement("changes:overall", f"""SELECT '' AS category, change_permille, COUNT(*)
FROM {LATEST_TABLE} WHERE change_permille IS NOT NULL GROUP BY change_permille"""),
    ]

    for dimension, column in SINGLE_VALUED.items():
        statements.append(Statement(f"counts:{dimension}", f"""SELECT {column} AS category, {_COUNTS}
FROM {LATEST_TABLE} GROUP BY {column}"""))
        statements.append(Statement(f"changes:{dimension}", f"""SELECT {column} AS category, change_permille, COUNT(*)
FROM {LATEST_TABLE} WHERE change_permille IS NOT NULL GROUP BY {column}, change_permille"""))

    statements.append(Statement("pupils:school", f"""SELECT school_urn, COUNT(DISTINCT pseudonym)
FROM {LATEST_TABLE} GROUP BY school_urn"""))

    # Rows are first grouped by their whole set of barriers, which has far
    # fewer values than there are rows, so LIKE runs once per set, not per row.
    statements.append(Statement("counts:barrier", f"""WITH {_barrier_codes_cte()},
combos AS (SELECT barriers, {_COUNTS}
    FROM {LATEST_TABLE} GROUP BY barriers)
SELECT barrier_codes.code, {_COMBO_SUMS}
FROM combos JOIN barrier_codes ON (' ' || combos.barriers || ' ') LIKE barrier_codes.pattern ESCAPE '\\'
GROUP BY barrier_codes.code"""))
    statements.append(Statement("changes:barrier", f"""WITH {_barrier_codes_cte()},
combos AS (SELECT barriers, change_permille, COUNT(*) AS meetings
    FROM {LATEST_TABLE} WHERE change_permille IS NOT NULL GROUP BY barriers, change_permille)
SELECT barrier_codes.code, combos.change_permille, SUM(combos.meetings)
FROM combos JOIN barrier_codes ON (' ' || combos.barriers || ' ') LIKE barrier_codes.pattern ESCAPE '\\'
GROUP BY barrier_codes.code, combos.change_permille"""))

    statements += [Statement("", f"DROP TABLE {LATEST_TABLE}"), Statement("", "COMMIT")]
    return statements


def command_line_script(filters: Filters) -> str:
    """Return the statements as one script for the ``sqlite3`` program, parameters written in place.

    Filter values are checked by ``ReportScope`` to be months or URNs
    (digits and hyphens only), so writing them as quoted literals is safe.
    """
    lines = []
    for statement in report_statements(filters):
        sql = statement.sql
        for value in statement.parameters:
            if not all(character.isdigit() or character == "-" for character in value):
                raise ValueError(f"Filter value {value!r} is not a month or URN; only digits and hyphens are written "
                                 "into a script.")
            sql = sql.replace("?", f"'{value}'", 1)
        lines.append(sql + ";")
    return "\n".join(lines) + "\n"
