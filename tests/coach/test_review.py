"""Issue rules, length counting and input validation."""

import pytest

from inroad.coach import review, shared_context_issue

JOB_ASK = "Hi Ben, is your team hiring data analysts? Could you refer me?"


def codes(text: str, **kwargs: object) -> list[str]:
    return [i.code for i in review(text, **kwargs).issues]  # type: ignore[arg-type]


def test_job_ask_warned_only_in_first_message() -> None:
    assert "job_ask" in codes(JOB_ASK, channel="dm", first_message=True)
    later = review(JOB_ASK, channel="dm", first_message=False)
    assert later.labels["job_ask"]
    assert "job_ask" not in [i.code for i in later.issues]


def test_romantic_always_warned() -> None:
    text = "You have beautiful eyes. Dinner Friday?"
    for first in (True, False):
        issue = next(i for i in review(text, channel="dm", first_message=first).issues)
        assert (issue.code, issue.severity) == ("romantic", "warning")


def test_missing_call_to_action_is_a_suggestion() -> None:
    result = review("Congrats on the new role, Amir.", channel="dm")
    assert [(i.code, i.severity) for i in result.issues] == [("no_call_to_action", "suggestion")]


def test_lengthy_inmail_message_mentions_the_channel() -> None:
    text = "\n\n".join(["This paragraph explains one more part of my long story here."] * 4)
    issue = next(i for i in review(text, channel="inmail").issues if i.code == "lengthy")
    assert "InMail" in issue.message


def test_review_never_raises_shared_context_or_profile_issues() -> None:
    issues = codes("Hello.", channel="dm")
    assert "no_shared_context" not in issues and "profile_incomplete" not in issues
    assert shared_context_issue().severity == "suggestion"


def test_length_counts_code_points_words_paragraphs() -> None:
    length = review("Hi 👋🏽 there\n\n \n\nSecond  para\nsame para", channel="dm").length
    assert (length.chars, length.words, length.paragraphs) == (38, 7, 2)
    empty = review("", channel="dm").length
    assert (empty.chars, empty.words, empty.paragraphs) == (0, 0, 0)


def test_to_dict_has_the_api_shape() -> None:
    doc = review("Coffee next week?", channel="dm").to_dict()
    assert set(doc) == {"labels", "issues", "length"}
    assert set(doc["length"]) == {"chars", "words", "paragraphs"}


def test_invalid_channel() -> None:
    with pytest.raises(ValueError, match="channel"):
        review("Hi", channel="email")
