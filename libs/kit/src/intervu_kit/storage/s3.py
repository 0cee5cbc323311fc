"""S3 storage (AWS in production; MinIO or any S3-compatible server elsewhere).

boto3 is synchronous; every call runs in a worker thread so the event loop never blocks. Streams are
uploaded with multipart upload in parts of ``part_size``, so memory stays flat whatever the object size.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any, TypeVar

import anyio
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from intervu_kit.storage.base import MIN_PART_SIZE, ObjectInfo, ObjectNotFound, Part, validate_key

T = TypeVar("T")
CHUNK = 1024 * 1024


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound", "NoSuchUpload"}


class S3Storage:
    backend = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None,
        region: str,
        access_key: str | None,
        secret_key: str | None,
        part_size: int = 8 * 1024 * 1024,
        create_bucket: bool = False,
        server_side_encryption: str | None = "AES256",
    ) -> None:
        self.bucket = bucket
        # Every object is written with server-side encryption requested (the policy's "industry-standard
        # encryption" at rest); a store that cannot do it refuses the write instead of storing it in the clear.
        self._sse: dict[str, str] = {"ServerSideEncryption": server_side_encryption} if server_side_encryption else {}
        self.part_size = max(part_size, MIN_PART_SIZE)
        self.create_bucket = create_bucket
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(
                signature_version="s3v4",
                connect_timeout=3,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
                s3={"addressing_style": "path"},
            ),
        )

    async def _call(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        return await anyio.to_thread.run_sync(functools.partial(fn, **kwargs))

    async def ping(self) -> None:
        try:
            await self._call(self._client.head_bucket, Bucket=self.bucket)
        except ClientError as exc:
            if not (self.create_bucket and _missing(exc)):
                raise
            await self._call(self._client.create_bucket, Bucket=self.bucket)

    async def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> ObjectInfo:
        validate_key(key)
        extra = {"ContentType": content_type} if content_type else {}
        await self._call(self._client.put_object, Bucket=self.bucket, Key=key, Body=data, **extra, **self._sse)
        return ObjectInfo(key=key, size=len(data), content_type=content_type)

    async def put_stream(self, key: str, chunks: AsyncIterable[bytes], content_type: str | None = None) -> ObjectInfo:
        validate_key(key)
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[Part] = []
        size = 0
        try:
            async for chunk in chunks:
                buffer += chunk
                size += len(chunk)
                while len(buffer) >= self.part_size:
                    if upload_id is None:
                        upload_id = await self.create_multipart(key, content_type)
                    piece = bytes(buffer[: self.part_size])
                    del buffer[: self.part_size]
                    parts.append(await self.upload_part(key, upload_id, len(parts) + 1, piece))
            if upload_id is None:
                # Small object: one PUT is cheaper than a multipart upload.
                return await self.put_bytes(key, bytes(buffer), content_type)
            if buffer or not parts:
                parts.append(await self.upload_part(key, upload_id, len(parts) + 1, bytes(buffer)))
            await self.complete_multipart(key, upload_id, parts)
        except BaseException:
            if upload_id is not None:
                with anyio.CancelScope(shield=True):
                    await self.abort_multipart(key, upload_id)
            raise
        return ObjectInfo(key=key, size=size, content_type=content_type)

    async def stat(self, key: str) -> ObjectInfo | None:
        validate_key(key)
        try:
            head = await self._call(self._client.head_object, Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return ObjectInfo(
            key=key,
            size=int(head["ContentLength"]),
            content_type=head.get("ContentType"),
            encryption=head.get("ServerSideEncryption"),
        )

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        validate_key(key)
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if start or end is not None:
            kwargs["Range"] = f"bytes={start}-{'' if end is None else end}"
        try:
            response = await self._call(self._client.get_object, **kwargs)
        except ClientError as exc:
            if _missing(exc):
                raise ObjectNotFound(details={"key": key}) from exc
            raise
        body = response["Body"]
        try:
            while chunk := await anyio.to_thread.run_sync(body.read, CHUNK):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        validate_key(key)
        await self._call(self._client.delete_object, Bucket=self.bucket, Key=key)

    async def list_objects(self, prefix: str) -> list[ObjectInfo]:
        out: list[ObjectInfo] = []
        paginator = self._client.get_paginator("list_objects_v2")

        def collect() -> None:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    out.append(ObjectInfo(key=item["Key"], size=int(item["Size"])))

        await anyio.to_thread.run_sync(collect)
        return out

    async def delete_prefix(self, prefix: str) -> int:
        objects = await self.list_objects(prefix)
        for start in range(0, len(objects), 1000):
            batch = [{"Key": o.key} for o in objects[start : start + 1000]]
            await self._call(self._client.delete_objects, Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
        return len(objects)

    async def create_multipart(self, key: str, content_type: str | None = None) -> str:
        validate_key(key)
        extra = {"ContentType": content_type} if content_type else {}
        response = await self._call(
            self._client.create_multipart_upload, Bucket=self.bucket, Key=key, **extra, **self._sse
        )
        return str(response["UploadId"])

    async def upload_part(self, key: str, upload_id: str, number: int, data: bytes) -> Part:
        try:
            response = await self._call(
                self._client.upload_part,
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                PartNumber=number,
                Body=data,
            )
        except ClientError as exc:
            if _missing(exc):
                raise ObjectNotFound("The upload does not exist.", code="upload_not_found") from exc
            raise
        return Part(number=number, etag=str(response["ETag"]))

    async def complete_multipart(self, key: str, upload_id: str, parts: list[Part]) -> ObjectInfo:
        await self._call(
            self._client.complete_multipart_upload,
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": p.number, "ETag": p.etag} for p in parts]},
        )
        info = await self.stat(key)
        assert info is not None
        return info

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            await self._call(self._client.abort_multipart_upload, Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if not _missing(exc):
                raise

    async def signed_url(self, key: str, expires_s: int, *, base_url: str) -> str:
        """A presigned GET; ``base_url`` is unused because S3 serves the bytes (with range support)."""
        validate_key(key)
        return str(
            await self._call(
                self._client.generate_presigned_url,
                ClientMethod="get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=expires_s,
            )
        )
