"""One storage suite, run against local disk and against a real S3-compatible server (MinIO)."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import httpx
import pytest
from intervu_kit.devstack.config import DevSettings
from intervu_kit.storage import (
    InvalidKey,
    LocalStorage,
    ObjectNotFound,
    S3Storage,
    Storage,
    verify_url_signature,
)
from intervu_kit.storage.local import StorageUnavailable

SIGNING_KEY = b"test-signing-key"
PART = 5 * 1024 * 1024


@pytest.fixture(params=["local", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path, infra: DevSettings) -> AsyncIterator[Storage]:
    if request.param == "local":
        store: Storage = LocalStorage(tmp_path / "objects", SIGNING_KEY)
    else:
        store = S3Storage(
            bucket=f"test-{uuid.uuid4().hex[:12]}",
            endpoint_url=infra.s3_endpoint_url,
            region=infra.s3_region,
            access_key=infra.s3_access_key,
            secret_key=infra.s3_secret_key.get_secret_value(),
            part_size=PART,
            create_bucket=True,
        )
    await store.ping()
    yield store
    if isinstance(store, S3Storage):
        await store.delete_prefix("")
        store._client.delete_bucket(Bucket=store.bucket)


async def _read_all(store: Storage, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in store.read(key, start, end)])


async def _chunks(total: int, chunk: int = 1024 * 1024) -> AsyncIterator[bytes]:
    rng = hashlib.sha256(b"seed")
    sent = 0
    while sent < total:
        rng = hashlib.sha256(rng.digest())
        block = (rng.digest() * (chunk // 32 + 1))[: min(chunk, total - sent)]
        sent += len(block)
        yield block


async def test_put_stat_read_delete(storage: Storage) -> None:
    info = await storage.put_bytes("users/u1/hello.txt", b"hello world", "text/plain")
    assert info.size == 11
    stat = await storage.stat("users/u1/hello.txt")
    assert stat is not None and stat.size == 11
    assert await _read_all(storage, "users/u1/hello.txt") == b"hello world"
    await storage.delete("users/u1/hello.txt")
    assert await storage.stat("users/u1/hello.txt") is None
    await storage.delete("users/u1/hello.txt")  # deleting twice is fine


async def test_range_reads(storage: Storage) -> None:
    await storage.put_bytes("r/digits", b"0123456789")
    assert await _read_all(storage, "r/digits", 2, 5) == b"2345"
    assert await _read_all(storage, "r/digits", 7) == b"789"


async def test_missing_object(storage: Storage) -> None:
    assert await storage.stat("nope/missing") is None
    with pytest.raises(ObjectNotFound):
        await _read_all(storage, "nope/missing")


@pytest.mark.parametrize(
    "key",
    ["../escape", "a/../../etc/passwd", "/absolute", "a//b", "a/./b", "back\\slash", "", "x" * 600, "sp ace"],
)
async def test_keys_that_could_escape_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(InvalidKey):
        await storage.put_bytes(key, b"x")


async def test_streamed_upload_is_byte_exact_and_uses_multipart(storage: Storage) -> None:
    size = 2 * PART + 12345  # three parts on S3
    expected = hashlib.sha256()
    async for block in _chunks(size):
        expected.update(block)
    info = await storage.put_stream("big/object.bin", _chunks(size))
    assert info.size == size
    actual = hashlib.sha256()
    async for chunk in storage.read("big/object.bin"):
        actual.update(chunk)
    assert actual.hexdigest() == expected.hexdigest()


async def test_explicit_multipart_upload_and_abort(storage: Storage) -> None:
    upload = await storage.create_multipart("mp/file.bin", "application/octet-stream")
    parts = [
        await storage.upload_part("mp/file.bin", upload, 1, b"a" * PART),
        await storage.upload_part("mp/file.bin", upload, 2, b"tail"),
    ]
    info = await storage.complete_multipart("mp/file.bin", upload, parts)
    assert info.size == PART + 4
    assert await _read_all(storage, "mp/file.bin", PART - 1) == b"atail"

    aborted = await storage.create_multipart("mp/aborted.bin")
    await storage.upload_part("mp/aborted.bin", aborted, 1, b"x" * 10)
    await storage.abort_multipart("mp/aborted.bin", aborted)
    assert await storage.stat("mp/aborted.bin") is None
    with pytest.raises(ObjectNotFound):
        await storage.upload_part("mp/aborted.bin", aborted, 2, b"y")


async def test_list_and_delete_prefix_touch_only_that_prefix(storage: Storage) -> None:
    for key in ("users/a/1", "users/a/2", "users/ab/1", "users/b/1"):
        await storage.put_bytes(key, b"x")
    assert [o.key for o in await storage.list_objects("users/a/")] == ["users/a/1", "users/a/2"]
    assert await storage.delete_prefix("users/a/") == 2
    assert [o.key for o in await storage.list_objects("users/")] == ["users/ab/1", "users/b/1"]


async def test_overwrite_replaces_whole_object(storage: Storage) -> None:
    await storage.put_bytes("o/k", b"long original content")
    await storage.put_bytes("o/k", b"short")
    assert await _read_all(storage, "o/k") == b"short"


async def test_signed_urls_work_and_refuse_tampering(storage: Storage) -> None:
    await storage.put_bytes("media/u1/rec.webm", b"0123456789", "video/webm")
    url = await storage.signed_url("media/u1/rec.webm", 60, base_url="https://localhost:8443/api/media/files")
    parsed = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    if isinstance(storage, LocalStorage):
        key = unquote(parsed.path.removeprefix("/api/media/files/"))
        expires = int(query["expires"])
        assert verify_url_signature(SIGNING_KEY, key, expires, query["signature"])
        assert not verify_url_signature(SIGNING_KEY, "media/u2/rec.webm", expires, query["signature"])
        assert not verify_url_signature(SIGNING_KEY, key, expires + 1, query["signature"])
        assert not verify_url_signature(SIGNING_KEY, key, expires, query["signature"], now=time.time() + 3600)
        return
    async with httpx.AsyncClient() as http:
        full = await http.get(url)
        assert full.status_code == 200 and full.content == b"0123456789"
        partial = await http.get(url, headers={"Range": "bytes=3-5"})
        assert partial.status_code == 206 and partial.content == b"345"
        tampered = url.replace(query["X-Amz-Signature"], "0" * len(query["X-Amz-Signature"]))
        assert (await http.get(tampered)).status_code == 403
    expired = await storage.signed_url("media/u1/rec.webm", 1, base_url="")
    time.sleep(2)
    async with httpx.AsyncClient() as http:
        assert (await http.get(expired)).status_code == 403


async def test_a_failed_upload_leaves_the_stored_object_intact(storage: Storage, tmp_path: Path) -> None:
    await storage.put_bytes("a/b", b"old")

    async def failing() -> AsyncIterator[bytes]:
        async for block in _chunks(PART + 1024):  # past one part: S3 has a multipart upload in flight
            yield block
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        await storage.put_stream("a/b", failing())
    assert await _read_all(storage, "a/b") == b"old"
    if isinstance(storage, LocalStorage):
        assert os.listdir(tmp_path / "objects" / ".tmp") == []
    else:
        assert isinstance(storage, S3Storage)
        pending = storage._client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", [])
        assert pending == []  # the half-done multipart upload was aborted, not left to bill


async def test_every_s3_object_is_encrypted_at_rest_as_the_store_itself_reports(infra: DevSettings) -> None:
    """The policy's "industry-standard encryption": S3Storage asks for server-side encryption on every write (one
    PUT and multipart alike), and the store's own HEAD says it holds the object encrypted. (Local disk has no such
    report: its encryption at rest is the operator's disk encryption, see docs/PRIVACY.md.)"""
    storage = S3Storage(
        bucket=f"test-{uuid.uuid4().hex[:12]}",
        endpoint_url=infra.s3_endpoint_url,
        region=infra.s3_region,
        access_key=infra.s3_access_key,
        secret_key=infra.s3_secret_key.get_secret_value(),
        part_size=PART,
        create_bucket=True,
    )
    await storage.ping()
    try:
        await _encrypted_writes(storage)
    finally:
        await storage.delete_prefix("")
        storage._client.delete_bucket(Bucket=storage.bucket)


async def _encrypted_writes(storage: S3Storage) -> None:
    await storage.put_bytes("enc/small.bin", b"x" * 100, "application/octet-stream")

    async def big() -> AsyncIterator[bytes]:
        async for block in _chunks(PART + 1024):  # past one part: a multipart upload
            yield block

    await storage.put_stream("enc/big.bin", big())
    for key in ("enc/small.bin", "enc/big.bin"):
        info = await storage.stat(key)
        assert info is not None and info.encryption == "AES256", (key, info)
        head = storage._client.head_object(Bucket=storage.bucket, Key=key)
        assert head["ServerSideEncryption"] == "AES256"
    assert await _read_all(storage, "enc/small.bin") == b"x" * 100  # read back transparently


async def test_local_storage_out_of_reach_is_an_outage_not_a_missing_object(tmp_path: Path) -> None:
    """Found by the fault suite: with the storage folder moved away, every object read as "not found", so media
    rejected recordings for good and a deletion found nothing to delete. Now it is an OSError (retried; a 503)."""
    root = tmp_path / "objects"
    store = LocalStorage(root, SIGNING_KEY)
    await store.put_bytes("recordings/u/r/original", b"bytes", "video/webm")
    root.rename(tmp_path / "away")
    root.write_text("not the storage")
    for attempt in (
        store.stat("recordings/u/r/original"),
        _read_all(store, "recordings/u/r/original"),
        store.list_objects("recordings/u/"),
        store.delete_prefix("recordings/u/"),
        store.put_bytes("recordings/u/r/other", b"x"),
    ):
        with pytest.raises(StorageUnavailable, match="unavailable"):
            await attempt
    root.unlink()
    (tmp_path / "away").rename(root)
    assert await _read_all(store, "recordings/u/r/original") == b"bytes"  # back: nothing was lost
