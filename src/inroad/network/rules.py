"""The network's fixed rules and vocabularies (PRODUCT.md §2). Configurable numbers live in
``Settings``; these are fixed by the product."""

from __future__ import annotations

# At most this many connections per member (fixed): beyond it a member can no longer send or
# accept invitations.
CONNECTION_CAP = 30_000
NOTE_MAX = 300
ORGANIZATION_MAX = 200
REPORT_DETAIL_MAX = 2_000

RELATIONS = ("colleague", "classmate", "business", "friend", "other")
# "How do you know each other?" answers that must name the company or school.
RELATIONS_NEEDING_ORGANIZATION = frozenset({"colleague", "classmate"})
INVITATIONS_FROM = ("everyone", "email_required", "mutual_only")
REPORT_REASONS = ("spam", "scam", "harassment", "inappropriate", "other")

# Invitation statuses as stored. ``expired`` is also derived from the clock for pending rows.
PENDING = "pending"
ACCEPTED = "accepted"
IGNORED = "ignored"
WITHDRAWN = "withdrawn"
REJECTED = "rejected"
EXPIRED = "expired"
# Rows the sender still sees as pending: the recipient's ignore and "I don't know" are silent.
SENDER_PENDING = (PENDING, IGNORED, REJECTED)


def is_premium(plan: str) -> bool:
    """Every plan except ``free`` is a premium plan (unlimited invitation notes)."""
    return plan != "free"
