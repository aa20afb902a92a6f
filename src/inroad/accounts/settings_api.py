"""REST routes for member settings (API.md "GET/PATCH /api/v1/me/settings")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StrictBool

from inroad.accounts import settings
from inroad.api.deps import ActorDep, ServicesDep

router = APIRouter(prefix="/api/v1", tags=["settings"])


class SettingsPatch(BaseModel):
    """Any subset of the settings. Choices are plain strings here on purpose: the service answers
    a value outside them, or an unknown setting, with ``invalid_setting``/``unknown_setting``."""

    model_config = ConfigDict(extra="allow")

    invitations_from: str | None = None
    allow_inmail: StrictBool | None = None
    open_profile: StrictBool | None = None
    read_receipts: StrictBool | None = None
    email_notifications: str | None = None


@router.get("/me/settings")
async def get_settings(actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await settings.get_settings(svc, actor)


@router.patch("/me/settings")
async def update_settings(body: SettingsPatch, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await settings.do_update_settings(svc, actor, body.model_dump(exclude_unset=True))
