"""Object storage behind one port: local disk (development default) and S3 (production)."""

from intervu_kit.storage.base import (
    InvalidKey,
    ObjectInfo,
    ObjectNotFound,
    Part,
    Storage,
    sign_url_params,
    validate_key,
    verify_url_signature,
)
from intervu_kit.storage.factory import storage_from_settings
from intervu_kit.storage.files import download_to_file, upload_file
from intervu_kit.storage.local import LocalStorage
from intervu_kit.storage.s3 import S3Storage

__all__ = [
    "InvalidKey",
    "LocalStorage",
    "ObjectInfo",
    "ObjectNotFound",
    "Part",
    "S3Storage",
    "Storage",
    "download_to_file",
    "sign_url_params",
    "storage_from_settings",
    "upload_file",
    "validate_key",
    "verify_url_signature",
]
