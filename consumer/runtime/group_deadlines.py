"""Firing deadlines on the group's event time once this process has read its partitions to their end."""

import time
from typing import TYPE_CHECKING

import structlog

from consumer.runtime.positions import read_to_end

if TYPE_CHECKING:
    from consumer.runtime.loop import ConsumerLoop

log = structlog.get_logger(__name__)


class GroupDeadlineSweep:
    def __init__(self, loop: "ConsumerLoop"):
        self.loop = loop
        self._next = 0.0

    def sweep(self, now: bool = False) -> bool:
        """When this process has read its partitions to their end: fire their deadlines that the
        group's event time (other processes' partitions included) has passed. At most once every
        DEADLINE_SWEEP_INTERVAL_MS, or `now`. True when something fired."""
        loop = self.loop
        clock = time.monotonic()
        if not now and clock < self._next:
            return False
        if loop.aligner.size() or not read_to_end(loop.consumer):
            return False
        self._next = clock + loop.settings.deadline_sweep_interval_ms / 1000
        stats = loop.service.fire_group_deadlines(loop.owned_partitions())
        if not (stats.alerts or stats.syncs):
            return False
        loop.relay.notify()
        log.info("deadlines fired on the group's event time", alerts=sum(stats.alerts.values()),
                 syncs=sum(stats.syncs.values()))
        return True
