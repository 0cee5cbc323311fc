"""One error shape for every 4xx and 5xx: ``{"error": {code, message, details, request_id}}``.

Codes are stable identifiers clients may branch on; messages are for people and may change.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from intervu_kit.logging import request_id_var

log = logging.getLogger(__name__)


class IntervuError(Exception):
    status: int = 400
    code: str = "bad_request"
    message: str = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.details = details or {}
        self.headers = headers
        super().__init__(self.message)


class BadRequest(IntervuError):
    pass


class Unauthorized(IntervuError):
    status = 401
    code = "unauthorized"
    message = "A valid access token is required."

    def __init__(self, message: str | None = None, *, code: str | None = None, **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        super().__init__(message, code=code, **kw)


class Forbidden(IntervuError):
    status = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class NotFound(IntervuError):
    status = 404
    code = "not_found"
    message = "Not found."


class Conflict(IntervuError):
    status = 409
    code = "conflict"
    message = "The request conflicts with the current state."


class ServiceUnavailable(IntervuError):
    status = 503
    code = "service_unavailable"
    message = "A dependency is unavailable; try again shortly."


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any]
    request_id: str | None


class ErrorResponse(BaseModel):
    """Documented in every service's OpenAPI as the body of each error response."""

    error: ErrorBody


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(
        error=ErrorBody(code=code, message=message, details=details or {}, request_id=request_id_var.get())
    )
    # The code also travels as a header: HEAD responses (tus status checks) have no body to carry it.
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, headers={**(headers or {}), "X-Error-Code": code}
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(IntervuError)
    async def _intervu(_: Request, exc: IntervuError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error" if exc.status_code < 500 else "internal_error")
        return error_response(
            exc.status_code, code, str(exc.detail), headers=dict(exc.headers) if exc.headers else None
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        return error_response(422, "validation_error", "The request is not valid.", {"errors": errors})

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        # Services check their invariants first; this catches the race where two requests pass the check
        # and the database's constraint decides. The constraint name helps; row values are not echoed.
        constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None)
        details = {"constraint": constraint} if constraint else {}
        return error_response(409, "conflict", "This conflicts with data that already exists.", details)

    @app.exception_handler(OSError)
    async def _io(_: Request, exc: OSError) -> JSONResponse:
        # Storage (a disk, an S3 connection) or another dependency failing under the request: the request was
        # fine, the service cannot serve it now. Nothing was stored (the transaction rolls back); try again.
        log.warning("dependency unavailable: %r", exc)
        return error_response(
            503,
            "dependency_unavailable",
            "Part of Intervu is unavailable for a moment; try again shortly.",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def _unhandled(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal_error", "Something went wrong on our side.")
