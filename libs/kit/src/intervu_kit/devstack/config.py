"""Where the development stack keeps things and which ports it uses."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from intervu_kit.settings import DEV_SECRETS, LOCAL_DIR, REPO_ROOT, SERVICES, KitSettings

KEYCLOAK_VERSION = "26.5.6"
SERVICE_PORTS = {name: 8101 + i for i, name in enumerate(SERVICES)}


class DevSettings(KitSettings):
    """Settings only the development stack needs (admin credentials are development-only)."""

    keycloak_admin_user: str = "admin"
    keycloak_admin_password: SecretStr = SecretStr(DEV_SECRETS["keycloak_admin_password"])
    pg_superuser_password: SecretStr = SecretStr(DEV_SECRETS["pg_superuser_password"])
    keycloak_http_port: int = 18080
    keycloak_management_port: int = 19090
    nats_port: int = 14222
    nats_monitor_port: int = 18222
    minio_port: int = 19000
    minio_console_port: int = 19001
    https_port: int = 8443
    # Use PostgreSQL, NATS, MinIO and Keycloak already listening on the ports above although this checkout did not
    # start them (your own servers). Off by default: another checkout's stack on the same ports holds that
    # checkout's data, and a test run or `make run` against it mixes the two (CI once served clips whose files
    # were in another checkout's storage: 404s in the browser).
    dev_shared_infra: bool = False
    http_port: int = 8080


class Paths:
    root: Path = REPO_ROOT
    local: Path = LOCAL_DIR
    bin: Path = LOCAL_DIR / "bin"
    data: Path = LOCAL_DIR / "data"
    logs: Path = LOCAL_DIR / "logs"
    run: Path = LOCAL_DIR / "run"
    keycloak_home: Path = LOCAL_DIR / f"keycloak-{KEYCLOAK_VERSION}"
    realm_file: Path = REPO_ROOT / "deploy" / "keycloak" / "intervu-realm.json"
    caddyfile: Path = REPO_ROOT / "deploy" / "caddy" / "Caddyfile"
    web_dist: Path = REPO_ROOT / "web" / "dist"

    @classmethod
    def caddy_root_ca(cls) -> Path:
        return cls.data / "caddy" / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
