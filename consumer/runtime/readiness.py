"""/readyz's answer: each dependency or duty of the service that has failed for longer than its threshold."""

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from consumer.config.settings import Settings
from consumer.kafka.compat import last_heard_from_coordinator

if TYPE_CHECKING:
    from consumer.runtime.wiring import Runtime

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Thresholds:
    failure_s: float  # the database or the broker
    outbox_stall_s: float
    unassigned_s: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "Thresholds":
        return cls(settings.readiness_failure_s, settings.readiness_outbox_stall_s, settings.readiness_unassigned_s)


@dataclass(frozen=True)
class Observations:
    """What the service saw, as monotonic times since when something has been wrong (None: it is not)."""

    polled: bool
    last_poll: float  # the consumer loop's last poll of the broker
    broker_heard: float | None  # the group coordinator's last heartbeat answer
    publishing_failing_since: float | None
    publishing_error: str | None
    database_failing_since: float | None
    database_error: str | None
    outbox_stalled_since: float | None  # holding rows while its oldest stays the same
    unassigned_since: float | None


def evaluate(seen: Observations, limits: Thresholds, now: float) -> dict[str, str]:
    """What is not ready, each with why: a failure counts once it has lasted longer than its threshold."""
    problems: dict[str, str] = {}

    def over(since: float | None, limit: float) -> bool:
        return since is not None and now - since > limit

    if not seen.polled:
        problems["consumer"] = "has not polled the broker yet"
    if over(seen.database_failing_since, limits.failure_s):
        problems["database"] = f"failing for {now - seen.database_failing_since:.0f} s: {seen.database_error}"
    # a loop held up elsewhere (waiting for the database) polls no more, and its heartbeats may stop with it:
    # the broker is silent only when it has been polled for longer than the threshold since it last answered
    heard = seen.broker_heard
    if seen.polled and heard is not None and seen.last_poll - heard > limits.failure_s:
        problems["broker"] = f"no heartbeat answered for {now - heard:.0f} s"
    elif over(seen.publishing_failing_since, limits.failure_s):
        problems["broker"] = (
            f"publishing failing for {now - seen.publishing_failing_since:.0f} s: {seen.publishing_error}"
        )
    if over(seen.outbox_stalled_since, limits.outbox_stall_s):
        problems["outbox"] = f"holding rows, none sent for {now - seen.outbox_stalled_since:.0f} s"
    if seen.polled and over(seen.unassigned_since, limits.unassigned_s):
        problems["partitions"] = f"none assigned for {now - seen.unassigned_since:.0f} s"
    return problems


class Readiness:
    """Gathers the observations of a running service; logs the details whenever the answer changes."""

    def __init__(self, runtime: "Runtime"):
        self.runtime = runtime
        self.thresholds = Thresholds.from_settings(runtime.settings)
        self._checked_failing_since: float | None = None
        self._checked_error: str | None = None
        self._reported: dict[str, str] | None = None
        self._lock = threading.Lock()

    def __call__(self) -> dict[str, str]:
        with self._lock:  # scrapes may come together; one check at a time is enough
            now = time.monotonic()
            problems = evaluate(self.observe(now), self.thresholds, now)
            if self._reported is None or set(problems) != set(self._reported):
                if problems:
                    log.warning("not ready", **problems)
                elif self._reported:
                    log.info("ready again")
                self._reported = problems
            return problems

    def observe(self, now: float) -> Observations:
        loop, database = self.runtime.loop, self.runtime.database
        publishing_failing_since, publishing_error = self.runtime.relay.publishing()
        self._check_database(now)
        failing = [t for t in (database.failing_since, self._checked_failing_since) if t is not None]
        return Observations(
            polled=loop.last_poll_ok > 0,
            last_poll=loop.last_poll_ok,
            broker_heard=last_heard_from_coordinator(loop.consumer) if loop.consumer is not None else None,
            publishing_failing_since=publishing_failing_since,
            publishing_error=publishing_error,
            database_failing_since=min(failing) if failing else None,
            database_error=self._checked_error or "transactions retried",
            outbox_stalled_since=loop.housekeeper.outbox_stalled_since,
            unassigned_since=loop.housekeeper.unassigned_since,
        )

    def _check_database(self, now: float) -> None:
        try:
            self.runtime.database.check()
        except Exception as exc:
            self._checked_failing_since = self._checked_failing_since or now
            self._checked_error = str(exc)
        else:
            self._checked_failing_since = self._checked_error = None
