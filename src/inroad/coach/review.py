"""``review()``: the coach's verdict on one draft message."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from inroad.coach.advice import (
    MESSAGES,
    lengthy_message,
    over_limit_message,
    profile_incomplete_message,
)
from inroad.coach.labeller import predict_labels
from inroad.coach.model import LabelModel, load
from inroad.coach.text import Length, check_channel, is_lengthy, measure

Severity = Literal["warning", "suggestion"]


@dataclass(frozen=True, slots=True)
class Issue:
    """``missing`` is set on ``profile_incomplete`` only: the profile-strength items to add."""

    code: str
    severity: Severity
    message: str
    missing: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "code": self.code, "severity": self.severity, "message": self.message
        }
        if self.missing is not None:
            doc["missing"] = list(self.missing)
        return doc


@dataclass(frozen=True, slots=True)
class Review:
    """``labels`` has exactly the six keys of ``dataset.LABELS``; ``issues`` are in the order
    over_limit, job_ask, sales_pitch, romantic, lengthy, no_call_to_action."""

    labels: dict[str, bool]
    issues: list[Issue] = field(default_factory=list)
    length: Length = field(default_factory=lambda: Length(0, 0, 0))

    def to_dict(self) -> dict[str, Any]:
        """The API shape without ``shared_context`` (the API layer adds that list)."""
        return {
            "labels": dict(self.labels),
            "issues": [issue.to_dict() for issue in self.issues],
            "length": self.length.to_dict(),
        }


@lru_cache(maxsize=1)
def _model() -> dict[str, LabelModel]:
    return load()


def review(
    text: str, *, channel: str, first_message: bool = True, subject: str | None = None
) -> Review:
    """Label ``text`` and list what to improve. Pure and offline; raises ``ValueError`` for a
    channel other than ``dm``, ``inmail`` or ``invite_note``.

    Labels describe the text alone. ``job_ask`` and ``sales_pitch`` issues are raised only for a
    first message, ``romantic`` and ``lengthy`` always, ``no_call_to_action`` when the message has
    no next step, and ``over_limit`` (a warning; the coach never blocks) when the text or the
    subject is longer than the channel accepts. ``review`` never raises ``no_shared_context`` or
    ``profile_incomplete``: both need the recipient's and sender's profiles, so the API layer adds
    them (``shared_context_issue()``, ``profile_issue()``).

    ``subject`` (InMail) is read with the body, since a subject line can carry the ask.
    """
    check_channel(channel)
    body = text if not subject else f"{subject}\n{text}"
    labels = predict_labels(body, channel, _model())
    # Length (label and figures) is about the body the recipient reads, not the subject line.
    labels["lengthy"] = is_lengthy(text, channel)
    issues = _issues(labels, channel, first_message)
    limit = over_limit_message(channel, len(text), len(subject) if subject is not None else None)
    if limit is not None:
        issues.insert(0, Issue("over_limit", "warning", limit))
    return Review(labels=labels, issues=issues, length=measure(text))


def _issues(labels: dict[str, bool], channel: str, first_message: bool) -> list[Issue]:
    issues: list[Issue] = []
    for code in ("job_ask", "sales_pitch"):
        if labels[code] and first_message:
            issues.append(Issue(code, "warning", MESSAGES[code]))
    if labels["romantic"]:
        issues.append(Issue("romantic", "warning", MESSAGES["romantic"]))
    if labels["lengthy"]:
        issues.append(Issue("lengthy", "warning", lengthy_message(channel)))
    if not labels["call_to_action"]:
        issues.append(Issue("no_call_to_action", "suggestion", MESSAGES["no_call_to_action"]))
    return issues


def profile_issue(level: str, score: int, missing: list[str]) -> Issue:
    """The ``profile_incomplete`` warning for a sender below All-Star, saying what is missing
    (``missing``: profile-strength item names, in checklist order)."""
    return Issue(
        "profile_incomplete",
        "warning",
        profile_incomplete_message(level, score, missing),
        missing=tuple(missing),
    )


def shared_context_issue() -> Issue:
    """The ``no_shared_context`` suggestion, for the API layer to append when a recipient is given,
    the data holds shared context and ``Review.labels["shared_context"]`` is false."""
    return Issue("no_shared_context", "suggestion", MESSAGES["no_shared_context"])
