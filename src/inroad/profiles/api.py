"""REST routes for profiles and people search (API.md "Profiles and search"), and the photo files.

Request models are deliberately loose (plain strings, extra fields allowed): the service layer
answers limits, formats and unknown fields with the documented specific codes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, StrictBool

from inroad.api.deps import ActorDep, ServicesDep
from inroad.errors import NotFound
from inroad.profiles import actions, photos, queries

api = APIRouter(prefix="/api/v1", tags=["profiles"])
media = APIRouter(tags=["media"])


class ProfilePatch(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str | None = None
    headline: str | None = None
    about: str | None = None
    industry: str | None = None
    location: str | None = None
    postal_code: str | None = None
    interests: list[str] | None = None
    open_to_work: StrictBool | None = None


class PositionIn(BaseModel):
    """``start``/``end`` are ``"YYYY-MM"``; no ``end`` (or ``null``) means a current position."""

    model_config = ConfigDict(extra="allow")

    company: str | None = None
    title: str | None = None
    description: str | None = None
    location: str | None = None
    start: str | None = None
    end: str | None = None


class EducationIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    school: str | None = None
    degree: str | None = None
    field: str | None = None
    start_year: int | None = None
    end_year: int | None = None


class SkillsIn(BaseModel):
    skills: list[str]


@api.get("/me/profile")
async def my_profile(actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await queries.own_profile(svc, actor.id)


@api.patch("/me/profile")
async def update_profile(body: ProfilePatch, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    await actions.do_update_profile(svc, actor, body.model_dump(exclude_unset=True))
    return await queries.own_profile(svc, actor.id)


@api.put("/me/photo")
async def set_photo(
    actor: ActorDep, svc: ServicesDep, file: UploadFile = File(...)
) -> dict[str, Any]:
    # One byte past the limit is enough to know it is too large; never read the rest.
    data = await file.read(photos.MAX_PHOTO_BYTES + 1)
    await photos.do_set_photo(svc, actor, data)
    return await queries.own_profile(svc, actor.id)


@api.delete("/me/photo")
async def remove_photo(actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    await photos.do_remove_photo(svc, actor)
    return await queries.own_profile(svc, actor.id)


@api.post("/me/positions", status_code=201)
async def add_position(body: PositionIn, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await actions.do_add_position(svc, actor, body.model_dump(exclude_unset=True))


@api.patch("/me/positions/{position_id}")
async def update_position(
    position_id: str, body: PositionIn, actor: ActorDep, svc: ServicesDep
) -> dict[str, Any]:
    return await actions.do_update_position(
        svc, actor, position_id, body.model_dump(exclude_unset=True)
    )


@api.delete("/me/positions/{position_id}", status_code=204)
async def delete_position(position_id: str, actor: ActorDep, svc: ServicesDep) -> Response:
    await actions.do_delete_position(svc, actor, position_id)
    return Response(status_code=204)


@api.post("/me/education", status_code=201)
async def add_education(body: EducationIn, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await actions.do_add_education(svc, actor, body.model_dump(exclude_unset=True))


@api.patch("/me/education/{education_id}")
async def update_education(
    education_id: str, body: EducationIn, actor: ActorDep, svc: ServicesDep
) -> dict[str, Any]:
    return await actions.do_update_education(
        svc, actor, education_id, body.model_dump(exclude_unset=True)
    )


@api.delete("/me/education/{education_id}", status_code=204)
async def delete_education(education_id: str, actor: ActorDep, svc: ServicesDep) -> Response:
    await actions.do_delete_education(svc, actor, education_id)
    return Response(status_code=204)


@api.put("/me/skills")
async def replace_skills(body: SkillsIn, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return {"skills": await actions.do_replace_skills(svc, actor, body.skills)}


@api.get("/me/strength")
async def my_strength(actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await queries.my_strength(svc, actor)


@api.get("/members/{handle}")
async def member_profile(handle: str, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await queries.profile(svc, actor.id, handle)


@api.get("/members/{handle}/mutual-connections")
async def mutual_connections(
    handle: str,
    actor: ActorDep,
    svc: ServicesDep,
    cursor: str | None = None,
    limit: int = queries.DEFAULT_LIMIT,
) -> dict[str, Any]:
    return await queries.mutual_connections(svc, actor, handle, cursor=cursor, limit=limit)


@api.get("/search/members")
async def search_members(
    actor: ActorDep,
    svc: ServicesDep,
    q: str | None = None,
    degree: str | None = None,
    company: str | None = None,
    school: str | None = None,
    location: str | None = None,
    cursor: str | None = None,
    limit: int = queries.DEFAULT_LIMIT,
) -> dict[str, Any]:
    query = queries.check_member_query(
        q=q, degree=degree, company=company, school=school, location=location
    )
    return await queries.search_members(svc, actor, query, cursor=cursor, limit=limit)


@media.get("/media/photos/{name}")
async def photo_file(name: str, svc: ServicesDep) -> FileResponse:
    """A profile photo or thumbnail. Keys are random and never reused, so it caches forever."""
    path = photos.file_path(svc, name)
    if path is None:
        raise NotFound()
    return FileResponse(
        path,
        media_type="image/jpeg",
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )


# ``inroad.app`` includes this one router: the API under /api/v1 and the media files beside it.
router = APIRouter()
router.include_router(api)
router.include_router(media)
