"""The message coach (PRODUCT.md §5): labels a draft message and says what to improve.

``review(text, channel=..., first_message=...)`` is pure, offline and fast; it reads the small
``model.json`` artefact built by ``scripts/train_coach.py`` and imports nothing heavier than the
standard library.
"""

from inroad.coach.dataset import LABELS
from inroad.coach.review import Issue, Review, profile_issue, review, shared_context_issue
from inroad.coach.text import CHANNELS, Length

__all__ = ["CHANNELS", "LABELS", "Issue", "Length", "Review", "profile_issue", "review",
           "shared_context_issue"]
