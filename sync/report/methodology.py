"""The methodology section of the impact report, shared by every output format."""

from __future__ import annotations

from dataclasses import dataclass

from sync.report.measures import MEASURES, SYMBOLS
from sync.report.suppression import LARGEST_SUPPRESSED, SMALLEST_SUPPRESSED


@dataclass(frozen=True)
class Section:
    """A titled part of the methodology: paragraphs, then optional terms with their definitions."""

    title: str
    paragraphs: tuple[str, ...]
    terms: tuple[tuple[str, str], ...] = ()


METHODOLOGY: tuple[Section, ...] = (
    Section("What is counted", (
        "Every figure comes from the anonymised impact log of the central store. Each row of the log is one "
        "pupil at one attendance meeting, so a meeting about two siblings gives two rows. This report calls "
        "such a row a pupil meeting, and every count except pupils and actions is a count of pupil meetings.",
        "A row can have several versions: the first is written after the meeting, and a review writes a "
        "later one with the attendance rate after the meeting and the review outcome. Only the latest version "
        "of each row is counted. The month, school and the other fields of that version decide where it is "
        "counted.",
        "The log holds no names, no UPNs and no free text. Pupils appear only as keyed pseudonyms, which the "
        "report uses to count distinct pupils and never prints.",
    )),
    Section("Measures", (
        "Each measure, as it appears in the tables:",
    ), tuple((measure.label, measure.definition) for measure in MEASURES)),
    Section("Attendance change", (
        "Attendance rates are the percentage of possible sessions attended over the 6 school weeks before "
        "the meeting, and over the 6 school weeks after it, as the officer's laptop worked them out from the "
        "school's register. They are stored to one decimal place.",
        "The change for a pupil meeting is the rate after minus the rate before, in percentage points. Only "
        "pupil meetings with both rates are used for the mean, the median and the share improved.",
        "Persistent absence means missing 10% or more of possible sessions, that is attendance of 90.0% or "
        "less. A pupil meeting counts as no longer persistently absent when the pupil was persistently absent "
        "before the meeting and attendance after it was above 90.0%.",
    )),
    Section("Breakdowns", (
        "Each school, meeting mode and year group has its own pupil meetings, so within those breakdowns "
        "the counts add up to the total for all schools. Year group is the pupil's year group at the time "
        "of the meeting.",
        "A pupil meeting can record several barriers and then counts once under each, so the barrier "
        "breakdown does not add up to the total. Pupil meetings with no barrier recorded count in the totals "
        "but under no barrier.",
        "A category with no pupil meetings is left out.",
    )),
    Section("Disclosure control", (
        f"A count from {SMALLEST_SUPPRESSED} to {LARGEST_SUPPRESSED} is shown as c. Zero is shown as 0, as in "
        "government statistics, because an empty category tells nothing about any pupil.",
        "Some figures can be worked out from others: the pupil meetings held and not attended add up to "
        "those offered, and the schools add up to all schools. The same holds for counts the report never "
        "prints, such as the meetings held where the pupil's views were not recorded, which are the meetings "
        "held minus those where they were. Such an unprinted count from 1 to 5 is protected as if it were "
        "printed.",
        "Secondary suppression: in any set of counts that add up to a total, a reader can work out the sum "
        "of the hidden ones. So when only one count of such a set is hidden and it needs protecting, the "
        "smallest other non-zero count of the set is shown as c too. This is repeated until no set has a "
        "lone hidden count that needs protecting.",
        "A count of pupil meetings that all lie within another count is shown as c whenever that count "
        "is, unless it is 0: meetings held and not attended lie within meetings offered, and views captured "
        "within meetings held. A shown part would tell the reader that the hidden whole is at least as large. "
        "Pupils and actions agreed follow the meetings offered too, so when a school's meetings offered are "
        "c, every count for that school above 0 is c.",
        "Sets of counts can combine, for example rows and columns of one table. A final check solves the "
        "whole system of sums exactly and confirms that no protected count can be worked out as a single "
        "value from the figures shown. Where one could, a further count is shown as c and the check runs "
        "again. A reader may still narrow a hidden count to a range of values.",
        "A percentage, mean or median is shown as c when any count it is built on is shown as c, because "
        "with its other count it would give the hidden one back. The mean and median change are built on "
        "the count of pupil meetings with both rates.",
        "The same count is one figure wherever it appears, so a count shown as c in one table is c in "
        "every table. The report does not say why a count is c.",
    )),
    Section("Rounding", (
        "Percentages and percentage points are worked out from exact counts and rounded to one decimal "
        "place, halves away from zero. Percentages may therefore not add up to exactly 100.",
    )),
    Section("Symbols", (
        "Cells that show no number carry one of these symbols:",
    ), tuple(SYMBOLS.items())),
)
