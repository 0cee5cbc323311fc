"""Development defaults are refused outside development."""

from __future__ import annotations

import subprocess
import sys

import pytest
from intervu_kit.settings import REPO_ROOT, Environment, KitSettings
from pydantic import SecretStr, ValidationError


def _production(**overrides: object) -> KitSettings:
    values: dict[str, object] = {
        "environment": Environment.PRODUCTION,
        "database_url": SecretStr("postgresql+asyncpg://svc:real@db/svc"),
        "service_client_secret": SecretStr("a-real-secret"),
        "nats_password": SecretStr("a-real-nats-password"),
        "storage_signing_key": SecretStr("another-real-secret"),
        "keycloak_admin_password": SecretStr("unused-by-services"),
        "policy_url": "http://accounts:8101/api/accounts/policy",
        "_env_file": None,
    }
    values.update(overrides)
    return KitSettings(**values)  # type: ignore[arg-type]


def test_production_with_real_secrets_starts() -> None:
    settings = _production()
    assert settings.sqlalchemy_url == "postgresql+asyncpg://svc:real@db/svc"


@pytest.mark.parametrize(
    ("field", "variable"),
    [
        # Each service's own secrets are named after it (the kit's settings are service "kit").
        ("service_client_secret", "INTERVU_KIT_CLIENT_SECRET"),
        ("nats_password", "INTERVU_KIT_NATS_PASSWORD"),
        ("storage_signing_key", "INTERVU_STORAGE_SIGNING_KEY"),
    ],
)
def test_production_refuses_a_development_secret(field: str, variable: str) -> None:
    # Development's defaults (tests run with INTERVU_ENVIRONMENT=test, whose NATS user is another).
    defaults = KitSettings(environment=Environment.DEVELOPMENT, _env_file=None)
    with pytest.raises(ValidationError, match=variable):
        _production(**{field: getattr(defaults, field)})


def test_production_refuses_the_dev_s3_secret_only_when_s3_is_used() -> None:
    _production()  # local storage: the unused S3 default is harmless
    with pytest.raises(ValidationError, match="INTERVU_S3_SECRET_KEY"):
        _production(storage_backend="s3")


def test_production_requires_an_explicit_database_url() -> None:
    with pytest.raises(ValidationError, match="INTERVU_DATABASE_URL"):
        _production(database_url=None, db_password=SecretStr("x"))


def test_production_requires_where_the_policy_is_read() -> None:
    # Its development default is this machine's accounts: in a cluster every gated request would fail.
    with pytest.raises(ValidationError, match="INTERVU_POLICY_URL is required in production"):
        _production(policy_url=None)


def test_development_derives_one_database_per_service() -> None:
    s = KitSettings(service_name="media", environment=Environment.TEST, _env_file=None)
    assert s.sqlalchemy_url.endswith("@127.0.0.1:55432/intervu_media_test")
    assert "//intervu_media:" in s.sqlalchemy_url


def test_the_dev_stack_refuses_to_run_in_production() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "intervu_kit.devstack.cli", "status"],
        env={"INTERVU_ENVIRONMENT": "production", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert "refused in production" in result.stderr or "development only" in result.stderr


def test_without_being_told_a_service_is_in_production_and_refuses_development_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found from outside: services defaulted to development unless told otherwise, so a deployment that forgot
    INTERVU_ENVIRONMENT ran with the documented development secrets. Development now opts in (.env says so)."""
    monkeypatch.delenv("INTERVU_ENVIRONMENT", raising=False)
    with pytest.raises(ValueError, match="production"):
        KitSettings(_env_file=None)
    assert KitSettings(_env_file=None, environment=Environment.DEVELOPMENT).environment is Environment.DEVELOPMENT
