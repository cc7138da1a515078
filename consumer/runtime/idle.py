"""Idle detection for `run --until-idle`: every partition read to its end, the outbox empty, nothing new."""

import time
from typing import TYPE_CHECKING

import structlog

from consumer.runtime.positions import owns_every_partition, read_to_end

if TYPE_CHECKING:
    from consumer.runtime.loop import ConsumerLoop

log = structlog.get_logger(__name__)


class IdleWatch:
    def __init__(self, loop: "ConsumerLoop"):
        self.loop = loop
        self.quiet_since: float | None = None  # monotonic; None while there is work

    def reached(self, until_idle_s: float, busy: bool) -> bool:
        """True once nothing was read nor done for `until_idle_s` (longer when other members may come back)
        and the group's deadlines, fired once more, fire nothing."""
        loop = self.loop
        if busy or not self.caught_up():
            self.quiet_since = None
            return False
        now = time.monotonic()
        self.quiet_since = max(self.quiet_since or now, loop.last_rebalance)
        if now - self.quiet_since < self.quiet_needed(until_idle_s):
            return False
        if loop.deadlines.sweep(now=True):  # the group's latest event time, once more
            self.quiet_since = None
            return False
        log.info("idle: every partition read to its end and the outbox is empty")
        return True

    def caught_up(self) -> bool:
        loop = self.loop
        if loop.aligner.size() or loop.pauses.backpressure or not read_to_end(loop.consumer):
            return False
        return loop.relay.outbox.backlog() == 0

    def quiet_needed(self, until_idle_s: float) -> float:
        """With only some partitions, wait long enough for a dead member's session to expire and its
        partitions to come back in a rebalance: a killed consumer keeps its assignment until then."""
        settings = self.loop.settings
        if owns_every_partition(self.loop.consumer, settings.input_topics):
            return until_idle_s
        stability = 1.5 * settings.session_timeout_ms / 1000 + 2 * settings.heartbeat_interval_ms / 1000 + 0.5
        return max(until_idle_s, stability)
