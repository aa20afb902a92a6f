"""REST routes for profiles and people search (API.md "Profiles and search")."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["profiles"])
