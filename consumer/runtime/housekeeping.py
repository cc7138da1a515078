"""The consumer loop's chores between batches: back-pressure, lag, pruning, and what readiness observes."""

import time
from datetime import timedelta
from typing import TYPE_CHECKING

import structlog

from consumer.runtime import metrics
from consumer.store.retention import prune_processed_events

if TYPE_CHECKING:
    from consumer.runtime.loop import ConsumerLoop

log = structlog.get_logger(__name__)


class Housekeeper:
    """Runs at most every half second; `due()` after a batch so that back-pressure acts within a batch."""

    def __init__(self, loop: "ConsumerLoop"):
        self.loop = loop
        self._next = 0.0
        self._next_pruning = time.monotonic() + 60
        # what /readyz reports on (monotonic times; None: not the case)
        self.outbox_stalled_since: float | None = None
        self.unassigned_since: float | None = time.monotonic()
        self._outbox_head: int | None = None

    def due(self) -> None:
        self._next = 0.0

    def run(self) -> None:
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + 0.5
        loop = self.loop
        if now >= self._next_pruning:
            self._next_pruning = now + 600
            retention = timedelta(days=loop.settings.processed_events_retention_days)
            pruned = prune_processed_events(loop.service.database, retention)
            if pruned:
                log.info("forgot old processed event ids", count=pruned, retention_days=retention.days)
        backlog, head = loop.relay.outbox.head()
        self._watch_outbox(backlog, head, now)
        metrics.OUTBOX_BACKLOG.set(backlog)
        assignment = loop.consumer.assignment()
        self.unassigned_since = None if assignment else self.unassigned_since or now
        loop.pauses.check_backlog(backlog, assignment)
        for tp in assignment:
            highwater = loop.consumer.highwater(tp)
            if highwater is not None:
                metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(
                    max(0, highwater - loop.consumer.position(tp)) + loop.aligner.size(tp)
                )
        loop.status.record(loop.consumer, loop.aligner, loop.service.last_batch_at)

    def _watch_outbox(self, backlog: int, head: int | None, now: float) -> None:
        """The outbox is stalled while it holds rows and its oldest pending row stays the same."""
        if not backlog:
            self.outbox_stalled_since = None
        elif head != self._outbox_head or self.outbox_stalled_since is None:
            self.outbox_stalled_since = now
        self._outbox_head = head
