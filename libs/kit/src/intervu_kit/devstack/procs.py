"""Starting, probing and stopping local processes, with pidfiles so a crashed run can be cleaned up."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from intervu_kit.devstack.config import Paths

Probe = Callable[[], bool]


def is_root() -> bool:
    return os.geteuid() == 0


def http_ok(url: str, *, timeout: float = 1.0, context: ssl.SSLContext | None = None) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:  # noqa: S310
            return bool(200 <= response.status < 300)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def tcp_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def pidfile(name: str) -> Path:
    return Paths.run / f"{name}.pid"


def restarts_file(name: str) -> Path:
    """The supervisor's record of a component's crashes in this run (JSON), read by ``intervu-dev status``."""
    return Paths.run / f"{name}.restarts"


def read_pid(name: str) -> int | None:
    try:
        pid = int(pidfile(name).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still "exists"; it is not running.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


@dataclass
class Component:
    name: str
    argv: Sequence[str]
    ready: Probe
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    timeout_s: float = 60.0
    run_as: str | None = None
    stop_signal: int = signal.SIGTERM

    def start(self) -> int:
        Paths.run.mkdir(parents=True, exist_ok=True)
        Paths.logs.mkdir(parents=True, exist_ok=True)
        log = open(Paths.logs / f"{self.name}.log", "ab")  # noqa: SIM115 - handed to the child
        argv = list(self.argv)
        if self.run_as and is_root():
            argv = ["runuser", "-u", self.run_as, "--", *argv]
        process = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.cwd or Paths.root,
            env={**os.environ, **self.env},
            start_new_session=True,  # its own process group: stopped as a whole, deaf to our Ctrl-C
        )
        log.close()
        pidfile(self.name).write_text(str(process.pid))
        return process.pid

    def running(self) -> bool:
        return read_pid(self.name) is not None

    def stop(self, timeout_s: float = 20.0) -> None:
        stop_pid(self.name, timeout_s, self.stop_signal)


def stop_pid(name: str, timeout_s: float = 20.0, sig: int = signal.SIGTERM) -> None:
    pid = read_pid(name)
    if pid is not None:
        with _suppress_lookup():
            os.killpg(pid, sig)
        deadline = time.monotonic() + timeout_s
        while pid_alive(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.1)
        if pid_alive(pid):
            with _suppress_lookup():
                os.killpg(pid, signal.SIGKILL)
            _reap(pid)
    pidfile(name).unlink(missing_ok=True)
    # Stopped on purpose: its crash record belongs to the run that ended (and `down` cleans up after a crashed run).
    restarts_file(name).unlink(missing_ok=True)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


class _suppress_lookup:
    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: object, tb: object) -> bool:
        return exc_type in (ProcessLookupError, PermissionError)


class Progress:
    """Plain progress lines: readable in a terminal and in CI logs alike."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()

    def step(self, message: str) -> None:
        print(f"  \u2022 {message}", flush=True)

    def done(self, message: str, started: float) -> None:
        print(f"  \u2714 {message} ({time.monotonic() - started:.1f}s)", flush=True)

    def fail(self, message: str) -> None:
        print(f"  \u2718 {message}", file=sys.stderr, flush=True)


def wait_ready(components: Sequence[Component], progress: Progress, started: dict[str, float]) -> None:
    """Wait for all components in parallel; on failure show the tail of the offender's log."""
    pending = {c.name: c for c in components}
    deadline = {c.name: started.get(c.name, time.monotonic()) + c.timeout_s for c in components}
    spinner_at = time.monotonic()
    while pending:
        for name, comp in list(pending.items()):
            if comp.ready():
                progress.done(f"{name} ready", started.get(name, progress.t0))
                del pending[name]
            elif time.monotonic() > deadline[name] or (read_pid(name) is None and pidfile(name).exists()):
                tail = _tail(Paths.logs / f"{name}.log")
                progress.fail(f"{name} did not become ready; last log lines:\n{tail}")
                raise SystemExit(f"{name} failed to start (log: {Paths.logs / (name + '.log')})")
        if pending and time.monotonic() - spinner_at > 10:
            progress.step("still waiting for " + ", ".join(sorted(pending)))
            spinner_at = time.monotonic()
        time.sleep(0.3)


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
