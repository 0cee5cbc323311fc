from __future__ import annotations

from intervu_kit.settings import Environment, KitSettings
from intervu_kit.storage.base import Storage
from intervu_kit.storage.local import LocalStorage
from intervu_kit.storage.s3 import S3Storage


def storage_from_settings(settings: KitSettings) -> Storage:
    if settings.storage_backend == "s3":
        return S3Storage(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key.get_secret_value(),
            # Development creates its bucket on first use; production buckets are provisioned explicitly.
            create_bucket=settings.environment is not Environment.PRODUCTION,
            server_side_encryption=settings.s3_server_side_encryption or None,
        )
    return LocalStorage(settings.storage_local_root, settings.storage_signing_key.get_secret_value().encode())
