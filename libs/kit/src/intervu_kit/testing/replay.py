"""Recorded HTTP exchanges, replayed: a provider's endpoint that answers with recorded responses in order and keeps
every request it was sent, for testing third-party adapters that cannot be reached from here.

The adapter runs its real HTTP code (httpx, headers, bodies, multipart) over an ASGI transport.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from intervu_kit.testing.servers import serve


class Replay:
    """``recording`` is a JSON file: ``{"responses": [{"status", "body"} | {"status", "attachment", "content_type"}]}``;
    an attachment is served from ``attachments`` (bytes a test makes, e.g. a video a provider would return)."""

    def __init__(self, recording: Path, attachments: dict[str, bytes] | None = None) -> None:
        self.responses: list[dict[str, Any]] = json.loads(recording.read_text())["responses"]
        self.attachments = attachments or {}
        self.requests: list[dict[str, Any]] = []
        self.app = FastAPI()

        @self.app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
        async def answer(path: str, request: Request) -> Response:
            body = await request.body()
            content_type = request.headers.get("content-type", "")
            self.requests.append(
                {
                    "method": request.method,
                    "path": path,
                    "query": dict(request.query_params),
                    "headers": dict(request.headers),
                    "json": json.loads(body) if body and content_type.startswith("application/json") else None,
                    "form": dict(await request.form()) if content_type.startswith("multipart/") else None,
                    "size": len(body),
                }
            )
            recorded = self.responses[min(len(self.requests), len(self.responses)) - 1]
            if "attachment" in recorded:
                return Response(
                    self.attachments[recorded["attachment"]],
                    status_code=recorded["status"],
                    media_type=recorded.get("content_type", "application/octet-stream"),
                )
            return JSONResponse(recorded["body"], status_code=recorded["status"])

    @property
    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.app)

    def serve(self) -> contextlib.AbstractContextManager[str]:
        """The same answers from a real HTTP server on this machine (yields its base URL)."""
        return serve(self.app)
