"""Every error, including validation errors and unknown routes, in the product's shape."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from inroad.errors import InroadError

log = logging.getLogger("inroad.errors")

_HTTP_CODES = {
    400: "bad_request",
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **details: Any
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, **details}},
        status_code=status,
        headers=headers,
    )


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def install(app: FastAPI, html_error: Any = None) -> None:
    """Register handlers; ``html_error(request, status, code, message)`` renders page errors."""

    async def on_inroad_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, InroadError)
        if html_error and _wants_html(request):
            response: Response = await html_error(request, exc.status, exc.code, exc.message)
            response.headers.update(exc.headers())
            return response
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers())

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        first = errors[0] if errors else {}
        if first.get("type") == "json_invalid":
            return error_response(400, "invalid_json", "The request body is not valid JSON.")
        loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
        field = ".".join(loc) or None
        kind = first.get("type", "")
        code = "missing_field" if kind == "missing" else "invalid_input"
        message = (
            f"{field}: {first.get('msg', 'invalid')}"
            if field
            else str(first.get("msg", "invalid input"))
        )
        return error_response(422, code, message, field=field)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404:
            message = "Not found."
        if html_error and _wants_html(request):
            return await html_error(request, exc.status_code, code, message)  # type: ignore[no-any-return]
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "Something went wrong on our side. Try again.")

    app.add_exception_handler(InroadError, on_inroad_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
