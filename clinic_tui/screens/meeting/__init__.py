"""The meeting screens: the steps of a first attendance meeting or of a review, finalising and addenda."""

from clinic_tui.screens.meeting.screen import MeetingScreen, ReviewMeetingScreen, record_screen

__all__ = ["MeetingScreen", "ReviewMeetingScreen", "record_screen"]
