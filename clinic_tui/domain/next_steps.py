"""Next steps after a first meeting and outcomes of a review meeting.

The codes are stored in records and counted in the anonymised impact log, so
a code must never be renamed or reused.
"""

from __future__ import annotations

from enum import Enum


class NextStep(str, Enum):
    MONITOR = "monitor"
    REVIEW_MEETING = "review_meeting"
    SUPPORT_PLAN = "attendance_support_plan"
    ATTENDANCE_CONTRACT = "attendance_contract"
    EARLY_HELP = "early_help_assessment"
    SEND_REVIEW = "send_review"
    ATTENDANCE_SERVICE = "attendance_service_referral"
    SAFEGUARDING_REFERRAL = "safeguarding_referral"
    LEGAL_STEP = "consider_legal_step"

    @property
    def label(self) -> str:
        return _NEXT_STEP_LABELS[self]


_NEXT_STEP_LABELS = {
    NextStep.MONITOR: "Monitor attendance",
    NextStep.REVIEW_MEETING: "Review meeting",
    NextStep.SUPPORT_PLAN: "Attendance support plan",
    NextStep.ATTENDANCE_CONTRACT: "Attendance contract",
    NextStep.EARLY_HELP: "Early help assessment",
    NextStep.SEND_REVIEW: "SEND review",
    NextStep.ATTENDANCE_SERVICE: "Referral to the attendance service",
    NextStep.SAFEGUARDING_REFERRAL: "Safeguarding referral through the DSL",
    NextStep.LEGAL_STEP: "Consider a notice to improve or another legal step",
}


class ReviewOutcome(str, Enum):
    CLOSE = "close"
    CONTINUE = "continue"
    ESCALATE = "escalate"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    ReviewOutcome.CLOSE: "Close the case",
    ReviewOutcome.CONTINUE: "Continue the current support",
    ReviewOutcome.ESCALATE: "Escalate",
}
