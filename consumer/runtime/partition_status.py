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
    """Called from the loop's housekeeping: one small upsert every `interval_s`, or after `changed_s` when a
    partition's lag has changed (so the last position before the service stops is the one kept)."""

    def __init__(self, database: Database, interval_s: float = 5.0, changed_s: float = 1.0):
        self.database = database
        self.interval_s = interval_s
        self.changed_s = changed_s
        self.member = f"{socket.gethostname()}:{os.getpid()}"
        self._written_at = -interval_s
        self._lags: dict = {}

    def record(self, consumer, aligner, last_batch_at: datetime | None) -> None:
        now = time.monotonic()
        if now - self._written_at < self.changed_s:
            return
        rows = self._rows(consumer, aligner, last_batch_at)
        lags = {(row["topic"], row["partition"]): row["lag"] for row in rows}
        if not rows or (lags == self._lags and now - self._written_at < self.interval_s):
            return
        self._written_at, self._lags = now, lags
        try:  # not retried: it is written again soon, and the loop must not wait on it
            self.database.run(lambda connection: upsert(connection, t.consumer_status, rows), retry=False)
        except Exception as exc:
            log.warning("could not record the consumer's position for the console", error=str(exc).splitlines()[0])

    def _rows(self, consumer, aligner, last_batch_at: datetime | None) -> list[dict]:
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
        return rows
