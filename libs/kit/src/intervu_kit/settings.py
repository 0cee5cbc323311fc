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
from typing import Any, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import Field, SecretStr, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

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


# --- Each service's own identities: a Keycloak client and a NATS user --------------------------------------
# One shared credential let any service act as all of them (delete accounts, publish a deletion request). Each
# service now has its own, holding only what it needs (deploy/keycloak via scripts/realm.py, deploy/nats via
# intervu_kit.devstack.nats), and reads its secrets from variables that name it. The development defaults below
# are public (documented in .env.example) and refused in production like DEV_SECRETS.

# Test processes (every service's tests, the kit's, `make bench`) connect as this NATS user: it may only touch the
# test stream and its subjects (INTERVU_EVENTS_TEST, test.events.>), so a test can never publish into the
# development stream, and it stands in for any producer there (tests publish other services' events).
NATS_TEST_USER = "tests"


def service_client_id(service: str) -> str:
    """The service's confidential Keycloak client (client credentials; see scripts/realm.py for its roles)."""
    return f"intervu-svc-{service}"


def dev_client_secret(service: str) -> str:
    return f"intervu-svc-{service}-dev-secret"


def nats_user_for(service: str, environment: str | None) -> str:
    return NATS_TEST_USER if environment == Environment.TEST.value else service


def dev_nats_password(user: str) -> str:
    return f"intervu-nats-{user}-dev-password"


def nats_password_variable(user: str) -> str:
    """The variable holding a NATS user's password, without the INTERVU_ prefix: the service reads it, and the dev
    stack's nats-server (deploy/nats) reads the same name."""
    return f"{user}_nats_password"


def own_secret_variables(service: str, nats_user: str) -> dict[str, str]:
    """Field -> the variable (without the INTERVU_ prefix) holding this service's own value of it."""
    return {"service_client_secret": f"{service}_client_secret", "nats_password": nats_password_variable(nats_user)}


class _OwnSecrets(PydanticBaseSettingsSource):
    """``INTERVU_<SERVICE>_CLIENT_SECRET`` and ``INTERVU_<NATS USER>_NATS_PASSWORD``, from the environment, then
    ``.env``; the documented development default when neither has it.

    In development every process reads the same ``.env``: a variable per service keeps each secret with the one
    service it belongs to (and in production each service's environment holds its own only). The shared names
    (``INTERVU_SERVICE_CLIENT_SECRET``, ``INTERVU_NATS_PASSWORD``) are never read, which is why this source always
    answers: a stale shared secret in an old ``.env`` must not silently become every service's. Values given to
    the constructor still win (tests).
    """

    def __init__(
        self, settings_cls: type[BaseSettings], env: PydanticBaseSettingsSource, dotenv: PydanticBaseSettingsSource
    ) -> None:
        super().__init__(settings_cls)
        self._sources = (env, dotenv)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything happens in __call__

    def _variable(self, name: str) -> str | None:
        for source in self._sources:
            value = getattr(source, "env_vars", {}).get(f"intervu_{name}")
            if value is not None:
                return str(value)
        return None

    def _peek(self, field: str) -> str:
        """A setting these names depend on, with the precedence the settings themselves use."""
        if field in self.current_state:
            return str(self.current_state[field])
        value = self._variable(field)
        if value is not None:
            return value
        return str(self.settings_cls.model_fields[field].default or "")

    def __call__(self) -> dict[str, Any]:
        service = self._peek("service_name")
        user = self._peek("nats_user") or nats_user_for(service, self._peek("environment") or None)
        defaults = {"service_client_secret": dev_client_secret(service), "nats_password": dev_nats_password(user)}
        return {
            field: SecretStr(self._variable(variable) or defaults[field])
            for field, variable in own_secret_variables(service, user).items()
        }


def with_credentials(url: str, user: str, password: str) -> str:
    """``nats://host:port`` -> ``nats://user:password@host:port`` (each server of a comma-separated list); a URL
    that already names a user keeps it."""
    servers = []
    for server in url.split(","):
        parts = urlsplit(server.strip())
        if parts.username is None and parts.hostname:
            netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.netloc}"
            parts = parts._replace(netloc=netloc)
        servers.append(urlunsplit(parts))
    return ",".join(servers)


class KitSettings(BaseSettings):
    """Settings every service shares. A service subclasses it and sets ``service_name``."""

    model_config = SettingsConfigDict(
        env_prefix="INTERVU_",
        env_file=REPO_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    service_name: str = "kit"
    # Production unless told otherwise: a deployment that forgets to say gets the checks (no development secrets,
    # an explicit database); development opts in (the repository's .env, written by `make setup`, says so).
    environment: Environment = Environment.PRODUCTION
    log_level: str = "INFO"
    log_json: bool = True
    # JSON bodies are small (the longest is a policy's markdown, 200,000 characters); uploads are streamed apart.
    max_body_bytes: int = 1_048_576
    # Requests one caller (a token, or an address without one) may make per window, per process (0: no limit).
    # A person practising makes a few a second at most; the results page's stream is one long request. Unset: 300,
    # except in tests (which fire thousands of requests with one token on purpose, e.g. schemathesis).
    rate_limit: int | None = None
    rate_window_s: float = 10.0

    # --- PostgreSQL: one database and one role per service -------------------------------------
    database_url: SecretStr | None = None
    pg_host: str = "127.0.0.1"
    pg_port: int = 55432
    db_password: SecretStr = SecretStr(DEV_SECRETS["db_password"])
    db_pool_size: int = 5

    # --- NATS JetStream ------------------------------------------------------------------------
    # After validation the URL carries this process's NATS user and password (``nats://user:password@host``), so
    # every connection made from these settings (relay, consumers, the API's readiness check, tests) authenticates
    # without each caller handling credentials; events.broker takes them out again before connecting, so the NATS
    # client never shows them. Kept out of repr for the same reason.
    nats_url: str = Field("nats://127.0.0.1:14222", repr=False)
    # Empty: the service's own user (its name), or in tests the test user (NATS_TEST_USER).
    nats_user: str = ""
    # Read from INTERVU_<USER>_NATS_PASSWORD (e.g. INTERVU_MEDIA_NATS_PASSWORD, INTERVU_TESTS_NATS_PASSWORD).
    nats_password: SecretStr = SecretStr("")
    # Tests get a stream and subjects of their own, so `make run` and a test run never consume each other's
    # events (empty means: chosen by the environment).
    events_stream: str = ""
    events_subject_prefix: str = ""
    event_max_attempts: int = 5
    # A leased job is tried this often before it is parked: retries wait 2 s, 4 s, 8 s ... (4 minutes in all for
    # 8), so a dependency away for a few minutes (storage, a provider) costs a delay, not the person's answer.
    job_max_attempts: int = 8
    event_ack_wait_s: float = 60.0  # how long a handler may run before JetStream redelivers

    # --- Keycloak ------------------------------------------------------------------------------
    # The public URL is what browsers see and what tokens carry as ``iss``; services fetch keys and
    # service tokens over the internal URL so that they never depend on the TLS proxy.
    keycloak_public_url: str = "https://localhost:8443/auth"
    keycloak_internal_url: str = "http://127.0.0.1:18080/auth"
    keycloak_realm: str = "intervu"
    api_audience: str = "intervu-api"
    # Empty: the service's own client, intervu-svc-<service>; its secret comes from INTERVU_<SERVICE>_CLIENT_SECRET
    # (e.g. INTERVU_ACCOUNTS_CLIENT_SECRET). Which Keycloak roles each client holds: scripts/realm.py.
    service_client_id: str = ""
    # Where the current privacy policy's version is read (accounts' public endpoint), and how long it is cached.
    # Unset: accounts on this machine, except in tests (no accounts server runs there: version 1 stands).
    policy_url: str | None = None
    policy_cache_s: float = 60.0
    # The privacy policy's age limit: a person's token without a date of birth this old is refused everywhere.
    minimum_age: int = 17
    service_client_secret: SecretStr = SecretStr("")
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
    # Encryption at rest requested on every write ("AES256": the store's own keys, SSE-S3; "aws:kms": its KMS; ""
    # only for a store that encrypts everything by itself). The development MinIO has a KMS key for it.
    s3_server_side_encryption: Literal["AES256", "aws:kms", ""] = "AES256"
    s3_access_key: str = "intervu-dev"
    s3_secret_key: SecretStr = SecretStr(DEV_SECRETS["s3_secret_key"])

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        own = _OwnSecrets(settings_cls, env_settings, dotenv_settings)
        return init_settings, own, env_settings, dotenv_settings, file_secret_settings

    @model_validator(mode="after")
    def _own_identities(self) -> KitSettings:
        self.service_client_id = self.service_client_id or service_client_id(self.service_name)
        self.nats_user = self.nats_user or nats_user_for(self.service_name, self.environment.value)
        self.nats_url = with_credentials(self.nats_url, self.nats_user, self.nats_password.get_secret_value())
        return self

    @model_validator(mode="after")
    def _event_stream_per_environment(self) -> KitSettings:
        test = self.environment is Environment.TEST
        self.events_stream = self.events_stream or ("INTERVU_EVENTS_TEST" if test else "INTERVU_EVENTS")
        self.events_subject_prefix = self.events_subject_prefix or ("test.events." if test else "events.")
        if self.policy_url is None and self.environment is not Environment.PRODUCTION:
            # Production has no default (checked with the secrets below): this machine's accounts is a development
            # fact, and in a cluster every gated request would ask a port where accounts does not run.
            self.policy_url = "" if test else "http://127.0.0.1:8101/api/accounts/policy"
        if self.rate_limit is None:
            self.rate_limit = 0 if test else 300
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
        own = own_secret_variables(self.service_name, self.nats_user)
        if self.service_client_secret.get_secret_value() == dev_client_secret(self.service_name):
            offenders.append(own["service_client_secret"])
        if self.nats_password.get_secret_value() == dev_nats_password(self.nats_user):
            offenders.append(own["nats_password"])
        if offenders:
            raise ValueError(
                "development default secrets are refused in production: "
                + ", ".join(f"INTERVU_{o.upper()}" for o in offenders)
            )
        if self.database_url is None:
            raise ValueError("INTERVU_DATABASE_URL is required in production")
        if self.policy_url is None:
            raise ValueError(
                "INTERVU_POLICY_URL is required in production: where the accounts service answers the current "
                "privacy policy (e.g. http://accounts:8101/api/accounts/policy)"
            )
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
    def listen_dsn(self) -> str:
        """The database as plain libpq sees it (asyncpg's LISTEN connections take no SQLAlchemy dialect prefix)."""
        return self.sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)

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
