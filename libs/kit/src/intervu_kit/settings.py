"""Typed settings shared by every service.

Values come from the environment (prefix ``INTERVU_``) and, in development, from the repository's ``.env``.
Development defaults exist so that ``make run`` works on a fresh machine; they are documented in
``.env.example`` and refused outside development and test, so a production deployment cannot start with a
secret that is printed in our own repository.
"""

from __future__ import annotations

import importlib
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# libs/kit/src/intervu_kit/settings.py -> repository root (the kit is installed editable in the workspace).
REPO_ROOT = Path(__file__).resolve().parents[4]
LOCAL_DIR = REPO_ROOT / ".local"

SERVICES: tuple[str, ...] = (
    "accounts",
    "interviews",
    "media",
    "transcription",
    "feedback",
    "avatar",
    "analytics",
    "notifications",
)


def service_hook(service: str, name: str) -> ModuleType | None:
    """A service's optional module (``seed``, ``bench``...), or None when the service has none."""
    module_name = f"intervu_{service}.{name}"
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:  # the module exists but something it imports is missing: a real error
            raise
        return None


# Documented development defaults (see .env.example). Any of these in production is a refusal to start.
DEV_SECRETS: dict[str, str] = {
    "db_password": "intervu-dev-db",
    "service_client_secret": "intervu-services-dev-secret",
    "storage_signing_key": "intervu-dev-signing-key-change-me",
    "s3_secret_key": "intervu-dev-minio-secret",
    "keycloak_admin_password": "intervu-dev-admin",
    "pg_superuser_password": "intervu-dev-superuser",
    "avatar_webhook_secret": "intervu-dev-avatar-webhook-secret",
}


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class KitSettings(BaseSettings):
    """Settings every service shares. A service subclasses it and sets ``service_name``."""

    model_config = SettingsConfigDict(
        env_prefix="INTERVU_",
        env_file=REPO_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    service_name: str = "kit"
    environment: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"
    log_json: bool = True
    # JSON bodies are small (the longest is a policy's markdown, 200,000 characters); uploads are streamed apart.
    max_body_bytes: int = 1_048_576

    # --- PostgreSQL: one database and one role per service -------------------------------------
    database_url: SecretStr | None = None
    pg_host: str = "127.0.0.1"
    pg_port: int = 55432
    db_password: SecretStr = SecretStr(DEV_SECRETS["db_password"])
    db_pool_size: int = 5

    # --- NATS JetStream ------------------------------------------------------------------------
    nats_url: str = "nats://127.0.0.1:14222"
    # Tests get a stream and subjects of their own, so `make run` and a test run never consume each other's
    # events (empty means: chosen by the environment).
    events_stream: str = ""
    events_subject_prefix: str = ""
    event_max_attempts: int = 5
    event_ack_wait_s: float = 60.0  # how long a handler may run before JetStream redelivers

    # --- Keycloak ------------------------------------------------------------------------------
    # The public URL is what browsers see and what tokens carry as ``iss``; services fetch keys and
    # service tokens over the internal URL so that they never depend on the TLS proxy.
    keycloak_public_url: str = "https://localhost:8443/auth"
    keycloak_internal_url: str = "http://127.0.0.1:18080/auth"
    keycloak_realm: str = "intervu"
    api_audience: str = "intervu-api"
    service_client_id: str = "intervu-services"
    # The privacy policy's age limit: a person's token without a date of birth this old is refused everywhere.
    minimum_age: int = 17
    service_client_secret: SecretStr = SecretStr(DEV_SECRETS["service_client_secret"])
    jwks_cache_ttl_s: float = 300.0
    jwks_min_refresh_interval_s: float = 5.0
    http_timeout_s: float = 3.0

    # --- Object storage ------------------------------------------------------------------------
    storage_backend: Literal["local", "s3"] = "local"
    storage_local_root: Path = LOCAL_DIR / "data" / "storage"
    storage_signing_key: SecretStr = SecretStr(DEV_SECRETS["storage_signing_key"])
    s3_endpoint_url: str | None = "http://127.0.0.1:19000"
    s3_region: str = "us-east-1"
    s3_bucket: str = "intervu"
    s3_access_key: str = "intervu-dev"
    s3_secret_key: SecretStr = SecretStr(DEV_SECRETS["s3_secret_key"])

    @model_validator(mode="after")
    def _event_stream_per_environment(self) -> KitSettings:
        test = self.environment is Environment.TEST
        self.events_stream = self.events_stream or ("INTERVU_EVENTS_TEST" if test else "INTERVU_EVENTS")
        self.events_subject_prefix = self.events_subject_prefix or ("test.events." if test else "events.")
        return self

    @model_validator(mode="after")
    def _refuse_dev_secrets_outside_development(self) -> KitSettings:
        if self.environment is not Environment.PRODUCTION:
            return self
        offenders = [
            name
            for name, default in DEV_SECRETS.items()
            if isinstance(getattr(self, name, None), SecretStr) and getattr(self, name).get_secret_value() == default
        ]
        # The S3 secret only matters when S3 is used; likewise the database password when no URL is given.
        if self.storage_backend != "s3" and "s3_secret_key" in offenders:
            offenders.remove("s3_secret_key")
        if self.database_url is not None and "db_password" in offenders:
            offenders.remove("db_password")
        if offenders:
            raise ValueError(
                "development default secrets are refused in production: "
                + ", ".join(f"INTERVU_{o.upper()}" for o in offenders)
            )
        if self.database_url is None:
            raise ValueError("INTERVU_DATABASE_URL is required in production")
        return self

    # --- derived values ------------------------------------------------------------------------
    @property
    def db_role(self) -> str:
        return f"intervu_{self.service_name}"

    @property
    def db_name(self) -> str:
        suffix = "_test" if self.environment is Environment.TEST else ""
        return f"intervu_{self.service_name}{suffix}"

    @cached_property
    def sqlalchemy_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        password = self.db_password.get_secret_value()
        return f"postgresql+asyncpg://{self.db_role}:{password}@{self.pg_host}:{self.pg_port}/{self.db_name}"

    @property
    def issuer(self) -> str:
        return f"{self.keycloak_public_url}/realms/{self.keycloak_realm}"

    @property
    def realm_internal_url(self) -> str:
        return f"{self.keycloak_internal_url}/realms/{self.keycloak_realm}"

    @property
    def jwks_url(self) -> str:
        return f"{self.realm_internal_url}/protocol/openid-connect/certs"

    @property
    def token_url(self) -> str:
        return f"{self.realm_internal_url}/protocol/openid-connect/token"

    @property
    def api_prefix(self) -> str:
        return f"/api/{self.service_name}"
