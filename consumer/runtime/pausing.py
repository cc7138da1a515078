"""Pausing partitions: one whose buffer is full, or every one while the outbox's backlog is over its limit."""

from typing import TYPE_CHECKING

import structlog
from kafka import TopicPartition

from consumer.runtime import metrics

if TYPE_CHECKING:
    from consumer.runtime.loop import ConsumerLoop

log = structlog.get_logger(__name__)


class Pauses:
    """What is paused and why; a partition is resumed only when no reason to pause it is left."""

    def __init__(self, loop: "ConsumerLoop"):
        self.loop = loop
        self.buffer_full: set[TopicPartition] = set()  # paused until their buffer is half drained
        self.backpressure = False  # every partition paused until the outbox's backlog is half drained

    def held(self) -> set[TopicPartition]:
        """The partitions paused now."""
        consumer = self.loop.consumer
        return self.buffer_full | (consumer.assignment() if self.backpressure else set())

    def check_buffer(self, tp: TopicPartition) -> None:
        """Pause a partition whose buffer reached PARTITION_BUFFER_LIMIT."""
        loop = self.loop
        if loop.aligner.size(tp) >= loop.settings.partition_buffer_limit and tp not in self.buffer_full:
            loop.consumer.pause(tp)
            self.buffer_full.add(tp)
            metrics.PAUSES.labels("partition_buffer").inc()

    def resume_drained(self) -> None:
        """Resume the partitions whose buffer is under half its limit again (unless the backlog holds them)."""
        loop = self.loop
        for tp in list(self.buffer_full):
            if loop.aligner.size(tp) < loop.settings.partition_buffer_limit // 2:
                self.buffer_full.discard(tp)
                if not self.backpressure:
                    loop.consumer.resume(tp)

    def check_backlog(self, backlog: int, assignment) -> None:
        """Pause everything while the outbox holds more than OUTBOX_BACKLOG_LIMIT rows; resume at half."""
        loop = self.loop
        limit = loop.settings.outbox_backlog_limit
        if not self.backpressure and backlog > limit:
            self.backpressure = True
            loop.consumer.pause(*assignment)
            metrics.PAUSED.set(1)
            metrics.PAUSES.labels("outbox_backlog").inc()
            log.warning("outbox backlog over its limit: consumption paused", backlog=backlog, limit=limit)
        elif self.backpressure and backlog <= limit // 2:
            self.backpressure = False
            loop.consumer.resume(*(tp for tp in assignment if tp not in self.buffer_full))
            metrics.PAUSED.set(0)
            log.info("outbox caught up: consumption resumed", backlog=backlog)

    def revoked(self, revoked) -> None:
        self.buffer_full -= set(revoked)

    def assigned(self, assigned) -> None:
        """Newly assigned partitions start paused under back-pressure; otherwise nothing stays paused."""
        consumer = self.loop.consumer
        paused = set(consumer.paused())
        if self.backpressure:
            consumer.pause(*assigned)
        elif paused:
            consumer.resume(*paused)
