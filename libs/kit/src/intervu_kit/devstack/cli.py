"""``intervu-dev``: the development stack's command line (what ``make run`` and ``make test`` call).

intervu-dev up        start the infrastructure (PostgreSQL, NATS, MinIO, Keycloak) if not running
intervu-dev migrate   apply every service's migrations (development and test databases)
intervu-dev run       up + migrate + every service, worker and the HTTPS proxy; a process that crashes is
                      restarted (after 1 s, doubling to 30 s while it keeps crashing); Ctrl-C stops all
intervu-dev down      stop everything this stack started (also after a crash: pidfiles)
intervu-dev status    what is running, with each component's restarts and last exit in this run
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time

from pydantic import ValidationError

from intervu_kit.devstack.config import DevSettings, Paths
from intervu_kit.devstack.procs import Progress, pidfile, read_pid, stop_pid, wait_ready
from intervu_kit.devstack.stack import (
    ForeignInfrastructure,
    caddy_component,
    infra_components,
    require_own_product_ports,
    service_components,
    stop,
    up_infra,
)
from intervu_kit.devstack.supervisor import Supervisor, read_state, status_line
from intervu_kit.settings import SERVICES, Environment, service_hook


def migrate(progress: Progress, environments: tuple[Environment, ...]) -> None:
    import importlib

    from intervu_kit.migrations import upgrade

    for env in environments:
        t = time.monotonic()
        for svc in SERVICES:
            config = importlib.import_module(f"intervu_{svc}.config")
            settings = config.Settings(environment=env)
            upgrade(Paths.root / "services" / svc, settings)
        progress.done(f"migrations applied ({env.value} databases)", t)
        for svc in SERVICES:
            seeder = service_hook(svc, "seed")
            if seeder is None:
                continue
            t = time.monotonic()
            config = importlib.import_module(f"intervu_{svc}.config")
            summary = asyncio.run(seeder.seed(config.Settings(environment=env)))
            progress.done(f"{svc} seed data ({env.value}): {summary}", t)


def cmd_run(settings: DevSettings) -> int:
    progress = Progress()
    print("Starting Intervu (Ctrl-C stops everything)", flush=True)
    require_own_product_ports(settings)
    started = up_infra(settings, progress)
    apps = [*service_components(settings), caddy_component(settings)]
    # Everything this run starts is supervised: restarted when it crashes, stopped on Ctrl-C. Infrastructure that
    # was already running (`make up`, a test run) belongs to whoever started it and is left alone, as before.
    infra = {c.name: c for c in infra_components(settings)}
    supervisor = Supervisor(progress)
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    # Installed explicitly: a shell that starts us in the background hands us SIGINT ignored.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        for name in started:
            supervisor.adopt(infra[name])
        migrate(progress, (Environment.DEVELOPMENT,))
        started_at: dict[str, float] = {}
        for comp in apps:
            if comp.running():
                stop_pid(comp.name)  # a leftover from a crashed run: replace it with this code
            started_at[comp.name] = time.monotonic()
            supervisor.start(comp)
        progress.step(f"starting {len(SERVICES)} services, their workers and the HTTPS proxy")
        wait_ready(apps, progress, started_at)
        base = f"https://localhost:{settings.https_port}"
        print(
            f"\nIntervu is ready: {base}  (http://localhost:{settings.http_port} redirects there)\n"
            f"  API docs:   {base}/api/<service>/docs\n"
            f"  Keycloak:   {base}/auth/admin  (development admin: see .env)\n"
            f"  Local CA:   {Paths.caddy_root_ca()}  (trust it to avoid the browser warning)\n"
            f"  Logs:       {Paths.logs}\n"
            "A process that crashes is restarted (`make status` shows restarts). Press Ctrl-C to stop.",
            flush=True,
        )
        # One crashed process must not take the product down: the supervisor restarts it while the rest keeps
        # serving. It returns only when another command (`intervu-dev down`) stopped everything it watched.
        supervisor.run()
        print("Everything was stopped by another command.", flush=True)
        return 0
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        supervisor.stop()
        print("Stopped.", flush=True)


def cmd_status(settings: DevSettings) -> int:
    names = [c.name for c in infra_components(settings)]
    names += [c.name for c in service_components(settings)] + ["caddy"]
    now = time.time()
    for name in names:
        print(status_line(name, read_pid(name), read_state(name), now))
    return 0


def cmd_down(settings: DevSettings) -> int:
    names = [c.name for c in infra_components(settings)]
    names += [c.name for c in service_components(settings)] + ["caddy"]
    # A pidfile whose process is gone is a crashed component that a running `intervu-dev run` is about to start
    # again: removing its pidfile (stop_pid does) tells that supervisor it was stopped on purpose.
    stop([n for n in names if pidfile(n).exists()], settings, Progress())
    return 0


def cmd_reset_keycloak(settings: DevSettings) -> int:
    import asyncio

    import asyncpg

    stop_pid("keycloak")

    async def reset() -> None:
        conn = await asyncpg.connect(
            host="127.0.0.1",
            port=settings.pg_port,
            user="postgres",
            database="postgres",
            password=settings.pg_superuser_password.get_secret_value(),
        )
        try:
            await conn.execute("DROP DATABASE IF EXISTS keycloak WITH (FORCE)")
        finally:
            await conn.close()

    asyncio.run(reset())
    print("Keycloak's database dropped; `make up` or `make run` imports deploy/keycloak/intervu-realm.json again.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="intervu-dev", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["up", "migrate", "run", "down", "status", "reset-keycloak"])
    args = parser.parse_args(argv)
    try:
        settings = DevSettings()
    except ValidationError as exc:
        print(f"intervu-dev: the settings are not valid:\n{exc}", file=sys.stderr)
        return 2
    if settings.environment is Environment.PRODUCTION:
        print("intervu-dev is for development only (INTERVU_ENVIRONMENT=production)", file=sys.stderr)
        return 2
    try:
        return _command(args.command, settings)
    except ForeignInfrastructure as exc:
        print(f"intervu-dev: {exc}", file=sys.stderr)
        return 2


def _command(command: str, settings: DevSettings) -> int:
    if command == "up":
        started = up_infra(settings, Progress())
        print("started: " + (", ".join(started) or "nothing (already running)"))
        return 0
    if command == "migrate":
        migrate(Progress(), (Environment.DEVELOPMENT, Environment.TEST))
        return 0
    if command == "run":
        return cmd_run(settings)
    if command == "down":
        return cmd_down(settings)
    if command == "reset-keycloak":
        return cmd_reset_keycloak(settings)
    return cmd_status(settings)


if __name__ == "__main__":
    raise SystemExit(main())
