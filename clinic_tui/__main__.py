"""Run the command line with ``python -m clinic_tui``."""

from clinic_tui.cli import main

main()
