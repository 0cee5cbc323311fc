"""A minimal tus 1.0 client (what tus-js-client does in the browser), for tests that upload recordings."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import httpx

from intervu_kit.testing.plugin import SignedIn

UPLOADS = "/api/media/uploads/"
TUS = {"Tus-Resumable": "1.0.0"}


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


@dataclass
class Tus:
    """A minimal tus 1.0 client (what tus-js-client does), for tests."""

    client: httpx.AsyncClient
    who: SignedIn

    def h(self, **extra: str) -> dict[str, str]:
        return {**TUS, **self.who.headers, **extra}

    async def create(self, length: int | None, *, metadata: dict[str, str] | None = None) -> httpx.Response:
        headers = self.h()
        if length is None:
            headers["Upload-Defer-Length"] = "1"
        else:
            headers["Upload-Length"] = str(length)
        if metadata:
            headers["Upload-Metadata"] = ",".join(f"{k} {b64(v)}" for k, v in metadata.items())
        return await self.client.post(UPLOADS, headers=headers)

    async def patch(self, location: str, offset: int, data: bytes, **extra: str) -> httpx.Response:
        headers = self.h(**{"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)}, **extra)
        return await self.client.patch(location, content=data, headers=headers)

    async def head(self, location: str) -> httpx.Response:
        return await self.client.head(location, headers=self.h())

    async def upload(self, data: bytes, *, chunk: int = 3 * 1024 * 1024, metadata: dict[str, str] | None = None) -> str:
        created = await self.create(len(data), metadata=metadata)
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        offset = 0
        while offset < len(data):
            piece = data[offset : offset + chunk]
            response = await self.patch(location, offset, piece)
            assert response.status_code == 204, response.text
            offset = int(response.headers["upload-offset"])
        return location.rstrip("/").rsplit("/", 1)[-1]
