"""The rating tablet facing the visitor at a desk (``frontdesk feedback --desk N``)."""

from frontdesk.tui.feedback.app import FeedbackApp

__all__ = ["FeedbackApp"]
