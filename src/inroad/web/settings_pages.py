"""Settings: account details, preferences, and deleting the account."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from inroad.accounts import actions
from inroad.accounts import settings as account_settings
from inroad.accounts.actor import Actor
from inroad.api.deps import ServicesDep
from inroad.errors import InroadError
from inroad.profiles import queries
from inroad.services import Services
from inroad.web.shell import CsrfDep, WebActorDep, end_session, redirect, render

router = APIRouter(include_in_schema=False)

OptionalField = Annotated[str | None, Form()]


async def _settings_page(
    request: Request,
    svc: Services,
    actor: Actor,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    mine = await queries.me(svc, actor)
    context = {
        "nav": "settings",
        "member": mine["member"],
        "plan": mine["plan"],
        "settings": mine["settings"],
        "choices": account_settings.CHOICES,
        **(extra or {}),
    }
    return await render(request, "settings.html", context, status=status)


@router.get("/settings")
async def settings_page(request: Request, svc: ServicesDep, actor: WebActorDep) -> HTMLResponse:
    return await _settings_page(request, svc, actor)


@router.post("/settings")
async def update_settings(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    invitations_from: OptionalField = None,
    email_notifications: OptionalField = None,
    allow_inmail: OptionalField = None,
    open_profile: OptionalField = None,
    read_receipts: OptionalField = None,
) -> Response:
    """The form always carries every setting: a checkbox left unticked is sent as nothing."""
    changes: dict[str, Any] = {
        "invitations_from": invitations_from or "",
        "email_notifications": email_notifications or "",
        "allow_inmail": allow_inmail is not None,
        "open_profile": open_profile is not None,
        "read_receipts": read_receipts is not None,
    }
    try:
        await account_settings.do_update_settings(svc, actor, changes)
    except InroadError as exc:
        extra = {"settings_error": exc.message, "submitted": changes}
        return await _settings_page(request, svc, actor, extra, status=exc.status)
    return redirect("/settings", notice="Your settings were saved.")


@router.post("/settings/delete-account")
async def delete_account(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        await actions.do_delete_account(svc, actor, password)
    except InroadError as exc:
        return await _settings_page(
            request, svc, actor, {"delete_error": exc.message}, status=exc.status
        )
    response = redirect("/", notice="Your account has been deleted.")
    end_session(response)
    return response
