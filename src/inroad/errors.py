"""The product's error shape.

Every failure a client can cause is an ``InroadError`` raised by the service layer and rendered as
``{"error": {"code", "message", **details}}`` with its HTTP status. Hierarchy::

    InroadError
    ├── InvalidInput (400/422)   ├── NotFound (404)      ├── TooLarge (413)
    ├── Unauthorized (401)       ├── Conflict (409)      ├── UnsupportedMedia (415)
    ├── PaymentRequired (402)    ├── Forbidden (403)     └── TooManyRequests (429, Retry-After)
"""

from __future__ import annotations

from typing import Any


class InroadError(Exception):
    status = 400

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.details}}

    def headers(self) -> dict[str, str]:
        return {}


class InvalidInput(InroadError):
    status = 422


class BadRequest(InroadError):
    status = 400


class Unauthorized(InroadError):
    status = 401


class PaymentRequired(InroadError):
    status = 402


class Forbidden(InroadError):
    status = 403


class NotFound(InroadError):
    status = 404

    def __init__(self, message: str = "Not found.", **details: Any) -> None:
        super().__init__("not_found", message, **details)


class Conflict(InroadError):
    status = 409


class TooLarge(InroadError):
    status = 413


class UnsupportedMedia(InroadError):
    status = 415


class TooManyRequests(InroadError):
    status = 429

    def __init__(self, code: str, message: str, retry_after: int, **details: Any) -> None:
        super().__init__(code, message, **details)
        self.retry_after = max(1, int(retry_after))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def text_limit(value: str | None, limit: int, code: str, what: str, **details: Any) -> None:
    """Refuse text over ``limit`` Unicode code points with the documented code."""
    if value is not None and len(value) > limit:
        raise InvalidInput(
            code,
            f"{what} is {len(value)} characters; the limit is {limit}.",
            limit=limit,
            **details,
        )
