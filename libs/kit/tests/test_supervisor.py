"""`make run` keeps serving when one process dies: the restart policy on its own, then real processes killed
under the same Supervisor that `intervu-dev run` uses."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from intervu_kit.devstack.config import Paths
from intervu_kit.devstack.procs import Component, Progress, pid_alive, pidfile, read_pid, restarts_file, stop_pid
from intervu_kit.devstack.supervisor import (
    Backoff,
    RestartState,
    Supervisor,
    describe_exit,
    read_state,
    status_line,
    write_state,
)

pytestmark = pytest.mark.slow  # models or servers of its own: `make test`, not `make test-unit`

# --- the pure core ----------------------------------------------------------------------------------------


def test_the_pause_doubles_from_one_second_up_to_the_cap() -> None:
    policy = Backoff(first_s=1.0, factor=2.0, cap_s=30.0)
    assert [policy.delay(n) for n in range(1, 8)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert policy.delay(100_000) == 30.0  # a crash loop for days: still the cap, no overflow
    with pytest.raises(ValueError, match="streak"):
        policy.delay(0)


def test_quick_crashes_escalate_and_a_healthy_spell_starts_over() -> None:
    policy = Backoff(first_s=1.0, factor=2.0, cap_s=30.0, healthy_after_s=60.0)
    state = RestartState()
    delays = []
    for i in range(6):
        delays.append(state.crashed(policy, uptime_s=5.0, exit="exit code 1", now=1000.0 + i))
        state.restarted()
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0]
    assert state.restarts == 6 and state.restart_at is None

    # Up for a minute, then a crash: a new incident, not the old loop's 30 s pause.
    assert state.crashed(policy, uptime_s=60.0, exit="killed by signal 9 (SIGKILL)", now=2000.0) == 1.0
    assert state.streak == 1
    assert state.restart_at == 2001.0
    assert (state.last_exit, state.last_exit_at) == ("killed by signal 9 (SIGKILL)", 2000.0)
    assert state.restarts == 6  # counted when it is actually started again
    assert RestartState.from_json(state.to_json()) == state


def test_an_exit_is_described_with_its_code_or_signal() -> None:
    assert describe_exit(3 << 8) == "exit code 3"
    assert describe_exit(0) == "exit code 0"
    assert describe_exit(signal.SIGKILL) == "killed by signal 9 (SIGKILL)"
    assert describe_exit(signal.SIGSEGV) == "killed by signal 11 (SIGSEGV)"
    # runuser (PostgreSQL as root) and shells report their child's death as 128 + the signal.
    assert describe_exit(137 << 8) == "exit code 137 (the program was killed by signal 9 (SIGKILL))"
    assert describe_exit(None) == "exited (status unknown)"


def test_status_lines() -> None:
    assert status_line("nats", 42, None, 0.0).split() == ["nats", "running", "(pid", "42)"]
    assert status_line("nats", None, None, 0.0).split() == ["nats", "stopped"]
    assert status_line("nats", 42, RestartState(), 0.0).split() == ["nats", "running", "(pid", "42)"]

    state = RestartState()
    state.crashed(Backoff(), uptime_s=1.0, exit="exit code 1", now=1000.0)
    pending = status_line("media-worker", None, state, 1000.4)
    assert "crashed, restarting in 0.6 s" in pending and "restarts: 0, last exit: exit code 1 at " in pending
    assert "crashed, restarting now" in status_line("media-worker", None, state, 1002.0)
    state.restarted()
    running = status_line("media-worker", 7, state, 1001.0)
    assert "running (pid 7)" in running and "restarts: 1, last exit: exit code 1 at " in running
    # Restarted, then gone again before the supervisor noticed: not "stopped", which would say nobody will act.
    assert "not running  restarts: 1" in status_line("media-worker", None, state, 1001.0)


# --- real processes ---------------------------------------------------------------------------------------


@pytest.fixture
def private_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Pidfiles, state files and logs in a temporary folder: the real stack's files stay untouched."""
    monkeypatch.setattr(Paths, "run", tmp_path / "run")
    monkeypatch.setattr(Paths, "logs", tmp_path / "logs")
    return tmp_path


def _sleeper(name: str, cwd: Path) -> Component:
    return Component(
        name=name,
        argv=[sys.executable, "-c", "import time; time.sleep(60)"],
        ready=lambda: read_pid(name) is not None,
        cwd=cwd,
        timeout_s=10,
    )


def _wait_for(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_killed_process_is_restarted_while_the_others_keep_running(
    private_paths: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    worker, api = _sleeper("supervisor-test-worker", private_paths), _sleeper("supervisor-test-api", private_paths)
    supervisor = Supervisor(Progress())  # the default policy: the first restart comes after 1 s
    stop = threading.Event()
    loop = threading.Thread(target=supervisor.run, args=(stop,), daemon=True)
    pids: list[int] = []
    said: list[str] = []  # what the terminal shows, stdout and stderr together

    def terminal() -> str:
        out, err = capsys.readouterr()
        said.extend([out, err])
        return "".join(said)

    try:
        worker_pid = supervisor.start(worker)
        api_pid = supervisor.start(api)
        pids += [worker_pid, api_pid]
        loop.start()

        os.kill(worker_pid, signal.SIGKILL)
        assert _wait_for(lambda: read_pid(worker.name) not in (None, worker_pid), 5.0), "not restarted in 5 s"
        new_pid = read_pid(worker.name)
        assert new_pid is not None
        pids.append(new_pid)
        state = read_state(worker.name)
        assert state is not None
        assert state.restarts == 1
        assert state.last_exit == "killed by signal 9 (SIGKILL)"
        assert state.restart_at is None

        # The other one was never touched.
        assert read_pid(api.name) == api_pid
        assert (api_state := read_state(api.name)) is not None and api_state.restarts == 0

        assert _wait_for(lambda: "supervisor-test-worker ready again" in terminal(), 3.0)
    finally:
        stop.set()
        loop.join(timeout=5)
        supervisor.stop()
    assert not loop.is_alive()
    shown = terminal()
    assert "supervisor-test-worker killed by signal 9 (SIGKILL)" in shown
    assert str(private_paths / "logs" / "supervisor-test-worker.log") in shown
    assert f"supervisor-test-worker restarted (pid {new_pid}, restart 1)" in shown
    assert "supervisor-test-api" not in shown.replace("stopped supervisor-test-api", "")
    # Stopping the supervisor stops both, and leaves no pidfile or crash record behind.
    assert _wait_for(lambda: not any(pid_alive(pid) for pid in pids), 5.0)
    for name in (worker.name, api.name):
        assert not pidfile(name).exists() and not restarts_file(name).exists()


def test_a_process_stopped_by_another_command_is_not_restarted(private_paths: Path) -> None:
    component = _sleeper("supervisor-test-stopped", private_paths)
    supervisor = Supervisor(Progress())
    pid = supervisor.start(component)
    loop = threading.Thread(target=supervisor.run, daemon=True)
    loop.start()
    try:
        stop_pid(component.name)  # what `intervu-dev down` does
        # With nothing left to supervise, `run` returns (and `intervu-dev run` with it) instead of restarting.
        loop.join(timeout=4)
        assert not loop.is_alive(), "the supervisor is still running"
        assert read_pid(component.name) is None and not pid_alive(pid)
        assert supervisor.names == []
    finally:
        supervisor.stop()


def test_a_fresh_run_starts_from_zero_restarts(private_paths: Path) -> None:
    stale = RestartState(restarts=4, streak=2, last_exit="exit code 1", last_exit_at=1.0)
    write_state("supervisor-test-fresh", stale)
    component = _sleeper("supervisor-test-fresh", private_paths)
    supervisor = Supervisor(Progress())
    try:
        supervisor.start(component)
        assert read_state(component.name) == RestartState()
    finally:
        supervisor.stop()
