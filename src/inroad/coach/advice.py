"""The coach's wording: one friendly, actionable sentence per issue code."""

from __future__ import annotations

from inroad.coach.text import INVITE_NOTE_MAX_CHARS, SEND_LIMITS, SUBJECT_LIMIT

_CHANNEL_LENGTH_ADVICE = {
    "inmail": (
        "InMails under 400 characters get 22% more replies than average, and ones over 1,200 get "
        "11% fewer; trim this to the one point you most want answered."
    ),
    "dm": (
        "This direct message is long; a few short sentences are easier to answer on a phone, so "
        "keep the key ask and save the detail for a call."
    ),
    "invite_note": (
        f"Invitation notes are cut off at {INVITE_NOTE_MAX_CHARS} characters; keep it to who you "
        "are and why you'd like to connect."
    ),
}

MESSAGES = {
    "job_ask": (
        "Asking a new contact for a job or referral in your first message rarely lands; start a "
        "conversation about their work first and ask for advice before a referral."
    ),
    "sales_pitch": (
        "Opening with a pitch tends to get ignored; lead with something specific about them and "
        "ask a question before you mention what you sell."
    ),
    "romantic": (
        "Inroad is a professional network, not a dating service: keep comments on looks, "
        "flirting and date invitations out of your messages."
    ),
    "no_call_to_action": (
        "Give them an easy next step, such as a question to answer or a specific time to talk, so "
        "they know how to reply."
    ),
    "no_shared_context": (
        "Mention something you share, like a mutual connection, school, employer or interest; "
        "messages with common ground get more replies."
    ),
}


def lengthy_message(channel: str) -> str:
    """Advice for a message that is too long for ``channel`` (one of ``text.CHANNELS``)."""
    return _CHANNEL_LENGTH_ADVICE[channel]


_CHANNEL_NAMES = {"dm": "Messages", "inmail": "InMails", "invite_note": "Invitation notes"}

# What to do about each missing profile-strength item (inroad.profiles.strength.ITEMS).
PROFILE_STEPS = {
    "photo": "add a photo",
    "headline": "write a headline",
    "about": "write an about section",
    "industry": "add your industry",
    "location": "add your location",
    "current_position": "describe your current position",
    "past_positions": "add two past positions",
    "education": "add your education",
    "skills": "list at least 5 skills",
    "connections": "reach 50 connections",
}


def over_limit_message(channel: str, chars: int, subject_chars: int | None) -> str | None:
    """Why the send would be refused (text or InMail subject over its limit), else None."""
    problems = []
    limit = SEND_LIMITS[channel]
    if chars > limit:
        problems.append(
            f"{_CHANNEL_NAMES[channel]} can be at most {limit:,} characters and this one is "
            f"{chars:,}: cut {chars - limit:,} before sending"
        )
    if subject_chars is not None and subject_chars > SUBJECT_LIMIT:
        problems.append(
            f"the subject can be at most {SUBJECT_LIMIT} characters and is {subject_chars}"
        )
    if not problems:
        return None
    text = "; ".join(problems) + "."
    return text[0].upper() + text[1:]


def profile_incomplete_message(level: str, score: int, missing: list[str]) -> str:
    """Tell the sender how far their profile is from All-Star and what to add, in checklist
    order. ``missing`` holds profile-strength item names."""
    steps = [PROFILE_STEPS.get(item, item.replace("_", " ")) for item in missing]
    listed = steps[0] if len(steps) == 1 else f"{', '.join(steps[:-1])} and {steps[-1]}"
    shown = level.replace("_", "-").title()
    return (
        f"Your profile is {shown} ({score}/10). People you write to see its strength, and "
        f"complete profiles get more replies: {listed}."
    )
