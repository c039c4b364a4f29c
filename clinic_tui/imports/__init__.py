"""Read pupil lists and attendance marks exported from a school MIS, and check them.

Nothing here touches the vault: ``read_pupils`` and ``read_marks`` return
the checked rows with every error and warning, and the caller stores the
rows only when the result has no errors.
"""

from clinic_tui.imports.columns import describe_columns
from clinic_tui.imports.headers import Column
from clinic_tui.imports.issues import ErrorKind, Issue, IssueLog, WarningKind
from clinic_tui.imports.mapping import HeaderMapping, MappingFileError, load_mapping
from clinic_tui.imports.mark_table import MarkTable
from clinic_tui.imports.marks import MarksImport, MarksLayout, read_marks
from clinic_tui.imports.pupils import PupilImport, enrolment_dates, read_pupils
from clinic_tui.imports.result import ImportFailed, ImportResult
from clinic_tui.imports.source import ProgressCallback, UnreadableFile

__all__ = [
    "Column",
    "ErrorKind",
    "HeaderMapping",
    "ImportFailed",
    "ImportResult",
    "Issue",
    "IssueLog",
    "MappingFileError",
    "MarkTable",
    "MarksImport",
    "MarksLayout",
    "ProgressCallback",
    "PupilImport",
    "UnreadableFile",
    "WarningKind",
    "describe_columns",
    "enrolment_dates",
    "load_mapping",
    "read_marks",
    "read_pupils",
]
