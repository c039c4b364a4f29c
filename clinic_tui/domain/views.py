"""A pupil's views as recorded in a meeting."""

from __future__ import annotations

from dataclasses import dataclass

from clinic_tui.domain.checks import InvalidValue, optional_text
from clinic_tui.domain.serialisation import DictReader, converted


@dataclass(frozen=True)
class PupilViews:
    """A pupil's views in their own words, or why they could not be captured.

    Exactly one form is filled in: ``words``, or all three of
    ``not_captured_reason``, ``capture_plan`` (how the views will be gathered)
    and ``capture_by`` (who will gather them).
    """

    words: str = ""
    not_captured_reason: str = ""
    capture_plan: str = ""
    capture_by: str = ""

    def __post_init__(self) -> None:
        for name in ("words", "not_captured_reason", "capture_plan", "capture_by"):
            optional_text(getattr(self, name), name.replace("_", " "))

        fallback = (self.not_captured_reason, self.capture_plan, self.capture_by)
        if self.words.strip():
            if any(part.strip() for part in fallback):
                raise InvalidValue(
                    "pupil views have both the pupil's words and a reason they were not "
                    "captured. Keep only one."
                )
            return

        if not all(part.strip() for part in fallback):
            raise InvalidValue(
                "pupil views are incomplete. Record the pupil's words, or record why they "
                "could not be captured, how they will be gathered and by whom."
            )

    @classmethod
    def in_own_words(cls, words: str) -> PupilViews:
        return cls(words=words)

    @classmethod
    def not_captured(cls, reason: str, capture_plan: str, capture_by: str) -> PupilViews:
        """Record why the views could not be captured, how they will be gathered and by whom."""
        return cls(not_captured_reason=reason, capture_plan=capture_plan, capture_by=capture_by)

    @property
    def captured(self) -> bool:
        return bool(self.words.strip())

    def to_dict(self) -> dict[str, object]:
        return {
            "words": self.words,
            "not_captured_reason": self.not_captured_reason,
            "capture_plan": self.capture_plan,
            "capture_by": self.capture_by,
        }

    @classmethod
    def from_dict(cls, data: object, path: str) -> PupilViews:
        keys = ("words", "not_captured_reason", "capture_plan", "capture_by")
        reader = DictReader(data, path, keys)
        try:
            return cls(**{key: reader.text(key) for key in keys})
        except InvalidValue as error:
            raise converted(path, error) from None
