"""The whole product as `make run` starts it (`intervu-dev run`), for tests that need every service behind the
HTTPS proxy: the devstack's own test and the web app's browser tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field

from intervu_kit.devstack.config import Paths


@dataclass
class RunningProduct:
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def stop(self, timeout_s: float = 90) -> int:
        """Ctrl-C, as a person would; returns the exit code (killed, and raising, past the timeout)."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def start_product(timeout_s: float = 300) -> RunningProduct:
    """Start `intervu-dev run` in the development environment and wait for "Intervu is ready"; the output is
    kept (an AssertionError carries it when the product does not come up in time)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "intervu_kit.devstack.cli", "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "INTERVU_ENVIRONMENT": "development"},
        cwd=Paths.root,
    )
    running = RunningProduct(process)

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.lines.append(line)
            if "Intervu is ready" in line:
                running.ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not running.ready.wait(timeout_s):
        running.stop()
        raise AssertionError(f"`intervu-dev run` was not ready in {timeout_s:.0f} s:\n{running.output[-3000:]}")
    return running
