"""People search page: the header's search box lands here; filters narrow it; pages follow."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from inroad.api.deps import ServicesDep
from inroad.errors import InroadError
from inroad.profiles import queries
from inroad.web.shell import WebActorDep, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
DEGREE_CHOICES = (("1", "1st"), ("2", "2nd"), ("3", "3rd+"))
TEXT_PARAMS = ("q", "company", "school", "location")


@router.get("/search")
async def search_page(request: Request, svc: ServicesDep, actor: WebActorDep) -> HTMLResponse:
    """Degrees come as repeated checkboxes (``degree=1&degree=2``) or the API's ``degree=1,2``."""
    params = request.query_params
    texts = {name: params.get(name, "") for name in TEXT_PARAMS}
    degrees = [
        d.strip() for value in params.getlist("degree") for d in value.split(",") if d.strip()
    ]
    cursor = params.get("cursor") or None
    searched = any(texts.values()) or bool(degrees)
    results: dict[str, Any] = {"items": [], "next_cursor": None}
    error: str | None = None
    status = 200
    # Nothing typed yet still lists people (nearest in the network first): a way to browse.
    try:
        query = queries.check_member_query(degree=",".join(degrees), **texts)
        results = await queries.search_members(svc, actor, query, cursor=cursor, limit=PAGE_SIZE)
    except InroadError as exc:
        error, status = exc.message, exc.status
    kept = [(k, v) for k, v in texts.items() if v] + [("degree", d) for d in degrees]
    next_url = (
        "/search?" + urlencode([*kept, ("cursor", results["next_cursor"])])
        if results["next_cursor"]
        else None
    )
    context = {
        "nav": None,
        "search_query": texts["q"],
        "filters": texts,
        "degrees": set(degrees),
        "degree_choices": DEGREE_CHOICES,
        "searched": searched,
        "results": results["items"],
        "next_url": next_url,
        "first_url": "/search?" + urlencode(kept) if cursor else None,
        "error": error,
    }
    return await render(request, "search/results.html", context, status=status)
