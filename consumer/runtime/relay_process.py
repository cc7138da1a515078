"""The outbox relay in a child process that `run` supervises: publishing on the second core.

The outbox in the database stays the only channel for messages: the child publishes the rows the
consumer commits, in id order, and marks them sent. Two pipes join them: the parent writes a byte to
wake the child after each commit (no polling while idle), and the child writes one JSON line for what
it did (published, failed, retried, publishing failing since), which the parent counts into its
metrics and /readyz. A child that dies is started again after a back-off (0.5 s, doubling up to
`relay_restart_max_s`); the lock on the outbox keeps it to one relay at a time.
"""

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import structlog

from consumer.config.env import settings_environment
from consumer.config.settings import Settings
from consumer.runtime import metrics
from consumer.store.database import Database
from consumer.store.outbox import OutboxStore
from producers.relay import drain

log = structlog.get_logger(__name__)
HEALTHY_RUN_S = 60.0  # a child that ran this long before dying is restarted without waiting long


class RelayProcess:
    """Starts, wakes, watches and stops the relay's child process (`runtime/relay_child.py`)."""

    def __init__(self, settings: Settings, database: Database, restart_initial_s: float = 0.5):
        self.settings = settings
        self.outbox = OutboxStore(database)  # for counting; the child publishes
        self.restart_initial_s = restart_initial_s
        self.child: subprocess.Popen | None = None
        self.on_published: Callable[[dict[str, int]], None] = lambda counts: None
        self._publishing: tuple[float | None, str | None] = (None, None)
        self._wake: int | None = None
        self._wake_lock = threading.Lock()
        self._stopping = threading.Event()
        self._supervisor = threading.Thread(target=self._supervise, name="relay-supervisor", daemon=True)

    def start(self) -> None:
        self._supervisor.start()

    def notify(self) -> None:
        with self._wake_lock:  # never a write to a descriptor closed meanwhile (its number may be reused)
            if self._wake is not None:
                with contextlib.suppress(OSError):  # full: a wake is pending already; broken: the child ended
                    os.write(self._wake, b"w")

    def drain(self, timeout_s: float) -> bool:
        return drain(self.outbox, self.notify, timeout_s)

    def publishing(self) -> tuple[float | None, str | None]:
        return self._publishing

    def stop(self) -> None:
        """Let the child finish its round and exit: it reads end-of-file on its wake pipe."""
        self._stopping.set()
        self._close_wake()

    def join(self, timeout: float | None = None) -> None:
        self._supervisor.join(timeout)

    def is_alive(self) -> bool:
        return self._supervisor.is_alive()

    def abandon(self) -> None:
        """Past the shutdown deadline (a broker that is away): end the child now; its unsent rows stay."""
        child = self.child
        if child is not None and child.poll() is None:
            child.kill()

    def _supervise(self) -> None:
        wait = self.restart_initial_s
        while not self._stopping.is_set():
            started = time.monotonic()
            code = self._run_child()
            if self._stopping.is_set():
                break
            wait = self.restart_initial_s if time.monotonic() - started > HEALTHY_RUN_S else wait
            metrics.RELAY_RESTARTS.inc()
            reason = f"outbox relay process exited with code {code}; starting it again"
            self._publishing = (self._publishing[0] or time.monotonic(), reason)
            log.error("outbox relay process exited: starting it again", code=code, wait_s=wait)
            self._stopping.wait(wait)
            wait = min(wait * 2, self.settings.relay_restart_max_s)

    def _run_child(self) -> int:
        """Start the child and follow its reports until it ends; its exit code."""
        wake_read, wake_write = os.pipe()
        status_read, status_write = os.pipe()
        os.set_blocking(wake_write, False)
        command = [
            sys.executable, "-m", "consumer.runtime.relay_child",
            "--wake-fd", str(wake_read), "--status-fd", str(status_write), "--parent-pid", str(os.getpid()),
        ]
        env = dict(os.environ) | settings_environment(self.settings)
        try:
            child = subprocess.Popen(command, env=env, pass_fds=(wake_read, status_write), stdin=subprocess.DEVNULL)
        except OSError as exc:
            for fd in (wake_read, wake_write, status_read, status_write):
                os.close(fd)
            log.error("cannot start the outbox relay process", error=str(exc))
            return -1
        os.close(wake_read)
        os.close(status_write)
        self.child = child
        with self._wake_lock:
            self._wake = wake_write
        if self._stopping.is_set():  # stopped while starting: the child sees end-of-file at once
            self._close_wake()
        else:
            self.notify()  # rows committed before it started
        with os.fdopen(status_read, encoding="utf-8", errors="replace") as reports:
            for line in reports:
                self._apply(line)
        code = child.wait()
        self._close_wake()
        return code

    def _apply(self, line: str) -> None:
        try:
            report = json.loads(line)
        except ValueError:
            return
        if "published" in report:
            for topic, count in report["published"].items():
                metrics.PUBLISHED.labels(topic).inc(count)
            self.on_published(report["published"])
            self._publishing = (None, None)
        elif "failed" in report:
            metrics.OUTBOX_FAILED.labels(*report["failed"]).inc()
        elif "retried" in report:
            metrics.PUBLISH_RETRIES.labels(report["retried"]).inc()
        elif "publishing" in report:
            since, error = report["publishing"]
            self._publishing = (since, error)

    def _close_wake(self) -> None:
        with self._wake_lock:
            wake, self._wake = self._wake, None
            if wake is not None:
                os.close(wake)


class ExternalRelay:
    """`relay_mode=external`: a `pasi-concurrent relay` of its own publishes this store's outbox; `run` only
    counts what waits (for /readyz, back-pressure and shutdown's wait for the outbox to drain)."""

    def __init__(self, database: Database):
        self.outbox = OutboxStore(database)

    def start(self) -> None:
        pass

    def notify(self) -> None:
        pass  # the other relay looks at the outbox on its own

    def drain(self, timeout_s: float) -> bool:
        return drain(self.outbox, self.notify, timeout_s)

    def publishing(self) -> tuple[float | None, str | None]:
        return None, None  # the other relay's /readyz says how its publishing goes

    def stop(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        pass

    def is_alive(self) -> bool:
        return False

    def abandon(self) -> None:
        pass
