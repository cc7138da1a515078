"""The outbox relay: publishes committed outbox rows in order and marks them sent, retrying forever."""

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

import structlog

from producers.publisher import Publisher, StopRequested
from schemas.records import OutboxRecord

log = structlog.get_logger(__name__)


class OutboxPort(Protocol):
    def pending(self, limit: int) -> list[OutboxRecord]: ...
    def mark_sent(self, ids: list[int]) -> None: ...
    def mark_failed(self, id: int, error: str) -> None: ...
    def backlog(self) -> int: ...
    def prune(self, retention: timedelta) -> int: ...
    def try_lock(self) -> bool: ...
    def unlock(self) -> None: ...


class Relay(Protocol):
    """What the consumer needs of a relay, in a thread of its own process or in a child process."""

    outbox: OutboxPort

    def notify(self) -> None: ...
    def drain(self, timeout_s: float) -> bool: ...
    def publishing(self) -> tuple[float | None, str | None]: ...


class OutboxRelay(threading.Thread):
    """Runs beside the consumer; `notify()` after a commit wakes it at once."""

    def __init__(
        self,
        outbox: OutboxPort,
        publisher: Publisher,
        batch_size: int = 2_000,
        retention: timedelta = timedelta(hours=24),
        on_published: Callable[[list[OutboxRecord]], None] = lambda rows: None,
        idle_wait_s: float = 0.5,
        on_failed: Callable[[OutboxRecord, BaseException], None] = lambda row, error: None,
    ):
        super().__init__(name="outbox-relay", daemon=True)
        self.outbox = outbox
        self.publisher = publisher
        self.batch_size = batch_size
        self.retention = retention
        self.on_published = on_published
        self.on_failed = on_failed
        self.idle_wait_s = idle_wait_s
        self.stop_event = publisher.stop_event
        self._wake = threading.Event()
        self.idle = threading.Event()  # set while nothing is pending
        self.last_error: str | None = None
        self._last_prune = 0.0

    def notify(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self.stop_event.set()
        self._wake.set()

    def run(self) -> None:
        try:
            while not self.stop_event.is_set():
                try:
                    self._round()
                except StopRequested:
                    break
                except Exception as exc:  # keep relaying: nothing in the outbox may be stranded
                    self.last_error = f"{type(exc).__name__}: {exc}"
                    log.error("outbox relay failed, retrying", error=self.last_error)
                    self.stop_event.wait(1.0)
        finally:
            self.publisher.close()
            self.outbox.unlock()

    def _round(self) -> None:
        if not self.outbox.try_lock():
            self.idle.clear()
            self.stop_event.wait(1.0)  # another process's relay publishes; take over if it goes
            return
        rows = self.outbox.pending(self.batch_size)
        if not rows:
            self.idle.set()
            self._maybe_prune()
            self._wake.wait(self.idle_wait_s)
            self._wake.clear()
            return
        self.idle.clear()
        done = 0
        failed: set[int] = set()

        def acknowledged(count: int) -> None:
            nonlocal done
            sent = [row for row in rows[done : done + count] if row.id not in failed]
            self.outbox.mark_sent([row.id for row in sent])
            self.on_published(sent)
            done += count

        def rejected(index: int, error: BaseException) -> None:
            """No retry can publish it: kept in the outbox, marked failed, and the rows behind it go on."""
            row = rows[index]
            failed.add(row.id)
            reason = f"{type(error).__name__}: {error}"
            self.outbox.mark_failed(row.id, reason)
            log.error("outbox row cannot be published: marked failed", id=row.id, topic=row.topic, error=reason)
            self.on_failed(row, error)

        self.publisher.publish(
            rows,
            on_acknowledged=acknowledged,
            on_rejected=rejected,
        )
        self.last_error = None

    def _maybe_prune(self) -> None:
        if time.monotonic() - self._last_prune > 60:
            self._last_prune = time.monotonic()
            self.outbox.prune(self.retention)

    def abandon(self) -> None:
        """Past the shutdown deadline (a broker that is away): stop waiting for the producer; unsent rows stay."""
        self.publisher.close(timeout_s=0)

    def publishing(self) -> tuple[float | None, str | None]:
        """Since when (monotonic) publishing has been failing, and why; (None, None) while it works."""
        return self.publisher.failing_since, self.publisher.last_error

    def drain(self, timeout_s: float) -> bool:
        return drain(self.outbox, self.notify, timeout_s)


def drain(outbox: OutboxPort, notify: Callable[[], None], timeout_s: float) -> bool:
    """Wake the relay until nothing is pending; False if the timeout passed first."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if outbox.backlog() == 0:
                return True
        except Exception as exc:  # the database is away: the rows wait in it for the next start
            log.warning("outbox not drained: cannot count it", error=f"{type(exc).__name__}: {exc}"[:300])
            return False
        if time.monotonic() >= deadline:
            return False
        notify()
        time.sleep(0.05)
