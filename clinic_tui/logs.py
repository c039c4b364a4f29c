"""Logging to a private file in the log folder.

Log lines carry ids, counts and outcomes only: never pupil names, notes,
passphrases or keys.
"""

from __future__ import annotations

import logging
import logging.handlers
import os

from clinic_tui.paths import PRIVATE_FILE_MODE, Locations, make_private_dir

_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure(locations: Locations, level: int = logging.INFO) -> None:
    """Send the app's log records to ``clinic.log``, rotated at 1 MB, mode 0600."""
    make_private_dir(locations.log_dir)
    path = locations.log_file
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    os.chmod(path, PRIVATE_FILE_MODE)

    root = logging.getLogger()
    for existing in list(root.handlers):
        if isinstance(existing, logging.handlers.RotatingFileHandler):
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
