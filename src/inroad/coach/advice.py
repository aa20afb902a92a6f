"""The coach's wording: one friendly, actionable sentence per issue code."""

from __future__ import annotations

from inroad.coach.text import INVITE_NOTE_MAX_CHARS

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
