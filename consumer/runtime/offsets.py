"""Committing offsets: only what a batch applied, and never longer than a request or shutdown allows."""

import time
from typing import TYPE_CHECKING

import structlog
from kafka import TopicPartition
from kafka.structs import OffsetAndMetadata

from consumer.runtime.records import InputRecord

if TYPE_CHECKING:
    from consumer.runtime.loop import ConsumerLoop

log = structlog.get_logger(__name__)


class OffsetCommitter:
    def __init__(self, loop: "ConsumerLoop"):
        self.loop = loop
        self.pending: dict[TopicPartition, int] = {}  # the next offset to read, per partition, not committed yet

    def applied(self, records: list[InputRecord]) -> None:
        """Records applied (in offset order per partition): their offsets are committed with the next commit."""
        for record in records:
            self.pending[TopicPartition(record.topic, record.partition)] = record.offset + 1

    def commit(self, only: set[TopicPartition] | None = None, within_s: float | None = None) -> None:
        consumer = self.loop.consumer
        offsets = {
            tp: OffsetAndMetadata(offset, "", -1)
            for tp, offset in self.pending.items()
            if only is None or tp in only
        }
        if not offsets or consumer is None:
            return
        try:
            wait_ms = self.kafka_wait_ms() if within_s is None else min(self.kafka_wait_ms(), int(within_s * 1000))
            consumer.commit(offsets, timeout_ms=wait_ms)
            for tp in offsets:
                self.pending.pop(tp, None)
        except Exception as exc:  # a rebalance or the broker away: re-read later, processed ids make it harmless
            log.warning("offset commit failed", error=f"{type(exc).__name__}: {exc}")

    def kafka_wait_ms(self) -> int:
        """How long a blocking call to the broker may take: a request's timeout, or what is left of shutdown."""
        settings, shutdown_deadline = self.loop.settings, self.loop.shutdown_deadline
        if shutdown_deadline is None:  # half the shutdown timeout at most: a stop may come meanwhile
            wait_s = min(settings.kafka_request_timeout_ms / 1000, settings.shutdown_timeout_s / 2)
        else:
            wait_s = shutdown_deadline - time.monotonic()
        return int(max(0.1, wait_s) * 1000)
