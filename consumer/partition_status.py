"""The consumer's position on each of its partitions, written to the store every few seconds for the console."""

import os
import socket
import time
from datetime import UTC, datetime

import structlog

from consumer.store import tables as t
from consumer.store.database import Database
from consumer.store.writer import upsert

log = structlog.get_logger(__name__)


class PartitionStatus:
    """Called from the loop's housekeeping; writes one small upsert at most every `interval_s`."""

    def __init__(self, database: Database, interval_s: float = 5.0):
        self.database = database
        self.interval_s = interval_s
        self.member = f"{socket.gethostname()}:{os.getpid()}"
        self._next = 0.0

    def record(self, consumer, aligner, last_batch_at: datetime | None) -> None:
        now = time.monotonic()
        if now < self._next:
            return
        updated_at = datetime.now(UTC)
        rows = []
        for tp in sorted(consumer.assignment()):
            highwater = consumer.highwater(tp)
            if highwater is None:  # nothing fetched yet: asking for the position could block on the broker
                continue
            position = consumer.position(tp)
            buffered = aligner.size(tp)
            rows.append({
                "topic": tp.topic, "partition": tp.partition, "member": self.member, "position": position,
                "highwater": highwater, "lag": max(0, highwater - position) + buffered, "buffered": buffered,
                "last_batch_at": last_batch_at, "updated_at": updated_at,
            })
        if not rows:
            return  # again at the next housekeeping: the first fetches are about to answer
        self._next = now + self.interval_s
        try:  # not retried: it is written again in a few seconds, and the loop must not wait on it
            self.database.run(lambda connection: upsert(connection, t.consumer_status, rows), retry=False)
        except Exception as exc:
            log.warning("could not record the consumer's position for the console", error=str(exc).splitlines()[0])
