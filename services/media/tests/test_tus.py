"""tus 1.0: creation, offsets, checksums, deferred length, termination, expiration, limits (both backends)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from intervu_kit.db import Database
from intervu_kit.storage import storage_from_settings
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import running_app
from intervu_kit.testing.tus import TUS, UPLOADS, Tus
from intervu_media.config import Settings
from intervu_media.consumers import expire_uploads
from intervu_media.main import create_app
from intervu_media.models import Recording

from .conftest import SignIn, media_settings, sha256

MB = 1024 * 1024


async def _original(settings: Settings, recording_id: str) -> bytes:
    db = Database(settings.sqlalchemy_url)
    try:
        async with db.transaction() as session:
            recording = await session.get(Recording, uuid.UUID(recording_id))
            assert recording is not None
            key = recording.original_key
    finally:
        await db.dispose()
    storage = storage_from_settings(settings)
    return b"".join([c async for c in storage.read(key)])


async def test_discovery(media: tuple[httpx.AsyncClient, Settings]) -> None:
    client, settings = media
    response = await client.options(UPLOADS)
    assert response.status_code == 204
    assert response.headers["tus-version"] == "1.0.0"
    assert set(response.headers["tus-extension"].split(",")) == {
        "creation",
        "creation-defer-length",
        "termination",
        "checksum",
        "expiration",
    }
    assert int(response.headers["tus-max-size"]) == settings.media_max_upload_bytes
    assert "sha256" in response.headers["tus-checksum-algorithm"]


async def test_upload_in_parts_is_byte_exact(media: tuple[httpx.AsyncClient, Settings], sign_in: SignIn) -> None:
    client, settings = media
    tus = Tus(client, await sign_in())
    data = hashlib.sha256(b"x").digest() * (19 * MB // 32) + b"tail"  # > 2 storage parts, odd final chunk
    created = await tus.create(len(data), metadata={"filename": "answer.webm", "filetype": "video/webm"})
    assert created.status_code == 201
    assert created.headers["tus-resumable"] == "1.0.0"
    assert created.headers["upload-expires"].endswith("GMT")
    location = created.headers["location"]
    assert location.startswith(UPLOADS)
    offset = 0
    for size in (3 * MB + 7, 5 * MB, 1, 6 * MB + 3):
        response = await tus.patch(location, offset, data[offset : offset + size])
        assert response.status_code == 204, response.text
        offset += size
        assert int(response.headers["upload-offset"]) == offset
        assert int((await tus.head(location)).headers["upload-offset"]) == offset
    response = await tus.patch(location, offset, data[offset:])
    assert int(response.headers["upload-offset"]) == len(data)
    recording_id = location.rsplit("/", 1)[-1]
    assert sha256(await _original(settings, recording_id)) == sha256(data)
    status = (await client.get(f"/api/media/recordings/{recording_id}", headers=tus.who.headers)).json()
    assert status["status"] == "processing"


async def test_offset_and_headers_are_enforced(media: tuple[httpx.AsyncClient, Settings], sign_in: SignIn) -> None:
    client, _ = media
    tus = Tus(client, await sign_in())
    location = (await tus.create(100)).headers["location"]
    assert (await tus.patch(location, 0, b"a" * 10)).status_code == 204
    error = assert_error(await tus.patch(location, 5, b"b" * 10), 409, "offset_mismatch")
    assert error["details"]["server_offset"] == 10
    response = await client.patch(
        location,
        content=b"x",
        headers={**tus.who.headers, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "10"},
    )
    assert_error(response, 412, "tus_version_unsupported")
    assert response.headers["tus-version"] == "1.0.0"
    response = await client.patch(
        location, content=b"x", headers=tus.h(**{"Upload-Offset": "10", "Content-Type": "text/plain"})
    )
    assert_error(response, 415, "unsupported_media_type")
    assert_error(await tus.patch(location, 10, b"c" * 200), 413, "upload_exceeds_length")
    assert int((await tus.head(location)).headers["upload-offset"]) == 10


async def test_checksum_mismatch_is_460_and_stores_nothing(
    media: tuple[httpx.AsyncClient, Settings], sign_in: SignIn
) -> None:
    client, settings = media
    tus = Tus(client, await sign_in())
    first, second = b"first part. ", b"second part."
    location = (await tus.create(len(first) + len(second))).headers["location"]

    def digest(data: bytes) -> str:
        return "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()

    assert (await tus.patch(location, 0, first, **{"Upload-Checksum": digest(first)})).status_code == 204
    bad = await tus.patch(location, len(first), second, **{"Upload-Checksum": digest(b"something else")})
    assert_error(bad, 460, "checksum_mismatch")
    assert int((await tus.head(location)).headers["upload-offset"]) == len(first)
    unsupported = await tus.patch(location, len(first), second, **{"Upload-Checksum": "crc32 AAAA"})
    assert_error(unsupported, 400, "checksum_algorithm_unsupported")
    ok = await tus.patch(location, len(first), second, **{"Upload-Checksum": digest(second)})
    assert ok.status_code == 204
    assert await _original(settings, location.rsplit("/", 1)[-1]) == first + second


async def test_deferred_length(media: tuple[httpx.AsyncClient, Settings], sign_in: SignIn) -> None:
    client, settings = media
    tus = Tus(client, await sign_in())
    created = await tus.create(None)
    assert created.status_code == 201
    location = created.headers["location"]
    assert (await tus.head(location)).headers["upload-defer-length"] == "1"
    assert (await tus.patch(location, 0, b"hello ")).status_code == 204
    done = await tus.patch(location, 6, b"world", **{"Upload-Length": "11"})
    assert done.status_code == 204
    assert done.headers["upload-length"] == "11"
    assert await _original(settings, location.rsplit("/", 1)[-1]) == b"hello world"


async def test_termination_deletes_everything(media: tuple[httpx.AsyncClient, Settings], sign_in: SignIn) -> None:
    client, settings = media
    tus = Tus(client, await sign_in())
    location = (await tus.create(20 * MB)).headers["location"]
    assert (await tus.patch(location, 0, b"z" * (9 * MB))).status_code == 204
    recording_id = location.rsplit("/", 1)[-1]
    storage = storage_from_settings(settings)
    assert await storage.list_objects(f"recordings/{tus.who.id}/{recording_id}/")  # the tail waits in storage
    response = await client.delete(location, headers=tus.h())
    assert response.status_code == 204
    assert_error(await tus.head(location), 404, "upload_not_found")
    assert await storage.list_objects(f"recordings/{tus.who.id}/{recording_id}/") == []


async def test_expired_upload_is_gone_and_its_bytes_deleted(
    media: tuple[httpx.AsyncClient, Settings], sign_in: SignIn
) -> None:
    client, settings = media
    tus = Tus(client, await sign_in())
    location = (await tus.create(1000)).headers["location"]
    assert (await tus.patch(location, 0, b"q" * 500)).status_code == 204
    db = Database(settings.sqlalchemy_url)
    storage = storage_from_settings(settings)
    try:
        expired = await expire_uploads(db, storage, now=datetime.now(UTC) + timedelta(days=2))
    finally:
        await db.dispose()
    assert expired >= 1
    assert_error(await tus.head(location), 410, "upload_expired")
    assert_error(await tus.patch(location, 500, b"q"), 410, "upload_expired")
    recording_id = location.rsplit("/", 1)[-1]
    assert await storage.list_objects(f"recordings/{tus.who.id}/{recording_id}/") == []


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Upload-Length": "0"}, 400, "empty_upload"),
        ({"Upload-Length": str(10**12)}, 413, "upload_too_large"),  # a "sparse" terabyte: refused before any byte
        ({"Upload-Length": "-5"}, 400, "invalid_header"),
        ({}, 400, "invalid_header"),
        ({"Upload-Length": "10", "Upload-Defer-Length": "1"}, 400, "invalid_header"),
        ({"Upload-Length": "10", "Upload-Metadata": "filename bm90IGJhc2U2NA=!"}, 400, "invalid_metadata"),
        (
            {"Upload-Length": "10", "Upload-Metadata": "filename " + base64.b64encode(b"../../etc/passwd").decode()},
            400,
            "invalid_filename",
        ),
        (
            {"Upload-Length": "10", "Upload-Metadata": "filename " + base64.b64encode(b"a" * 300 + b".webm").decode()},
            400,
            "invalid_filename",
        ),
        (
            {"Upload-Length": "10", "Upload-Metadata": "answer_id " + base64.b64encode(b"not-a-uuid").decode()},
            400,
            "invalid_metadata",
        ),
    ],
    ids=[
        "zero-bytes",
        "over-size-limit",
        "negative",
        "no-length",
        "both-lengths",
        "bad-base64",
        "path-traversal",
        "300-char-name",
        "bad-answer-id",
    ],
)
async def test_bad_creations_are_clear_4xx(
    local_media: httpx.AsyncClient, sign_in: SignIn, headers: dict[str, str], status: int, code: str
) -> None:
    who = await sign_in()
    response = await local_media.post(UPLOADS, headers={**TUS, **who.headers, **headers})
    assert_error(response, status, code)


async def test_quota_is_enforced(infra: object, sign_in: SignIn) -> None:
    settings = media_settings("local", media_user_quota_bytes=1000)
    async with running_app(create_app(settings)) as client:
        tus = Tus(client, await sign_in())
        assert (await tus.create(600)).status_code == 201
        error = assert_error(await tus.create(600), 413, "quota_exceeded")
        assert error["details"]["used_bytes"] == 600
        assert (await tus.create(400)).status_code == 201


async def test_quota_holds_for_deferred_lengths_racing_creates_and_open_uploads(infra: object, sign_in: SignIn) -> None:
    """Found from outside: a deferred-length upload was never checked against the quota, two creations at once
    both passed a check the pair broke, and one person could open any number of uploads."""
    settings = media_settings("local", media_user_quota_bytes=1000, media_max_open_uploads=3)
    async with running_app(create_app(settings)) as client:
        tus = Tus(client, await sign_in())
        deferred = (await tus.create(None)).headers["location"]
        assert_error(await tus.patch(deferred, 0, b"x" * 1500), 413, "quota_exceeded")
        assert int((await tus.head(deferred)).headers["upload-offset"]) == 0
        assert (await tus.patch(deferred, 0, b"x" * 700)).status_code == 204
        assert_error(await tus.patch(deferred, 700, b"x" * 400), 413, "quota_exceeded")  # 700 held + 400 > 1000

        racers = Tus(client, await sign_in())
        created = await asyncio.gather(*(racers.create(600) for _ in range(6)))
        assert sorted(r.status_code for r in created) == [201, 413, 413, 413, 413, 413]

        many = Tus(client, await sign_in())
        for _ in range(3):
            assert (await many.create(10)).status_code == 201
        error = assert_error(await many.create(10), 429, "too_many_open_uploads")
        assert error["details"]["max_open_uploads"] == 3


async def test_racing_patches_at_one_offset_keep_one_and_say_so(
    media: tuple[httpx.AsyncClient, Settings], sign_in: SignIn
) -> None:
    """Two PATCHes at offset 0 both got 204 (2 of 6 trials): the lock re-read a row the session already held, with
    the values from before the lock. Now exactly one wins and the offset it reports is the one the server kept."""
    client, _ = media
    tus = Tus(client, await sign_in())
    for trial in range(3):
        location = (await tus.create(2 * MB)).headers["location"]
        fast, slow = bytes([65 + trial]) * MB, bytes([97 + trial]) * (MB // 2)

        async def slowly(slow: bytes = slow) -> AsyncIterator[bytes]:
            yield slow[:1000]
            await asyncio.sleep(1.0)  # the fast PATCH starts, writes and commits meanwhile
            yield slow[1000:]

        headers = tus.h(**{"Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"})
        slow_patch = asyncio.create_task(client.patch(location, content=slowly(), headers=headers))
        await asyncio.sleep(0.2)  # both have read offset 0 before either writes
        fast_answer = await tus.patch(location, 0, fast)
        answers = [fast_answer, await slow_patch]
        won = [(r, body) for r, body in zip(answers, (fast, slow), strict=True) if r.status_code == 204]
        lost = [r for r in answers if r.status_code != 204]
        assert len(won) == 1, [r.status_code for r in answers]
        assert lost[0].status_code in (409, 423), lost[0].text
        response, body = won[0]
        kept = int((await tus.head(location)).headers["upload-offset"])
        assert kept == int(response.headers["upload-offset"]) == len(body)
        await client.delete(location, headers=tus.h())


async def test_another_users_upload_is_invisible(media: tuple[httpx.AsyncClient, Settings], sign_in: SignIn) -> None:
    client, _ = media
    alice, bob = Tus(client, await sign_in()), Tus(client, await sign_in())
    location = (await alice.create(10)).headers["location"]
    assert_error(await bob.head(location), 404, "upload_not_found")
    assert_error(await bob.patch(location, 0, b"0123456789"), 404, "upload_not_found")
    assert_error(await client.delete(location, headers=bob.h()), 404, "upload_not_found")
    assert int((await alice.head(location)).headers["upload-offset"]) == 0
    assert_error(await client.post(UPLOADS, headers={**TUS, "Upload-Length": "10"}), 401, "token_missing")
