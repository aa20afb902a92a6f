"""Who is making a request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    id: int
    handle: str
    name: str
    plan: str
    is_operator: bool
    token_id: int
