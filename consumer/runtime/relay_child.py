"""The outbox relay as a process: a child of `run` (woken through a pipe, reporting through another), or alone.

Started by `run` (`relay_mode=process`), its parent alone decides when it ends: it ignores SIGINT and
SIGTERM (a Ctrl-C or a stop sent to the whole group must not end it while `run` drains the outbox), stops
at end-of-file on its wake pipe (`run` stopping), and the kernel kills it when the parent dies (Linux).
Alone (`pasi-concurrent relay`), SIGTERM and SIGINT stop it, it counts into its own metrics, and it is
woken by PostgreSQL's notifications (`store/outbox_channel.py`); on SQLite it looks every `RELAY_POLL_S`.
"""

import argparse
import contextlib
import ctypes
import json
import os
import signal
import sys
import threading
import time
from functools import partial
from typing import IO, Any

import structlog

from consumer.config.settings import Settings
from consumer.runtime import metrics
from consumer.runtime.health import HealthServer
from consumer.runtime.logs import configure_logging
from consumer.runtime.relay_setup import MetricsReport, RelayReport, make_relay
from consumer.store.database import Database
from consumer.store.migrate import open_migrated
from consumer.store.outbox_channel import listen_for_outbox
from producers.relay import OutboxRelay
from schemas.records import OutboxRecord

log = structlog.get_logger(__name__)
_PR_SET_PDEATHSIG = 1


def follow_parent(parent_pid: int) -> None:
    """Live and die by the parent: deaf to SIGINT and SIGTERM, killed by the kernel when the parent ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # it ended before the request above
        os._exit(1)


class StatusPipe:
    """What the child reports to its parent, one JSON object a line: the parent counts it into its metrics."""

    def __init__(self, fd: int, stop: threading.Event):
        self._file: IO[str] = os.fdopen(fd, "w", buffering=1)
        self._lock = threading.Lock()
        self._stop = stop

    def send(self, **message: Any) -> None:
        line = json.dumps(message) + "\n"
        with self._lock:
            try:
                self._file.write(line)
            except (BrokenPipeError, ValueError):  # the parent is gone: so is the reason to publish
                self._stop.set()


class PipeReport(RelayReport):
    def __init__(self, pipe: StatusPipe):
        self.pipe = pipe

    def published(self, rows: list[OutboxRecord]) -> None:
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.topic] = counts.get(row.topic, 0) + 1
        self.pipe.send(published=counts)

    def failed(self, row: OutboxRecord, error: BaseException) -> None:
        self.pipe.send(failed=[row.topic, type(error).__name__])

    def retried(self, error: BaseException) -> None:
        self.pipe.send(retried=type(error).__name__)


def _read_wakes(fd: int, relay: OutboxRelay, stop: threading.Event) -> None:
    """Every byte the parent writes wakes the relay; end-of-file means the parent stopped or died."""
    try:
        while os.read(fd, 4096):
            relay.notify()
    except OSError:
        pass
    stop.set()
    relay.notify()


def relay_readiness(relay: OutboxRelay, database: Database, failure_s: float) -> dict[str, str | None]:
    """/readyz of a relay running alone: the broker (publishing) and the database."""
    since, error = relay.publishing()
    problems: dict[str, str | None] = {}
    if since is not None and time.monotonic() - since > failure_s:
        problems["broker"] = f"publishing failing for {time.monotonic() - since:.0f} s: {error}"
    try:
        database.check()
    except Exception as exc:
        problems["database"] = str(exc)
    return problems


def serve(
    settings: Settings,
    wake_fd: int | None = None,
    status_fd: int | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Publish the outbox until `stop` (or the parent's end)."""
    stop = stop or threading.Event()
    pipe = StatusPipe(status_fd, stop) if status_fd is not None else None
    report: RelayReport = PipeReport(pipe) if pipe is not None else MetricsReport()
    database = open_migrated(settings)
    database.wait_forever, database.interrupt = True, stop
    if pipe is None:  # a child leaves counting database retries to its parent, which has its own database
        database.on_retry = lambda exc: metrics.DB_RETRIES.inc()
    relay = make_relay(settings, database, report=report)
    health = None
    if pipe is None and settings.metrics_port:
        readiness = partial(relay_readiness, relay, database, settings.readiness_failure_s)
        health = HealthServer(settings.metrics_host, settings.metrics_port, readiness, settings.metrics_max_connections)
        health.start()
    relay.publisher.connect()
    relay.start()
    if wake_fd is not None:
        threading.Thread(target=_read_wakes, args=(wake_fd, relay, stop), name="relay-wake", daemon=True).start()
    elif database.dialect == "postgresql":  # alone: the consumers' commits ring through the database
        listen = partial(listen_for_outbox, settings.database_url, relay.notify, stop)
        threading.Thread(target=listen, name="relay-listen", daemon=True).start()
    log.info("outbox relay started", pid=os.getpid(), supervised=pipe is not None)
    try:
        _watch(relay, pipe, stop)
    finally:
        relay.stop()
        relay.join(timeout=settings.shutdown_timeout_s)
        if relay.is_alive():  # blocked on a broker that is away: its unsent rows stay in the outbox
            log.warning("relay stopping: the broker does not answer; unsent rows stay in the outbox")
            relay.abandon()
        if health is not None:
            health.stop()
        database.dispose()


def _watch(relay: OutboxRelay, pipe: StatusPipe | None, stop: threading.Event) -> None:
    """Until stopped: tell the parent when publishing starts or stops failing; alone, keep the backlog gauge."""
    reported: tuple[float | None, str | None] | None = None  # the first status is always sent
    counted = 0.0
    while relay.is_alive() and not stop.wait(0.25):
        publishing = relay.publishing()
        if pipe is not None and publishing != reported:
            pipe.send(publishing=list(publishing))
            reported = publishing
        if pipe is None and time.monotonic() - counted > 5:
            counted = time.monotonic()
            with contextlib.suppress(Exception):
                metrics.OUTBOX_BACKLOG.set(relay.outbox.backlog())


def main(argv: list[str] | None = None) -> None:
    """`python -m consumer.runtime.relay_child --wake-fd W --status-fd S --parent-pid P`: the child `run`
    starts, with its settings in the environment (leaner to start than the whole command line)."""
    parser = argparse.ArgumentParser(prog="pasi-concurrent relay (child of run)")
    for option in ("--wake-fd", "--status-fd", "--parent-pid"):
        parser.add_argument(option, type=int, required=True)
    args = parser.parse_args(argv)
    follow_parent(args.parent_pid)
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format, settings.log_mask_asn)
    serve(settings, args.wake_fd, args.status_fd)


if __name__ == "__main__":
    main()
