"""Each service reads its own Keycloak client secret and NATS password, from variables that name it."""

from __future__ import annotations

import pytest
from intervu_kit.settings import (
    NATS_TEST_USER,
    REPO_ROOT,
    SERVICES,
    Environment,
    KitSettings,
    dev_client_secret,
    dev_nats_password,
)
from pydantic import SecretStr, ValidationError


def test_each_service_has_its_own_client_and_nats_user_with_documented_development_defaults() -> None:
    media = KitSettings(service_name="media", environment=Environment.DEVELOPMENT, _env_file=None)
    assert media.service_client_id == "intervu-svc-media"
    assert media.service_client_secret.get_secret_value() == dev_client_secret("media")
    assert media.nats_user == "media"
    assert media.nats_password.get_secret_value() == dev_nats_password("media")
    # Tests connect as the test user, whatever the service.
    tests = KitSettings(service_name="media", environment=Environment.TEST, _env_file=None)
    assert (tests.nats_user, tests.service_client_id) == ("tests", "intervu-svc-media")


def test_secrets_come_from_the_services_own_variables_never_the_shared_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVU_ACCOUNTS_CLIENT_SECRET", "accounts-secret")
    monkeypatch.setenv("INTERVU_ACCOUNTS_NATS_PASSWORD", "accounts-nats")
    monkeypatch.setenv("INTERVU_TESTS_NATS_PASSWORD", "tests-nats")
    # The old shared variable (still in older .env files) must not become every service's secret.
    monkeypatch.setenv("INTERVU_SERVICE_CLIENT_SECRET", "shared")
    monkeypatch.setenv("INTERVU_NATS_PASSWORD", "shared")
    development = Environment.DEVELOPMENT  # tests run with INTERVU_ENVIRONMENT=test
    accounts = KitSettings(service_name="accounts", environment=development, _env_file=None)
    assert accounts.service_client_secret.get_secret_value() == "accounts-secret"
    assert accounts.nats_password.get_secret_value() == "accounts-nats"
    media = KitSettings(service_name="media", environment=development, _env_file=None)  # its own are unset
    assert media.service_client_secret.get_secret_value() == dev_client_secret("media")
    assert media.nats_password.get_secret_value() == dev_nats_password("media")
    in_tests = KitSettings(service_name="accounts", environment=Environment.TEST, _env_file=None)
    assert in_tests.nats_password.get_secret_value() == "tests-nats"
    # A value given to the constructor still wins.
    given = KitSettings(service_name="accounts", service_client_secret=SecretStr("given"), _env_file=None)
    assert given.service_client_secret.get_secret_value() == "given"


def test_a_services_own_dev_defaults_are_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    real = {
        "environment": Environment.PRODUCTION,
        "database_url": SecretStr("postgresql+asyncpg://svc:real@db/svc"),
        "storage_signing_key": SecretStr("a-real-signing-key"),
        "policy_url": "http://accounts:8101/api/accounts/policy",
        "_env_file": None,
    }
    with pytest.raises(ValidationError) as refused:
        KitSettings(service_name="notifications", **real)  # type: ignore[arg-type]
    assert "INTERVU_NOTIFICATIONS_CLIENT_SECRET" in str(refused.value)
    assert "INTERVU_NOTIFICATIONS_NATS_PASSWORD" in str(refused.value)
    monkeypatch.setenv("INTERVU_NOTIFICATIONS_CLIENT_SECRET", "real-client-secret")
    monkeypatch.setenv("INTERVU_NOTIFICATIONS_NATS_PASSWORD", "real-nats-password")
    settings = KitSettings(service_name="notifications", **real)  # type: ignore[arg-type]
    assert settings.nats_url.startswith("nats://notifications:real-nats-password@")


def test_env_example_documents_every_services_development_defaults() -> None:
    lines = (REPO_ROOT / ".env.example").read_text().splitlines()
    documented = dict(line.split("=", 1) for line in lines if line.startswith("INTERVU_"))
    assert "INTERVU_SERVICE_CLIENT_SECRET" not in documented  # the shared secret is gone
    for service in SERVICES:
        assert documented[f"INTERVU_{service.upper()}_CLIENT_SECRET"] == dev_client_secret(service)
    for user in (*SERVICES, NATS_TEST_USER):
        assert documented[f"INTERVU_{user.upper()}_NATS_PASSWORD"] == dev_nats_password(user)
