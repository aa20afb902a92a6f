"""The JSON shapes of API.md "Messaging": Message, Conversation, attachments, reactions; id and
cursor parsing. Pure functions over rows: no SQL here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from inroad.errors import InvalidInput, NotFound
from inroad.messaging.tables import messages
from inroad.profiles.views import MEMBER_COLUMNS, member_view

# Ids are BIGINT: anything that is not 1–18 digits cannot name a row (and must not reach the
# database as an out-of-range integer).
_MAX_ID_DIGITS = 18

MESSAGE_COLUMNS = (
    messages.c.id,
    messages.c.conversation_id,
    messages.c.sender_id,
    messages.c.client_id,
    messages.c.text,
    messages.c.subject,
    messages.c.attachments,
    messages.c.created_at,
    messages.c.edited_at,
    messages.c.deleted_at,
)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 UTC with a ``Z``, e.g. ``2026-01-15T12:00:00Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_id(raw: str | int) -> int:
    """An id from a path or body; anything that cannot be one is simply not found."""
    text = str(raw)
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_ID_DIGITS:
        raise NotFound()
    return int(text)


def parse_cursor(raw: str | None) -> int | None:
    """A list cursor (an id); malformed → 422 ``invalid_cursor``."""
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > _MAX_ID_DIGITS:
        raise InvalidInput(
            "invalid_cursor", "That cursor is not valid; use next_cursor from a list."
        )
    return int(raw)


def labelled_member_columns(table: sa.FromClause, prefix: str) -> list[sa.Label[Any]]:
    """MEMBER_COLUMNS taken from an alias of ``members`` and labelled ``<prefix><name>``."""
    return [table.c[c.name].label(prefix + c.name) for c in MEMBER_COLUMNS]


def unprefix(row: Mapping[Any, Any], prefix: str) -> dict[str, Any]:
    return {c.name: row[prefix + c.name] for c in MEMBER_COLUMNS}


def attachment_view(item: Mapping[Any, Any]) -> dict[str, Any]:
    upload_id = str(item["id"])
    return {
        "id": upload_id,
        "name": item["name"],
        "size": item["size"],
        "content_type": item["content_type"],
        "url": f"/api/v1/uploads/{upload_id}",
    }


def reactions_view(pairs: Sequence[tuple[str, int]], viewer: int) -> list[dict[str, Any]]:
    """``[(emoji, member_id)]`` in reaction order → ``[{emoji, count, mine}]`` by first use."""
    summary: dict[str, dict[str, Any]] = {}
    for emoji, member_id in pairs:
        entry = summary.setdefault(emoji, {"emoji": emoji, "count": 0, "mine": False})
        entry["count"] += 1
        if member_id == viewer:
            entry["mine"] = True
    return list(summary.values())


def message_view(
    row: Mapping[Any, Any], sender: Mapping[Any, Any], reactions: list[dict[str, Any]]
) -> dict[str, Any]:
    """A Message. ``row`` has MESSAGE_COLUMNS; ``sender`` is a Member view. A tombstone has
    ``text: null``, ``deleted: true`` and no attachments or reactions."""
    deleted = row["deleted_at"] is not None
    view: dict[str, Any] = {
        "id": str(row["id"]),
        "conversation_id": str(row["conversation_id"]),
        "sender": sender,
        "text": None if deleted else row["text"],
        "created_at": iso(row["created_at"]),
        "edited_at": iso(row["edited_at"]),
        "deleted": deleted,
        "reactions": [] if deleted else reactions,
        "attachments": [] if deleted else [attachment_view(a) for a in row["attachments"] or ()],
        "client_id": row["client_id"],
    }
    if row["subject"] is not None:
        view["subject"] = row["subject"]
    return view


def participant_views(
    rows: Iterable[Mapping[Any, Any]], viewer: int, degrees: Mapping[int, tuple[int | None, int]]
) -> list[dict[str, Any]]:
    """Member views of participants; others carry ``degree`` and ``mutual_connections``."""
    views = []
    for row in rows:
        member_id = row["id"]
        if member_id == viewer:
            views.append(member_view(row))
        else:
            degree, mutual = degrees.get(member_id, (None, 0))
            views.append(
                member_view(row, degree=degree, mutual_connections=mutual, seen_by_other=True)
            )
    return views


def state_fields(folder: str, unread_count: int, muted: bool) -> dict[str, Any]:
    """The per-member part of a Conversation."""
    return {
        "unread_count": unread_count,
        "folder": folder,
        "muted": muted,
        "archived": folder == "archived",
    }
