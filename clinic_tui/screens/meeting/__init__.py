"""The meeting screens: the ten steps of a first attendance meeting, finalising and addenda."""

from clinic_tui.screens.meeting.screen import MeetingScreen

__all__ = ["MeetingScreen"]
