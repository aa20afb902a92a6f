"""REST route for the message coach (API.md "Coach")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt

from inroad.api.deps import ActorDep, ServicesDep
from inroad.coach.queries import Draft, review_draft

router = APIRouter(prefix="/api/v1", tags=["coach"])


class ReviewIn(BaseModel):
    """Loose on purpose (like the other routers): the service answers a bad channel or an
    absurd size with the documented codes. ``conversation_id`` is an opaque id string; an
    integer is accepted too."""

    model_config = ConfigDict(extra="allow")

    channel: str
    text: str
    subject: str | None = None
    to: str | None = None
    conversation_id: str | StrictInt | None = None
    first_message: StrictBool | None = None


@router.post("/coach/review")
async def coach_review(body: ReviewIn, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    draft = Draft(
        channel=body.channel,
        text=body.text,
        subject=body.subject,
        to=body.to,
        conversation_id=None if body.conversation_id is None else str(body.conversation_id),
        first_message=body.first_message,
    )
    return await review_draft(svc, actor, draft)
