"""Keeping `make run` serving when one of its processes dies.

On one machine (how people self-host Intervu) a crashed service, worker, proxy or piece of infrastructure is
started again, after a pause that doubles while it keeps crashing, and the rest of the product keeps serving.
Only Ctrl-C (SIGINT or SIGTERM to ``intervu-dev run``) stops everything.

The decisions (how long to wait, when a crash starts a new incident, how an exit and a status read) are a pure
core with no I/O, tested on their own: :class:`Backoff`, :class:`RestartState`, :func:`describe_exit` and
:func:`status_line`. :class:`Supervisor` is the thin loop around processes, pidfiles and the state files that
``intervu-dev status`` reads (``<name>.restarts``, next to the pidfiles).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from dataclasses import asdict, dataclass, field

from intervu_kit.devstack.config import Paths
from intervu_kit.devstack.procs import Component, Progress, pid_alive, pidfile, restarts_file

# --- the pure core -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backoff:
    """How long to wait before starting a crashed component again.

    The first restart is quick (a one-off crash should cost a second, not a minute); a component that keeps
    crashing waits twice as long each time, up to ``cap_s``, so a crash loop neither burns the CPU the rest of
    the product needs nor floods the terminal. One that stayed up ``healthy_after_s`` was healthy: its next crash
    is a new incident and starts from ``first_s`` again.
    """

    first_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 30.0
    healthy_after_s: float = 60.0

    def delay(self, streak: int) -> float:
        """The pause before the ``streak``-th restart in a row (1 for the first)."""
        if streak < 1:
            raise ValueError(f"streak counts from 1, got {streak}")
        # The exponent is bounded so a component crashing for days cannot overflow the float.
        return min(self.cap_s, self.first_s * self.factor ** min(streak - 1, 64))


@dataclass
class RestartState:
    """What is known about one component's crashes in this run; also what ``intervu-dev status`` shows.

    Times are wall-clock seconds (``time.time()``): they are shown to people and read by another process.
    """

    restarts: int = 0
    streak: int = 0
    last_exit: str | None = None
    last_exit_at: float | None = None
    restart_at: float | None = None  # when the pending restart is due; None when none is pending

    def crashed(self, policy: Backoff, *, uptime_s: float, exit: str, now: float) -> float:
        """Record an exit after ``uptime_s`` seconds up; returns how long to wait before starting it again."""
        self.streak = 1 if uptime_s >= policy.healthy_after_s else self.streak + 1
        delay = policy.delay(self.streak)
        self.last_exit = exit
        self.last_exit_at = now
        self.restart_at = now + delay
        return delay

    def restarted(self) -> None:
        self.restarts += 1
        self.restart_at = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> RestartState:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a restart state")
        return cls(**{k: data[k] for k in ("restarts", "streak", "last_exit", "last_exit_at", "restart_at")})


def describe_exit(status: int | None) -> str:
    """A wait status (``os.waitpid``) in words; None when the process was not our child, so only its absence is
    known."""
    if status is None:
        return "exited (status unknown)"
    if os.WIFSIGNALED(status):
        return f"killed by {_signal_name(os.WTERMSIG(status))}"
    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        # A wrapper (runuser for PostgreSQL as root, a shell script) reports its child's death as 128 + signal.
        if code > 128 and _is_signal(code - 128):
            return f"exit code {code} (the program was killed by {_signal_name(code - 128)})"
        return f"exit code {code}"
    return f"wait status {status}"


def _is_signal(number: int) -> bool:
    try:
        signal.Signals(number)
    except ValueError:
        return False
    return True


def _signal_name(number: int) -> str:
    return f"signal {number} ({signal.Signals(number).name})" if _is_signal(number) else f"signal {number}"


def _clock(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def _seconds(value: float) -> str:
    text = f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text} s"


def status_line(name: str, pid: int | None, state: RestartState | None, now: float) -> str:
    """One line of ``intervu-dev status``."""
    if pid is not None:
        what = f"running (pid {pid})"
    elif state is not None and state.restart_at is not None:
        due = state.restart_at - now
        what = f"crashed, restarting in {_seconds(due)}" if due > 0 else "crashed, restarting now"
    elif state is not None:
        # Supervised (its record exists only while a run watches it) but gone: the supervisor has yet to notice,
        # or that run itself was killed.
        what = "not running"
    else:
        what = "stopped"
    if state is not None and state.last_exit is not None and state.last_exit_at is not None:
        what += f"  restarts: {state.restarts}, last exit: {state.last_exit} at {_clock(state.last_exit_at)}"
    return f"{name:24s} {what}"


# --- state files (read by `intervu-dev status` from another process) --------------------------------------


def read_state(name: str) -> RestartState | None:
    try:
        return RestartState.from_json(restarts_file(name).read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_state(name: str, state: RestartState) -> None:
    path = restarts_file(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(state.to_json())
    os.replace(tmp, path)  # atomic: `status` never reads half a file


# --- the loop -----------------------------------------------------------------------------------------------


@dataclass
class _Watched:
    component: Component
    pid: int | None
    started_at: float  # time.monotonic()
    state: RestartState = field(default_factory=RestartState)
    due: float | None = None  # time.monotonic() when a pending restart is due
    ready_by: float | None = None  # set after a restart until its probe passes: when to stop waiting for it


def _exit_status(pid: int | None) -> tuple[bool, int | None]:
    """(exited, wait status or None when unknown), without blocking."""
    if pid is None:
        return True, None
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        # Not our child (already reaped, or started by an earlier process): we see that it is gone, not why.
        return not pid_alive(pid), None
    return (done != 0), (status if done else None)


class Supervisor:
    """Starts components, notices when one exits and starts it again after :class:`Backoff`'s pause.

    ``intervu-dev run`` uses it for everything it started; :meth:`run` returns only when nothing is left to
    supervise (another command stopped it all), otherwise Ctrl-C's KeyboardInterrupt ends it, and :meth:`stop`
    stops every component, last started first.
    """

    def __init__(self, progress: Progress | None = None, policy: Backoff | None = None, interval_s: float = 0.5):
        self.progress = progress or Progress()
        self.policy = policy or Backoff()
        self.interval_s = interval_s
        self._watched: dict[str, _Watched] = {}  # in start order: stopped in reverse

    @property
    def names(self) -> list[str]:
        return list(self._watched)

    def start(self, component: Component) -> int:
        """Start a component and supervise it."""
        pid = component.start()
        self._watch(component, pid)
        return pid

    def adopt(self, component: Component) -> None:
        """Supervise a component that is already running (started by ``up_infra`` for this run)."""
        self._watch(component, _pid_in_file(component.name))

    def _watch(self, component: Component, pid: int | None) -> None:
        watched = _Watched(component, pid, time.monotonic())
        self._watched[component.name] = watched
        write_state(component.name, watched.state)  # from zero: `status` must not show an earlier run's crashes

    def run(self, until: threading.Event | None = None) -> None:
        stop = until or threading.Event()
        while self._watched and not stop.is_set():
            self.poll()
            stop.wait(self.interval_s)  # interruptible: Ctrl-C's KeyboardInterrupt arrives here

    def poll(self) -> None:
        """One pass: notice exits, start again what is due, say when a restarted component is ready."""
        for watched in list(self._watched.values()):
            now = time.monotonic()
            if watched.due is not None:
                if now >= watched.due:
                    self._restart(watched, now)
                continue
            exited, status = _exit_status(watched.pid)
            if exited:
                self._exited(watched, status, now)
            elif watched.ready_by is not None:
                self._check_ready(watched, now)

    def _still_ours(self, watched: _Watched) -> bool:
        # Only stop_pid removes a pidfile: when it is gone (or names another process), another command
        # (`intervu-dev down`, `reset-keycloak`, `up`) stopped or replaced this component on purpose.
        name = watched.component.name
        if watched.pid is not None and _pid_in_file(name, alive_only=False) == watched.pid:
            return True
        self.progress.step(f"[{_clock(time.time())}] {name} was stopped by another command; not restarting it")
        del self._watched[name]
        return False

    def _exited(self, watched: _Watched, status: int | None, now: float) -> None:
        if not self._still_ours(watched):
            return
        name = watched.component.name
        uptime = now - watched.started_at
        what = describe_exit(status)
        delay = watched.state.crashed(self.policy, uptime_s=uptime, exit=what, now=time.time())
        write_state(name, watched.state)
        watched.due = now + delay
        watched.ready_by = None
        self.progress.fail(
            f"[{_clock(time.time())}] {name} {what} after {_seconds(uptime)} up; restarting it in {_seconds(delay)}"
            f" (log: {Paths.logs / (name + '.log')})"
        )

    def _restart(self, watched: _Watched, now: float) -> None:
        if not self._still_ours(watched):
            return
        name = watched.component.name
        if watched.pid is not None:
            # Whatever the dead process left in its group (PostgreSQL's backends, say) would hold its port or
            # shared memory and make the new one fail. The group id lives only while such leftovers do.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(watched.pid, signal.SIGKILL)
        try:
            pid = watched.component.start()
        except OSError as exc:  # the binary vanished, the disk is full...: try again later, like a crash
            delay = watched.state.crashed(self.policy, uptime_s=0.0, exit=f"could not start: {exc}", now=time.time())
            write_state(name, watched.state)
            watched.due = now + delay
            self.progress.fail(
                f"[{_clock(time.time())}] {name} could not start ({exc}); trying again in {_seconds(delay)}"
            )
            return
        watched.pid = pid
        watched.started_at = now
        watched.due = None
        watched.ready_by = now + watched.component.timeout_s
        watched.state.restarted()
        write_state(name, watched.state)
        self.progress.step(f"[{_clock(time.time())}] {name} restarted (pid {pid}, restart {watched.state.restarts})")

    def _check_ready(self, watched: _Watched, now: float) -> None:
        name = watched.component.name
        if watched.component.ready():
            watched.ready_by = None
            self.progress.done(f"[{_clock(time.time())}] {name} ready again", watched.started_at)
        elif watched.ready_by is not None and now > watched.ready_by:
            # Not restarted again for this: it is running, and a real exit is what triggers a restart.
            watched.ready_by = None
            self.progress.fail(
                f"{name} is running but not ready {watched.component.timeout_s:.0f} s after its restart;"
                f" see {Paths.logs / (name + '.log')}"
            )

    def stop(self) -> None:
        """Stop everything supervised, last started first (services before the infrastructure they use)."""
        for name in reversed(list(self._watched)):
            self._watched.pop(name).component.stop()
            self.progress.step(f"stopped {name}")


def _pid_in_file(name: str, *, alive_only: bool = True) -> int | None:
    try:
        pid = int(pidfile(name).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if not alive_only or pid_alive(pid) else None
