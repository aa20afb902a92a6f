"""Profile pages: viewing ``/in/{handle}`` and editing one's own profile section by section.

Every form posts to its own handler, which calls the same action as the API; a refused change
re-renders the edit page with the message beside the section and what was typed kept.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from inroad.accounts.actor import Actor
from inroad.api.deps import ServicesDep
from inroad.errors import InroadError, InvalidInput
from inroad.network import queries as network_queries
from inroad.profiles import actions, photos, queries
from inroad.services import Services
from inroad.web.shell import CsrfDep, OptionalWebActorDep, WebActorDep, act, redirect, render

router = APIRouter(include_in_schema=False)

OptionalField = Annotated[str | None, Form()]
MUTUALS_SHOWN = 3


def split_tags(text: str | None) -> list[str]:
    """Skills or interests separated by commas or new lines; the service trims and dedupes."""
    return re.split(r"[,\n]", text or "")


def _this_month(svc: Services) -> str:
    return svc.clock.now().strftime("%Y-%m")


def _year(text: str | None, field: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit():
        raise InvalidInput(
            "invalid_year", "Years are written with four digits, like 2015.", field=field
        )
    return int(text)


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def _duration(start: str, end: str) -> str:
    """Inclusive span of months, LinkedIn style: "2 yrs 3 mos", "1 yr", "5 mos"."""
    (y1, m1), (y2, m2) = (map(int, start.split("-")), map(int, end.split("-")))
    months = max(1, (y2 - y1) * 12 + (m2 - m1) + 1)
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} yr{'s' if years > 1 else ''}")
    if rest:
        parts.append(f"{rest} mo{'s' if rest > 1 else ''}")
    return " ".join(parts)


def with_periods(profile: dict[str, Any], today: str) -> dict[str, Any]:
    """Add display strings: ``period`` and ``duration`` to positions, ``period`` to education."""
    for p in profile["positions"]:
        end = p["end"] or today
        p["period"] = (
            f"{_month_label(p['start'])} – {_month_label(p['end']) if p['end'] else 'Present'}"
        )
        p["duration"] = _duration(p["start"], end) if end >= p["start"] else ""
    for e in profile["education"]:
        years = [str(y) for y in (e["start_year"], e["end_year"]) if y is not None]
        e["period"] = " – ".join(years)
    return profile


@router.get("/in/{handle}")
async def profile_page(
    request: Request, handle: str, svc: ServicesDep, actor: OptionalWebActorDep
) -> HTMLResponse:
    viewer = actor.id if actor else None
    profile = with_periods(await queries.profile(svc, viewer, handle), _this_month(svc))
    mutuals: dict[str, Any] = {"items": [], "next_cursor": None}
    if actor is not None and not profile["is_me"] and profile.get("mutual_connections"):
        mutuals = await queries.mutual_connections(
            svc, actor, handle, cursor=None, limit=MUTUALS_SHOWN
        )
    return await render(
        request,
        "profile/view.html",
        {"profile": profile, "mutuals": mutuals["items"], "nav": None,
         "relationship": await network_queries.relationship_for_handle(svc, actor, handle)
         if actor is not None and not profile["is_me"] else None},
    )


async def _edit_page(
    request: Request,
    svc: Services,
    actor: Actor,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    profile = with_periods(await queries.own_profile(svc, actor.id), _this_month(svc))
    context = {
        "profile": profile,
        "errors": errors or {},
        "form": form or {},
        "limits": {**actions.PROFILE_LIMITS, **actions.POSITION_LIMITS, **actions.EDUCATION_LIMITS},
        "max_skills": actions.MAX_SKILLS,
        "max_interests": actions.MAX_INTERESTS,
        "max_photo_mib": photos.MAX_PHOTO_BYTES // (1024 * 1024),
        "skills_text": ", ".join(profile["skills"]),
        "interests_text": ", ".join(profile["interests"]),
    }
    return await render(request, "profile/edit.html", context, status=status)


@router.get("/profile/edit")
async def edit_page(request: Request, svc: ServicesDep, actor: WebActorDep) -> HTMLResponse:
    return await _edit_page(request, svc, actor)


async def _save(
    request: Request,
    svc: Services,
    actor: Actor,
    section: str,
    submitted: dict[str, Any],
    change: Callable[[], Awaitable[object]],
    notice: str,
) -> Response:
    """Run ``change``; on a refusal show the edit page again with the message at ``section``."""

    async def show_again(error: InroadError) -> Response:
        return await _edit_page(
            request,
            svc,
            actor,
            errors={section: error.message},
            form={section: submitted},
            status=error.status,
        )

    return await act(change, f"/profile/edit#{section}", notice=notice, refused=show_again)


@router.post("/profile/intro")
async def save_intro(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    name: OptionalField = None,
    headline: OptionalField = None,
    industry: OptionalField = None,
    location: OptionalField = None,
    postal_code: OptionalField = None,
    interests: OptionalField = None,
    open_to_work: OptionalField = None,
) -> Response:
    submitted = {
        "name": name or "",
        "headline": headline or "",
        "industry": industry or "",
        "location": location or "",
        "postal_code": postal_code or "",
        "interests": interests or "",
        "open_to_work": open_to_work is not None,
    }
    changes = {**submitted, "interests": split_tags(interests)}
    return await _save(
        request,
        svc,
        actor,
        "intro",
        submitted,
        lambda: actions.do_update_profile(svc, actor, changes),
        "Your intro was saved.",
    )


@router.post("/profile/about")
async def save_about(
    request: Request, svc: ServicesDep, actor: WebActorDep, _: CsrfDep, about: OptionalField = None
) -> Response:
    submitted = {"about": about or ""}
    return await _save(
        request,
        svc,
        actor,
        "about",
        submitted,
        lambda: actions.do_update_profile(svc, actor, submitted),
        "Your about section was saved.",
    )


@router.post("/profile/positions")
async def add_position(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    company: OptionalField = None,
    title: OptionalField = None,
    description: OptionalField = None,
    location: OptionalField = None,
    start: OptionalField = None,
    end: OptionalField = None,
) -> Response:
    submitted = {
        "company": company or "",
        "title": title or "",
        "description": description or "",
        "location": location or "",
        "start": (start or "").strip(),
        "end": (end or "").strip(),
    }
    data = {**submitted, "end": submitted["end"] or None}
    return await _save(
        request,
        svc,
        actor,
        "experience",
        submitted,
        lambda: actions.do_add_position(svc, actor, data),
        "Position added.",
    )


@router.post("/profile/positions/{position_id}/delete")
async def delete_position(
    request: Request, position_id: str, svc: ServicesDep, actor: WebActorDep, _: CsrfDep
) -> Response:
    await actions.do_delete_position(svc, actor, position_id)
    return redirect("/profile/edit#experience", notice="Position removed.")


@router.post("/profile/education")
async def add_education(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    school: OptionalField = None,
    degree: OptionalField = None,
    field: OptionalField = None,
    start_year: OptionalField = None,
    end_year: OptionalField = None,
) -> Response:
    submitted = {
        "school": school or "",
        "degree": degree or "",
        "field": field or "",
        "start_year": start_year or "",
        "end_year": end_year or "",
    }

    async def change() -> object:
        data = {
            "school": school,
            "degree": degree,
            "field": field,
            "start_year": _year(start_year, "start_year"),
            "end_year": _year(end_year, "end_year"),
        }
        return await actions.do_add_education(svc, actor, data)

    return await _save(request, svc, actor, "education", submitted, change, "Education added.")


@router.post("/profile/education/{education_id}/delete")
async def delete_education(
    request: Request, education_id: str, svc: ServicesDep, actor: WebActorDep, _: CsrfDep
) -> Response:
    await actions.do_delete_education(svc, actor, education_id)
    return redirect("/profile/edit#education", notice="Education removed.")


@router.post("/profile/skills")
async def save_skills(
    request: Request, svc: ServicesDep, actor: WebActorDep, _: CsrfDep, skills: OptionalField = None
) -> Response:
    submitted = {"skills": skills or ""}
    return await _save(
        request,
        svc,
        actor,
        "skills",
        submitted,
        lambda: actions.do_replace_skills(svc, actor, split_tags(skills)),
        "Your skills were saved.",
    )


@router.post("/profile/photo")
async def upload_photo(
    request: Request, svc: ServicesDep, actor: WebActorDep, _: CsrfDep
) -> Response:
    upload = (await request.form()).get("file")

    async def change() -> None:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("missing_field", "Choose a photo to upload first.", field="file")
        await photos.do_set_photo(svc, actor, await upload.read(photos.MAX_PHOTO_BYTES + 1))

    return await _save(request, svc, actor, "photo", {}, change, "Your photo was updated.")


@router.post("/profile/photo/delete")
async def remove_photo(
    request: Request, svc: ServicesDep, actor: WebActorDep, _: CsrfDep
) -> Response:
    await photos.do_remove_photo(svc, actor)
    return redirect("/profile/edit#photo", notice="Your photo was removed.")
