"""The ``Member`` shape every endpoint returns (API.md "Accounts")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.profiles.strength import level_for, score_of

# The columns a Member view needs; select these, not whole rows, on list paths.
MEMBER_COLUMNS = (
    members.c.id,
    members.c.handle,
    members.c.name,
    members.c.headline,
    members.c.photo_key,
    members.c.location,
    members.c.industry,
    members.c.profile_points,
    members.c.connection_count,
    members.c.deleted_at,
)

FORMER_MEMBER = "Former member"


def photo_url(photo_key: str | None, *, thumb: bool = False) -> str | None:
    if photo_key is None:
        return None
    return f"/media/photos/{photo_key}{'-thumb' if thumb else ''}.jpg"


def member_view(
    row: Mapping[Any, Any],
    *,
    degree: int | None = None,
    mutual_connections: int | None = None,
    seen_by_other: bool = False,
) -> dict[str, Any]:
    """A Member. ``seen_by_other`` adds ``degree`` and ``mutual_connections`` (API.md)."""
    if row["deleted_at"] is not None:
        return {
            "handle": None,
            "name": FORMER_MEMBER,
            "headline": "",
            "photo_url": None,
            "photo_thumb_url": None,
            "location": "",
            "industry": "",
            "strength_level": None,
        }
    view: dict[str, Any] = {
        "handle": row["handle"],
        "name": row["name"],
        "headline": row["headline"],
        "photo_url": photo_url(row["photo_key"]),
        # Added to the contract's Member: the 160 px square, for avatars in lists.
        "photo_thumb_url": photo_url(row["photo_key"], thumb=True),
        "location": row["location"],
        "industry": row["industry"],
        "strength_level": level_for(score_of(row["profile_points"], row["connection_count"])),
    }
    if seen_by_other:
        view["degree"] = degree
        view["mutual_connections"] = mutual_connections or 0
    return view


def member_columns_select() -> sa.Select[Any]:
    return sa.select(*MEMBER_COLUMNS)
