"""Recorded HTTP exchanges, replayed: a provider's endpoint that answers with recorded responses in order and keeps
every request it was sent, for testing third-party adapters that cannot be reached from here.

The adapter runs its real HTTP code (httpx, headers, bodies, multipart) over an ASGI transport.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class Replay:
    def __init__(self, recording: Path) -> None:
        self.responses: list[dict[str, Any]] = json.loads(recording.read_text())["responses"]
        self.requests: list[dict[str, Any]] = []
        self.app = FastAPI()

        @self.app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
        async def answer(path: str, request: Request) -> JSONResponse:
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
            return JSONResponse(recorded["body"], status_code=recorded["status"])

    @property
    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.app)
