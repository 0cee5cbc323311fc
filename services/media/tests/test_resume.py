"""A tus upload cut off part-way (the connection really drops) resumes from the offset the server reports."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from intervu_kit.db import Database
from intervu_kit.storage import storage_from_settings
from intervu_kit.testing.tus import Tus
from intervu_media.config import Settings
from intervu_media.models import Recording

from .conftest import SignIn, media_settings, serving, sha256

PORT = 18213


@pytest.fixture(params=["local", "s3"])
def server(request: pytest.FixtureRequest, infra: object) -> Iterator[Settings]:
    settings = media_settings(request.param, media_part_size=5 * 1024 * 1024)
    with serving(settings, PORT):
        yield settings


def _send_partial(path: str, token: str, offset: int, total: int, data: bytes) -> None:
    """A PATCH announcing ``total`` bytes that sends only ``data`` and then drops the connection."""
    with socket.create_connection(("127.0.0.1", PORT)) as sock:
        head = (
            f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nAuthorization: Bearer {token}\r\n"
            f"Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Upload-Offset: {offset}\r\nContent-Length: {total}\r\n\r\n"
        )
        sock.sendall(head.encode() + data)
        time.sleep(1.0)  # let the server read what was sent before the line goes dead
        sock.shutdown(socket.SHUT_RDWR)


async def test_interrupted_upload_resumes_and_the_stored_file_is_identical(server: Settings, sign_in: SignIn) -> None:
    who = await sign_in()
    source = (uuid.uuid4().bytes * 2048) * 200  # ~6.5 MB, more than one storage part
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", timeout=30) as client:
        tus = Tus(client, who)
        location = (await tus.create(len(source))).headers["location"]
        sent = 4 * 1024 * 1024 + 12345
        await asyncio.to_thread(_send_partial, location, who.token, 0, len(source), source[:sent])

        offset = 0
        for _ in range(50):  # the server finishes storing the partial body just after the drop
            offset = int((await tus.head(location)).headers["upload-offset"])
            if offset:
                break
            await asyncio.sleep(0.1)
        assert 0 < offset <= sent, offset  # what arrived was kept

        response = await tus.patch(location, offset, source[offset:])
        assert response.status_code == 204, response.text
        assert int(response.headers["upload-offset"]) == len(source)

    db = Database(server.sqlalchemy_url)
    try:
        async with db.transaction() as session:
            recording = await session.get(Recording, uuid.UUID(location.rsplit("/", 1)[-1]))
            assert recording is not None
            key = recording.original_key
    finally:
        await db.dispose()
    stored = b"".join([c async for c in storage_from_settings(server).read(key)])
    assert sha256(stored) == sha256(source)
