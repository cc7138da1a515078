"""Rebalances: commit what was processed before partitions go, and read again what was only buffered."""

import time
from typing import TYPE_CHECKING

import structlog
from kafka import TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener

if TYPE_CHECKING:
    from consumer.runtime.loop import ConsumerLoop

log = structlog.get_logger(__name__)


class RebalanceListener(ConsumerRebalanceListener):
    """Commits what was processed before giving partitions up, and never skips what was only buffered.

    kafka-python keeps the fetch position of a partition assigned both before and after a rebalance,
    so records fetched but not yet processed would be skipped: the listener seeks back to them.
    """

    def __init__(self, loop: "ConsumerLoop"):
        self.loop = loop
        self.rewind: dict[TopicPartition, int] = {}

    def on_partitions_revoked(self, revoked):
        loop = self.loop
        loop.last_rebalance = time.monotonic()
        if loop.shutdown_deadline is None:  # when closing, the loop has committed (and may not block here)
            loop.offsets.commit(only=set(revoked))
        for tp in revoked:
            first = loop.aligner.first_offset(tp)
            if first is not None:
                self.rewind[tp] = first
        loop.aligner.revoke(revoked)
        loop.registry_hold.forget(revoked)
        loop.pauses.revoked(revoked)
        if revoked:
            log.info("partitions revoked", partitions=sorted(f"{tp.topic}[{tp.partition}]" for tp in revoked))

    def on_partitions_assigned(self, assigned):
        loop = self.loop
        loop.last_rebalance = time.monotonic()
        consumer = loop.consumer
        for tp in assigned:
            if tp in self.rewind:
                consumer.seek(tp, self.rewind[tp])
        self.rewind.clear()
        loop.pauses.assigned(assigned)
        loop.aligner.assign(assigned)
        log.info("partitions assigned", partitions=sorted(f"{tp.topic}[{tp.partition}]" for tp in assigned))
