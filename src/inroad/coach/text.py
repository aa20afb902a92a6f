"""Measuring a message: the length figures the API reports and the ``lengthy`` rule.

``lengthy`` is a fixed rule, not a learned weight, because the data README defines it by
measurable limits; the thresholds below were checked against the dev set (see docs/coach.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHANNELS: tuple[str, ...] = ("dm", "inmail", "invite_note")

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")

# An invitation note is cut off by LinkedIn-style clients at 300 characters.
INVITE_NOTE_MAX_CHARS = 300
# What each channel accepts at send time (PRODUCT.md §2–§4: note 300, InMail body 1,900 and
# subject 200, message 8,000 code points). The coach only warns; the send endpoints refuse.
SEND_LIMITS = {"dm": 8_000, "inmail": 1_900, "invite_note": INVITE_NOTE_MAX_CHARS}
SUBJECT_LIMIT = 200
# "Well past ~120 words": every dev message over 150 words is labelled lengthy, every one under
# 90 is not; 150 leaves room for a dense but single-topic message.
LENGTHY_WORDS = 150
LENGTHY_PARAGRAPHS = 3
# A greeting ("Hi Jess,") or a sign-off ("Best,\nMaría") is a block of its own but not a
# paragraph a reader has to wade through, so only blocks of this many words count for the rule.
_SUBSTANTIVE_WORDS = 6


@dataclass(frozen=True, slots=True)
class Length:
    """``chars`` = Unicode code points, ``words`` = whitespace-separated tokens,
    ``paragraphs`` = non-blank blocks separated by blank lines (0 for blank text)."""

    chars: int
    words: int
    paragraphs: int

    def to_dict(self) -> dict[str, int]:
        return {"chars": self.chars, "words": self.words, "paragraphs": self.paragraphs}


def _blocks(text: str) -> list[str]:
    return [block for block in _BLANK_LINE.split(text) if block.strip()]


def measure(text: str) -> Length:
    """Count code points, whitespace tokens and blank-line-separated blocks of ``text``."""
    return Length(chars=len(text), words=len(text.split()), paragraphs=len(_blocks(text)))


def check_channel(channel: str) -> None:
    """Raise ``ValueError`` unless ``channel`` is one of ``CHANNELS``."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}; got {channel!r}")


def is_lengthy(text: str, channel: str) -> bool:
    """True when ``text`` is long-winded for ``channel``: an invitation note over 300 characters,
    three or more substantive paragraphs, or more than 150 words."""
    if channel == "invite_note" and len(text) > INVITE_NOTE_MAX_CHARS:
        return True
    substantive = [b for b in _blocks(text) if len(b.split()) >= _SUBSTANTIVE_WORDS]
    return len(substantive) >= LENGTHY_PARAGRAPHS or len(text.split()) > LENGTHY_WORDS
