"""Organisation pages: the directory, creating a page, one organisation (follow, and for its
admins: edit, logo, recruiter seats, admins)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from inroad.accounts.actor import Actor
from inroad.api.deps import ServicesDep
from inroad.errors import InroadError
from inroad.premium import orgs
from inroad.profiles import photos
from inroad.services import Services
from inroad.web.shell import CsrfDep, WebActorDep, act, redirect, render

router = APIRouter(include_in_schema=False)

TextField = Annotated[str, Form()]
KIND_LABELS = {"company": "Company", "university": "University"}


async def _directory(
    request: Request,
    svc: Services,
    *,
    q: str = "",
    cursor: str | None = None,
    form: dict[str, str] | None = None,
    error: InroadError | None = None,
) -> HTMLResponse:
    page = await orgs.list_orgs(svc, q=q[:200], cursor=cursor, limit=30)
    more = None
    if page["next_cursor"]:
        more = "/org?" + urlencode({"q": q, "cursor": page["next_cursor"]})
    context = {
        "nav": "premium",
        "items": page["items"],
        "q": q,
        "more": more,
        "KIND_LABELS": KIND_LABELS,
        "form": form or {"name": "", "kind": "company", "description": ""},
        "error": error.message if error else None,
        "NAME_LIMIT": orgs.MAX_NAME,
        "DESCRIPTION_LIMIT": orgs.MAX_DESCRIPTION,
    }
    return await render(request, "org/index.html", context, status=error.status if error else 200)


@router.get("/org")
async def directory(
    request: Request, svc: ServicesDep, _actor: WebActorDep, q: str = "", cursor: str | None = None
) -> HTMLResponse:
    return await _directory(request, svc, q=q, cursor=cursor)


@router.post("/org")
async def create(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    name: TextField = "",
    kind: TextField = "company",
    description: TextField = "",
) -> Response:
    try:
        slug = await orgs.do_create_org(svc, actor, name=name, kind=kind, description=description)
    except InroadError as exc:
        form = {"name": name, "kind": kind, "description": description}
        return await _directory(request, svc, form=form, error=exc)
    return redirect(f"/org/{slug}", notice="Your organisation page is ready.")


async def _org_page(
    request: Request, svc: Services, actor: Actor, slug: str, error: InroadError | None = None
) -> HTMLResponse:
    org = await orgs.org_view(svc, actor, slug)
    context = {
        "nav": "premium",
        "org": org,
        "KIND_LABELS": KIND_LABELS,
        "error": error.message if error else None,
        "NAME_LIMIT": orgs.MAX_NAME,
        "DESCRIPTION_LIMIT": orgs.MAX_DESCRIPTION,
        "LOGO_LIMIT_MIB": photos.MAX_PHOTO_BYTES // (1024 * 1024),
    }
    return await render(request, "org/page.html", context, status=error.status if error else 200)


@router.get("/org/{slug}")
async def org_page(
    request: Request, svc: ServicesDep, actor: WebActorDep, slug: str
) -> HTMLResponse:
    return await _org_page(request, svc, actor, slug)


async def _act(
    request: Request,
    svc: Services,
    actor: Actor,
    slug: str,
    action: Callable[[], Awaitable[None]],
    notice: str,
) -> Response:
    """Run an admin action; on a refusal show the page again with the reason."""

    async def show_again(error: InroadError) -> Response:
        return await _org_page(request, svc, actor, slug, error=error)

    return await act(action, f"/org/{slug}", notice=notice, refused=show_again)


@router.post("/org/{slug}/follow")
async def follow(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    slug: str,
    follow: TextField = "true",
) -> Response:
    yes = follow == "true"
    return await _act(
        request,
        svc,
        actor,
        slug,
        lambda: orgs.do_follow(svc, actor, slug, follow=yes),
        "You follow this organisation." if yes else "You no longer follow this organisation.",
    )


@router.post("/org/{slug}/edit")
async def edit(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    slug: str,
    name: TextField = "",
    description: TextField = "",
) -> Response:
    return await _act(
        request,
        svc,
        actor,
        slug,
        lambda: orgs.do_update_org(svc, actor, slug, name=name, description=description),
        "Saved.",
    )


@router.post("/org/{slug}/logo")
async def logo(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    slug: str,
    file: Annotated[UploadFile, File()],
) -> Response:
    data = await file.read(photos.MAX_PHOTO_BYTES + 1)
    return await _act(
        request, svc, actor, slug, lambda: orgs.do_set_logo(svc, actor, slug, data), "Logo updated."
    )


@router.post("/org/{slug}/seats")
async def add_seat(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    slug: str,
    handle: TextField = "",
) -> Response:
    handle = handle.strip().lstrip("@").lower()
    return await _act(
        request,
        svc,
        actor,
        slug,
        lambda: orgs.do_add_seat(svc, actor, slug, handle),
        f"{handle} now has a recruiter seat.",
    )


@router.post("/org/{slug}/seats/{handle}/remove")
async def remove_seat(
    request: Request, svc: ServicesDep, actor: WebActorDep, _: CsrfDep, slug: str, handle: str
) -> Response:
    return await _act(
        request,
        svc,
        actor,
        slug,
        lambda: orgs.do_remove_seat(svc, actor, slug, handle),
        f"{handle}'s seat was removed.",
    )


@router.post("/org/{slug}/admins")
async def add_admin(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    slug: str,
    handle: TextField = "",
) -> Response:
    handle = handle.strip().lstrip("@").lower()
    return await _act(
        request,
        svc,
        actor,
        slug,
        lambda: orgs.do_add_admin(svc, actor, slug, handle),
        f"{handle} is now an admin.",
    )


@router.post("/org/{slug}/admins/{handle}/remove")
async def remove_admin(
    request: Request, svc: ServicesDep, actor: WebActorDep, _: CsrfDep, slug: str, handle: str
) -> Response:
    return await _act(
        request,
        svc,
        actor,
        slug,
        lambda: orgs.do_remove_admin(svc, actor, slug, handle),
        f"{handle} is no longer an admin.",
    )
