"""The door every request passes before routing: a rate limit per caller, bounded bodies and no NUL characters.

Why here and not in each schema: FastAPI reads and parses a JSON body before it resolves the dependencies that
check the token, so without a cap an anonymous caller could make a service parse 50 MB of JSON before being told
401. And PostgreSQL cannot store U+0000 in text, so a NUL anywhere in a query or a JSON string used to travel
all the way to the database and come back as a 500; refused at the door it is a 400 with a stable code whichever
route it was sent to.

Upload bodies (tus PATCH, ``application/offset+octet-stream``) are not buffered here: the media service streams
them to storage against the person's quota and the upload's declared length.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intervu_kit.errors import error_response
from intervu_kit.ratelimit import RateLimiter, caller_of

STREAMED_TYPES = (b"application/offset+octet-stream",)
# An escaped NUL in JSON: ``\u0000`` preceded by an even number of backslashes (``\\u0000`` is the text "\u0000").
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


def has_nul_in_url(raw_path: bytes, query_string: bytes) -> bool:
    return any(b"\x00" in part or b"%00" in part for part in (raw_path, query_string))


def has_nul_in_json(body: bytes) -> bool:
    return b"\x00" in body or _JSON_NUL.search(body) is not None


class RequestGuardMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, rate_limit: int = 0, rate_window_s: float = 10.0) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.limiter = RateLimiter(rate_limit, rate_window_s) if rate_limit > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if has_nul_in_url(scope.get("raw_path") or scope["path"].encode(), scope.get("query_string", b"")):
            await _refuse(scope, receive, send, 400, "nul_character", "The address contains a NUL character.")
            return
        headers = dict(scope["headers"])
        if self.limiter is not None and not scope["path"].endswith(("/healthz", "/readyz")):
            wait = self.limiter.check(caller_of(headers, scope.get("client")))
            if wait:
                retry = str(max(1, round(wait)))
                await error_response(
                    429,
                    "too_many_requests",
                    "Too many requests; slow down and try again shortly.",
                    {"retry_after_s": int(retry)},
                    {"Retry-After": retry},
                )(scope, receive, send)
                return
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type in STREAMED_TYPES:
            await self.app(scope, receive, send)
            return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await _refuse_large(scope, receive, send, self.max_body_bytes)
            return

        # Read the whole (bounded) body once, check it, then replay it to the application.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await _refuse_large(scope, receive, send, self.max_body_bytes)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        if body and has_nul_in_json(body) and (content_type.endswith(b"json") or content_type.startswith(b"text/")):
            await _refuse(scope, receive, send, 400, "nul_character", "The request body contains a NUL character.")
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    await _refuse(
        scope, receive, send, 413, "payload_too_large", f"The request body is larger than {limit} bytes.", limit
    )


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str, limit: int | None = None
) -> None:
    details = {"limit_bytes": limit} if limit is not None else {}
    # Closing the connection after a refused body: the client may still be sending the rest of it.
    headers = {"Connection": "close"} if status == 413 else None
    await error_response(status, code, message, details, headers)(scope, receive, send)
