"""The components of the development stack and how each is prepared, started and checked."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import asyncpg

from intervu_kit.devstack.config import KEYCLOAK_VERSION, SERVICE_PORTS, DevSettings, Paths
from intervu_kit.devstack.procs import (
    Component,
    Progress,
    http_ok,
    is_root,
    pid_alive,
    read_pid,
    tcp_open,
    wait_ready,
)
from intervu_kit.settings import NATS_TEST_USER, SERVICES, Environment, KitSettings

PG_BIN_CANDIDATES = [Path("/usr/lib/postgresql") / v / "bin" for v in ("17", "16", "15")]


def _pg_bin(tool: str) -> str:
    for folder in PG_BIN_CANDIDATES:
        if (folder / tool).exists():
            return str(folder / tool)
    found = shutil.which(tool)
    if found is None:
        raise SystemExit(f"PostgreSQL's {tool} was not found: run `make setup`")
    return found


def _as_postgres(path: Path) -> None:
    """PostgreSQL refuses to run as root: when we are root, its folders belong to the postgres user."""
    path.mkdir(parents=True, exist_ok=True)
    if is_root():
        shutil.chown(path, "postgres", "postgres")


# --- PostgreSQL --------------------------------------------------------------------------------------


def _pg_home() -> Path:
    """Where PostgreSQL's files live. As root, outside the checkout: the postgres user may not be able to
    traverse the path to it (a clone under /root, say), and PostgreSQL refuses to run as root."""
    if is_root():
        tag = hashlib.sha1(str(Paths.root).encode()).hexdigest()[:10]  # noqa: S324 - a name, not security
        return Path("/var/lib/intervu-dev") / tag
    return Paths.data


def pg_data() -> Path:
    return _pg_home() / "postgres"


def postgres_component(s: DevSettings) -> Component:
    sockets = _pg_home() / "sockets"
    return Component(
        name="postgres",
        argv=[
            _pg_bin("postgres"),
            "-D",
            str(pg_data()),
            "-p",
            str(s.pg_port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={sockets}",
            "-c",
            "max_connections=300",
            "-c",
            "fsync=off" if s.environment.value == "test" else "fsync=on",
        ],
        ready=lambda: tcp_open("127.0.0.1", s.pg_port) and _pg_accepts(s),
        run_as="postgres",
        timeout_s=60,
        stop_signal=2,  # SIGINT = "fast" shutdown: do not wait for idle pooled connections
    )


def _pg_accepts(s: DevSettings) -> bool:
    async def probe() -> None:
        conn = await asyncpg.connect(
            host="127.0.0.1",
            port=s.pg_port,
            user="postgres",
            password=s.pg_superuser_password.get_secret_value(),
            database="postgres",
            timeout=2,
        )
        await conn.close()

    try:
        asyncio.run(probe())
        return True
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
        return False


def _checkout_id() -> tuple[str, bool]:
    """This checkout's own id, made on first use (and whether it was made now): a new clone at the same path is
    another checkout, with none of the files the old one's database points at."""
    marker = Paths.local / "checkout-id"
    try:
        return marker.read_text().strip(), False
    except OSError:
        marker.parent.mkdir(parents=True, exist_ok=True)
        made = uuid.uuid4().hex
        marker.write_text(made + "\n")
        return made, True


def _forget_another_checkouts_database(data: Path, port: int) -> None:
    """As root the database lives outside the checkout, under a name made from its path: CI clones to the same path
    every run, and each run found the last one's database, whose rows point at files that went with the last clone
    (every interviewer video a 404). A database made for another checkout at this path is set aside (the newest
    such copy is kept beside it, `postgres.other-checkout`, in case it was wanted) and this one starts afresh."""
    if not is_root():
        return  # inside the checkout (.local/data): it goes with it
    mine, new_checkout = _checkout_id()
    owner = _pg_home() / "checkout-id"
    try:
        recorded: str | None = owner.read_text().strip()
    except OSError:
        recorded = None
    if (data / "PG_VERSION").exists():
        # Before the marker existed: a checkout that has kept files of its own is this database's; a fresh one is not.
        stale = recorded != mine if recorded is not None else new_checkout and not (Paths.data / "storage").exists()
        if not stale:
            owner.write_text(mine + "\n")
            return
        if _postgres_running(data, port):
            return  # never under a running server; and not claimed: the next start decides again
        aside = data.with_name("postgres.other-checkout")
        shutil.rmtree(aside, ignore_errors=True)
        data.rename(aside)
        print(f"  • {data} was made for another checkout at this path: set aside, starting with an empty database",
              flush=True)  # fmt: skip
    owner.write_text(mine + "\n")


def _postgres_running(data: Path, port: int) -> bool:
    """Whether a server runs on this data: its postmaster.pid names a live process, or ours answers the port."""
    try:
        pid = int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        pid = 0
    return (pid > 0 and pid_alive(pid)) or read_pid("postgres") is not None or tcp_open("127.0.0.1", port)


def prepare_postgres(s: DevSettings) -> None:
    data = pg_data()
    _as_postgres(_pg_home())
    _as_postgres(_pg_home() / "sockets")
    _forget_another_checkouts_database(data, s.pg_port)
    if (data / "PG_VERSION").exists():
        return
    _as_postgres(data)
    with tempfile.NamedTemporaryFile("w", delete=False, dir=_pg_home()) as pw:
        pw.write(s.pg_superuser_password.get_secret_value())
    if is_root():
        shutil.chown(pw.name, "postgres", "postgres")
    argv = [
        _pg_bin("initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        f"--pwfile={pw.name}",
        "--auth-local=scram-sha-256",
        "--auth-host=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
    ]
    if is_root():
        argv = ["runuser", "-u", "postgres", "--", *argv]
    try:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    finally:
        os.unlink(pw.name)


def _ident(name: str) -> str:
    assert name.replace("_", "").isalnum(), name
    return f'"{name}"'


async def _bootstrap_databases(s: DevSettings) -> None:
    """One role and one database per service (plus a test database), isolated from each other.

    ``REVOKE CONNECT ... FROM PUBLIC`` is what makes the isolation real: a service's role can connect only to
    its own databases, so it cannot read another service's tables even by mistake. Idempotent.
    """
    conn = await asyncpg.connect(
        host="127.0.0.1",
        port=s.pg_port,
        user="postgres",
        password=s.pg_superuser_password.get_secret_value(),
        database="postgres",
    )
    try:
        password = s.db_password.get_secret_value()
        owners = {f"intervu_{svc}": [f"intervu_{svc}", f"intervu_{svc}_test"] for svc in SERVICES}
        owners["keycloak"] = ["keycloak"]
        owners["intervu_kit"] = ["intervu_kit_test"]  # the kit's own tests (outbox, inbox, sessions)
        for role, databases in owners.items():
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            verb = "ALTER" if exists else "CREATE"
            # Passwords cannot be bound parameters in DDL; the value comes from our own settings.
            quoted = password.replace("'", "''")
            await conn.execute(f"{verb} ROLE {_ident(role)} LOGIN PASSWORD '{quoted}'")
            for db in databases:
                if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", db):
                    await conn.execute(f"CREATE DATABASE {_ident(db)} OWNER {_ident(role)}")
                await conn.execute(f"REVOKE ALL ON DATABASE {_ident(db)} FROM PUBLIC")
                await conn.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {_ident(db)} TO {_ident(role)}")
    finally:
        await conn.close()


def bootstrap_databases(s: DevSettings) -> None:
    asyncio.run(_bootstrap_databases(s))


# --- NATS ----------------------------------------------------------------------------------------------


def nats_passwords() -> dict[str, str]:
    """Each NATS user's password, as the processes that connect as it read it (their variable, else the documented
    development default): the server gets the same values, so the two cannot disagree."""
    from intervu_kit.devstack.nats import password_variable, users

    out = {}
    for user in users(development=True):
        environment = Environment.TEST if user == NATS_TEST_USER else Environment.DEVELOPMENT
        settings = KitSettings(service_name=user, environment=environment, nats_user=user)
        out[password_variable(user)] = settings.nats_password.get_secret_value()
    return out


def nats_component(s: DevSettings) -> Component:
    from intervu_kit.devstack.nats import DEVELOPMENT_FILE

    store = Paths.data / "nats"
    store.mkdir(parents=True, exist_ok=True)
    binary = shutil.which("nats-server") or str(Paths.bin / "nats-server")
    return Component(
        name="nats",
        argv=[
            binary,
            # The users and what each may publish and subscribe to (deploy/nats, generated from devstack/nats.py).
            "-c",
            str(DEVELOPMENT_FILE),
            "-a",
            "127.0.0.1",
            "-p",
            str(s.nats_port),
            "-m",
            str(s.nats_monitor_port),
            "-js",
            "-sd",
            str(store),
            "-n",
            "intervu-dev",
        ],
        env=nats_passwords(),
        ready=lambda: http_ok(f"http://127.0.0.1:{s.nats_monitor_port}/healthz?js-enabled-only=true"),
        timeout_s=30,
    )


def _nats_requires_auth(s: DevSettings) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{s.nats_monitor_port}/varz", timeout=2) as response:
            return bool(json.load(response).get("auth_required"))
    except (OSError, ValueError):
        return False


def _nats_fingerprint(comp: Component) -> str:
    """What the server was started with that a running one could be missing: its users, permissions, passwords."""
    from intervu_kit.devstack.nats import DEVELOPMENT_FILE

    started_with = json.dumps([list(comp.argv), sorted(comp.env.items()), DEVELOPMENT_FILE.read_text()])
    return hashlib.sha256(started_with.encode()).hexdigest()


def _nats_fingerprint_file() -> Path:
    return Paths.run / "nats.fingerprint"


def start_nats(comp: Component) -> None:
    comp.start()
    _nats_fingerprint_file().write_text(_nats_fingerprint(comp))


def refresh_nats(s: DevSettings, comp: Component, progress: Progress) -> bool:
    """Restart a nats-server we started earlier, still running, when it runs with other users or permissions than
    deploy/nats now gives (or, started before NATS had users, with none: anyone could publish anything). Returns
    whether it restarted. A server we did not start is left alone.

    A restart rather than a reload (SIGHUP): nats-server reloads its file without the command-line flags, so a
    reload would turn JetStream off. Clients reconnect by themselves within a second or two."""
    if read_pid(comp.name) is None:
        return False
    file = _nats_fingerprint_file()
    current = file.read_text() if file.exists() else ""
    if _nats_requires_auth(s) and current == _nats_fingerprint(comp):
        return False
    progress.step("restarting nats: its users or permissions changed (deploy/nats)")
    comp.stop()
    start_nats(comp)
    return True


# --- MinIO (the S3-compatible server) -----------------------------------------------------------------


MINIO_DEV_KMS_KEY = "intervu-dev-key:" + base64.b64encode(hashlib.sha256(b"intervu development only").digest()).decode()


def minio_component(s: DevSettings) -> Component:
    store = Paths.data / "minio"
    store.mkdir(parents=True, exist_ok=True)
    return Component(
        name="minio",
        argv=[
            str(Paths.bin / "minio"),
            "server",
            str(store),
            "--quiet",
            "--address",
            f"127.0.0.1:{s.minio_port}",
            "--console-address",
            f"127.0.0.1:{s.minio_console_port}",
        ],
        env={
            "MINIO_ROOT_USER": s.s3_access_key,
            "MINIO_ROOT_PASSWORD": s.s3_secret_key.get_secret_value(),
            "MINIO_BROWSER": "off",
            # A built-in KMS key so SSE-S3 (what S3Storage requests on every write) works as on AWS: development
            # only (a documented key; production's store has its own keys).
            "MINIO_KMS_SECRET_KEY": MINIO_DEV_KMS_KEY,
            "MINIO_UPDATE": "off",
        },
        ready=lambda: http_ok(f"http://127.0.0.1:{s.minio_port}/minio/health/ready"),
        timeout_s=60,
    )


# --- Keycloak --------------------------------------------------------------------------------------


def keycloak_component(s: DevSettings) -> Component:
    home = Paths.keycloak_home
    if not (home / "bin" / "kc.sh").exists():
        raise SystemExit(f"Keycloak {KEYCLOAK_VERSION} is not installed: run `make setup`")
    imports = home / "data" / "import"
    imports.mkdir(parents=True, exist_ok=True)
    # Imported once, when the realm does not exist yet (`intervu-dev reset-keycloak` forces a re-import).
    shutil.copy(Paths.realm_file, imports / "intervu-realm.json")
    realm_url = f"http://127.0.0.1:{s.keycloak_http_port}/auth/realms/{s.keycloak_realm}"
    return Component(
        name="keycloak",
        argv=[
            str(home / "bin" / "kc.sh"),
            "start-dev",
            "--import-realm",
            f"--http-port={s.keycloak_http_port}",
            "--http-host=127.0.0.1",
            "--http-relative-path=/auth",
            f"--http-management-port={s.keycloak_management_port}",
            f"--hostname={s.keycloak_public_url}",
            "--hostname-backchannel-dynamic=true",
            "--proxy-headers=xforwarded",
            "--health-enabled=true",
            "--db=postgres",
            f"--db-url=jdbc:postgresql://127.0.0.1:{s.pg_port}/keycloak",
            "--db-username=keycloak",
            f"--db-password={s.db_password.get_secret_value()}",
        ],
        env={
            "KC_BOOTSTRAP_ADMIN_USERNAME": s.keycloak_admin_user,
            "KC_BOOTSTRAP_ADMIN_PASSWORD": s.keycloak_admin_password.get_secret_value(),
            # Two cores: keep the JVM's appetite modest.
            "JAVA_OPTS_KC_HEAP": "-XX:MaxRAMPercentage=20 -XX:InitialRAMPercentage=5",
        },
        ready=lambda: http_ok(f"{realm_url}/.well-known/openid-configuration", timeout=2),
        timeout_s=240,
    )


# --- Caddy (TLS reverse proxy), services and workers ----------------------------------------------------


def caddy_component(s: DevSettings) -> Component:
    caddy_home = Paths.data / "caddy"
    web_root = Paths.web_dist if (Paths.web_dist / "index.html").exists() else Paths.root / "web" / "fallback"
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return Component(
        name="caddy",
        argv=[
            shutil.which("caddy") or "caddy",
            "run",
            "--config",
            str(Paths.caddyfile),
            "--adapter",
            "caddyfile",
        ],
        env={
            "XDG_DATA_HOME": str(caddy_home / "data"),
            "XDG_CONFIG_HOME": str(caddy_home / "config"),
            "INTERVU_WEB_ROOT": str(web_root),
            "INTERVU_HTTPS_PORT": str(s.https_port),
            "INTERVU_HTTP_PORT": str(s.http_port),
            "INTERVU_KEYCLOAK_PORT": str(s.keycloak_http_port),
            **{f"INTERVU_{svc.upper()}_PORT": str(port) for svc, port in SERVICE_PORTS.items()},
        },
        ready=lambda: http_ok(f"https://localhost:{s.https_port}/", context=ctx),
        timeout_s=30,
    )


def service_components(s: DevSettings) -> list[Component]:
    python = sys.executable
    out: list[Component] = []
    for svc, port in SERVICE_PORTS.items():
        out.append(
            Component(
                name=f"{svc}-api",
                argv=[
                    python,
                    "-m",
                    "uvicorn",
                    f"intervu_{svc}.main:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--proxy-headers",
                    "--no-access-log",  # the kit writes access lines itself, with the request id
                ],
                ready=lambda port=port: http_ok(f"http://127.0.0.1:{port}/readyz"),  # type: ignore[misc]
                # Sixteen Python processes importing at once on two cores take a while.
                timeout_s=180,
            )
        )
        out.append(
            Component(
                name=f"{svc}-worker",
                argv=[python, "-m", f"intervu_{svc}.worker"],
                # A worker has no port; alive after a few seconds is ready (it retries its own connections).
                ready=lambda name=f"{svc}-worker": _alive_for(name, 2.0),  # type: ignore[misc]
                timeout_s=30,
            )
        )
    return out


_first_seen: dict[tuple[str, int], float] = {}


def _alive_for(name: str, seconds: float) -> bool:
    pid = read_pid(name)
    if pid is None:
        return False
    # Per process, not per name: a worker the supervisor restarted must stay up again before it counts as ready.
    first = _first_seen.setdefault((name, pid), time.monotonic())
    return time.monotonic() - first >= seconds


# --- orchestration ---------------------------------------------------------------------------------------


def infra_components(s: DevSettings) -> list[Component]:
    return [postgres_component(s), nats_component(s), minio_component(s), keycloak_component(s)]


class ForeignInfrastructure(Exception):
    """Something this checkout did not start answers on one of its infrastructure ports."""


def _ours(comp: Component, s: DevSettings) -> None:
    if s.dev_shared_infra or comp.running():
        return
    raise ForeignInfrastructure(
        f"{comp.name} is already answering on its port, but this checkout did not start it (another checkout's "
        f"`make up` or `make run`?). Its data is not this checkout's: stop it there (`make down`), or set "
        "INTERVU_DEV_SHARED_INFRA=true to use servers of your own on these ports."
    )


def foreign_product_ports(s: DevSettings) -> list[int]:
    """The product's own ports (services, the HTTPS proxy) that answer while this checkout runs nothing there.

    A service's readiness probe is its port answering, so `intervu-dev run` used to take another checkout's product
    for its own, and the browser tests reused one serving https://localhost:8443: a CI clone then talked to a
    product reading other databases and another folder's files (the interviewer's clips were 404s).
    """
    ours = {svc: f"{svc}-api" for svc in SERVICE_PORTS}
    ports = [(port, ours[svc]) for svc, port in SERVICE_PORTS.items()]
    ports += [(s.https_port, "caddy"), (s.http_port, "caddy")]
    return [port for port, name in ports if tcp_open("127.0.0.1", port) and read_pid(name) is None]


def require_own_product_ports(s: DevSettings) -> None:
    """Refuse to start (or reuse) a product when something this checkout did not start holds its ports."""
    foreign = foreign_product_ports(s)
    if foreign and not s.dev_shared_infra:
        raise ForeignInfrastructure(
            f"port{'s' if len(foreign) > 1 else ''} {', '.join(map(str, foreign))} answer, but this checkout did not "
            "start what listens there (another checkout's `make run`?). Stop it there (Ctrl-C, `make down`), or "
            "set INTERVU_DEV_SHARED_INFRA=true if it is yours."
        )


def up_infra(s: DevSettings, progress: Progress) -> list[str]:
    """Start whatever infrastructure is not running yet; returns the names it started."""
    started_names: list[str] = []
    started_at: dict[str, float] = {}
    prepare_postgres(s)
    pg = postgres_component(s)
    if pg.ready():
        _ours(pg, s)
    else:
        progress.step("starting postgres")
        started_at["postgres"] = time.monotonic()
        pg.start()
        started_names.append("postgres")
        wait_ready([pg], progress, started_at)
    t = time.monotonic()
    bootstrap_databases(s)
    progress.done("databases and roles in place (one per service)", t)
    others = [nats_component(s), minio_component(s), keycloak_component(s)]
    to_wait = []
    for comp in others:
        if comp.ready():
            _ours(comp, s)
            if comp.name == "nats" and refresh_nats(s, comp, progress):
                started_at[comp.name] = time.monotonic()
                to_wait.append(comp)
            continue
        if comp.running():
            progress.step(f"{comp.name} is starting")
        else:
            progress.step(f"starting {comp.name}")
            if comp.name == "nats":
                start_nats(comp)
            else:
                comp.start()
            started_names.append(comp.name)
        started_at[comp.name] = time.monotonic()
        to_wait.append(comp)
    wait_ready(to_wait, progress, started_at)
    from intervu_kit.devstack.realm import sync_realm

    t = time.monotonic()
    changed = sync_realm(s)
    progress.done(f"Keycloak realm in step with its file ({', '.join(changed) if changed else 'no change'})", t)
    return started_names


def stop(names: list[str], s: DevSettings, progress: Progress) -> None:
    from intervu_kit.devstack.procs import stop_pid

    signals = {"postgres": 2}
    for name in reversed(names):
        stop_pid(name, sig=signals.get(name, 15))
        progress.step(f"stopped {name}")
