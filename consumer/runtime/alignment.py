"""Merging input partitions in event-time order, so that a replay handles events in the same order.

A partition known to hold unread records (its position is behind the highwater its fetches
report) is waited for, at most `wait_s`, before records from the others are released past it.
"""

import time
from collections import deque
from collections.abc import Callable, Hashable

from consumer.runtime.records import InputRecord


class EventTimeAligner:
    def __init__(self, wait_s: float):
        self.wait_s = wait_s
        self.buffers: dict[Hashable, deque[InputRecord]] = {}
        self._blocked_since: float | None = None

    def assign(self, partitions) -> None:
        for tp in partitions:
            self.buffers.setdefault(tp, deque())

    def revoke(self, partitions) -> None:
        for tp in partitions:
            self.buffers.pop(tp, None)

    def add(self, tp: Hashable, records: list[InputRecord]) -> None:
        self.buffers.setdefault(tp, deque()).extend(records)

    def first_offset(self, tp: Hashable) -> int | None:
        """Offset of the first record of the partition not yet released, if any is buffered."""
        buffer = self.buffers.get(tp)
        return buffer[0].offset if buffer else None

    def size(self, tp: Hashable | None = None) -> int:
        if tp is not None:
            return len(self.buffers.get(tp, ()))
        return sum(len(b) for b in self.buffers.values())

    def release(self, lagging: Callable[[Hashable], bool], limit: int) -> list[InputRecord]:
        """Records in event-time order, up to `limit`, stopping where a lagging partition could come first."""
        out: list[InputRecord] = []
        while len(out) < limit:
            heads = [(buffer[0].order_key, tp) for tp, buffer in self.buffers.items() if buffer]
            if not heads:
                break
            if any(not buffer and lagging(tp) for tp, buffer in self.buffers.items()):
                now = time.monotonic()
                if self._blocked_since is None:
                    self._blocked_since = now
                if now - self._blocked_since < self.wait_s:
                    break
            else:
                self._blocked_since = None
            _, tp = min(heads)
            out.append(self.buffers[tp].popleft())
        return out
